"""Unexpected errors for the headless commands (`status`, `wait`).

An exception nothing foresaw is logged with its traceback (for the debug log only) and
named to the user by its type alone, with what to do about it.
"""

from __future__ import annotations

from pathlib import Path

from nekt_tui.api.errors import NektError


class UnexpectedError(NektError):
    """An exception no part of nekt-tui expected (a bug, or an answer nothing foresaw):
    named by its type only, as its text could hold anything the server sent."""

    short = "unexpected"

    def __init__(self, exc: BaseException) -> None:
        self.type_name = type(exc).__name__
        super().__init__(f"unexpected {self.type_name}")


def report_hint(log_file: Path | None) -> str:
    """What to do about an unexpected error: where its traceback is, or how to get it."""
    if log_file is not None:
        return f"the details are in {log_file}; please report it"
    return "run again with --log-file PATH and report it"


__all__ = ["UnexpectedError", "report_hint"]
