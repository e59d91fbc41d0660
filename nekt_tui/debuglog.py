"""The debug log for bug reports: `--log-file PATH` (or `NEKT_TUI_LOG`).

Every record of the `nekt_tui` loggers (requests with status and timing, engine
decisions, errors with their tracebacks) goes to the file at DEBUG, with the API key and
anything that looks like a Nekt token replaced by `[redacted]` in the message, the
traceback and the stack. The handler hangs on the `nekt_tui` logger with propagation off,
so neither Textual nor the root logger's handlers see (or swallow) these records.
"""

from __future__ import annotations

import base64
import logging
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO
from urllib.parse import quote

#: What a Nekt token looks like (nk_live_..., nk_test_...), configured or not.
TOKEN = re.compile(r"nk_[a-z]+_[A-Za-z0-9]{8,}")
REDACTED = "[redacted]"
ROOT_LOGGER = "nekt_tui"
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class LogFileError(Exception):
    """The log file cannot be opened: the message names it and says why."""


def _forms(secret: str) -> list[str]:
    """The secret and its obvious encodings (URL-quoted, base64), longest first."""
    forms = {secret, quote(secret, safe=""), base64.b64encode(secret.encode()).decode()}
    return sorted((f for f in forms if len(f) >= 4), key=len, reverse=True)


class Redactor:
    """Replaces the given secrets and token-like strings in text."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        forms = [form for secret in secrets if secret for form in _forms(secret)]
        alternatives = [re.escape(form) for form in forms] + [TOKEN.pattern]
        self._pattern = re.compile("|".join(alternatives))

    def __call__(self, text: str) -> str:
        """`text` with every secret replaced by `[redacted]`."""
        return self._pattern.sub(REDACTED, text)


class RedactingFilter(logging.Filter):
    """Redacts a record's formatted message, traceback and stack before any handler
    formats it (the record is changed in place: every later handler sees it redacted)."""

    def __init__(self, redact: Redactor) -> None:
        super().__init__()
        self._redact = redact
        self._formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        """Always keep the record; only its text changes."""
        try:
            message = record.getMessage()
        except Exception:  # a bad format string still leaves a trace, not a crash
            message = f"{record.msg!r} {record.args!r}"
        record.msg, record.args = self._redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self._redact(record.stack_info)
        return True


class _RedactingFormatter(logging.Formatter):
    """A last pass over the whole formatted record, in case a field slipped past."""

    def __init__(self, redact: Redactor) -> None:
        super().__init__(_FORMAT)
        self._redact = redact

    def format(self, record: logging.LogRecord) -> str:
        return self._redact(super().format(record))


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
    redact = Redactor(secrets)
    handler.addFilter(RedactingFilter(redact))
    handler.setFormatter(_RedactingFormatter(redact))
    handler.setLevel(logging.DEBUG)
    logger = logging.getLogger(ROOT_LOGGER)
    level, propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    return DebugLog(path, handler, level, propagate)


__all__ = [
    "REDACTED",
    "TOKEN",
    "DebugLog",
    "LogFileError",
    "RedactingFilter",
    "Redactor",
    "open_debug_log",
]
