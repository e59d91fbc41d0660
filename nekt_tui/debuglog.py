"""The debug log for bug reports: `--log-file PATH` (or `NEKT_TUI_LOG`).

Every record of the `nekt_tui` loggers (requests with status and timing, engine
decisions, errors with their tracebacks) goes to the file at DEBUG, with the API key and
anything that looks like a Nekt token replaced by `[redacted]` in the message, the
traceback and the stack. The handler hangs on the `nekt_tui` logger with propagation off,
so neither Textual nor the root logger's handlers see (or swallow) these records.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from nekt_tui.api.redact import KEYS, RedactingFilter, Redactor

ROOT_LOGGER = "nekt_tui"
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class LogFileError(Exception):
    """The log file cannot be opened: the message names it and says why."""


class _Redacting:
    """The configured secrets, and every key a client was made with since (a key typed
    in the app, a profile switched to: `KEYS`)."""

    def __init__(self, secrets: Iterable[str]) -> None:
        self._given = Redactor(*secrets)

    def redact(self, text: str) -> str:
        return KEYS.redact(self._given.redact(text))


class _RedactingFormatter(logging.Formatter):
    """A last pass over the whole formatted record, in case a field slipped past."""

    def __init__(self, redact: _Redacting) -> None:
        super().__init__(_FORMAT)
        self._redact = redact

    def format(self, record: logging.LogRecord) -> str:
        return self._redact.redact(super().format(record))


class DebugLog:
    """The open debug log; `close()` detaches it."""

    def __init__(
        self, path: Path, handler: logging.StreamHandler[TextIO], level: int, propagate: bool
    ) -> None:
        self.path = path
        self._handler = handler
        self._level = level
        self._propagate = propagate

    def close(self) -> None:
        """Detach the handler and close the file."""
        logger = logging.getLogger(ROOT_LOGGER)
        logger.removeHandler(self._handler)
        logger.setLevel(self._level)
        logger.propagate = self._propagate
        self._handler.close()
        self._handler.stream.close()


def open_debug_log(path: Path, secrets: Iterable[str] = ()) -> DebugLog:
    """Send every `nekt_tui` record to `path` (appended, created private), redacted."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        stream: TextIO = os.fdopen(fd, "a", encoding="utf-8", errors="backslashreplace")
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise LogFileError(f"cannot write the log file {path}: {reason}") from None
    handler = logging.StreamHandler(stream)
    redact = _Redacting(secrets)
    handler.addFilter(RedactingFilter(redact))
    handler.setFormatter(_RedactingFormatter(redact))
    handler.setLevel(logging.DEBUG)
    logger = logging.getLogger(ROOT_LOGGER)
    level, propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    return DebugLog(path, handler, level, propagate)


__all__ = ["DebugLog", "LogFileError", "open_debug_log"]
