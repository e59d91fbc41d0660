"""Unexpected errors and logged requests for the headless commands (`status`, `wait`).

An exception nothing foresaw is logged with its traceback (for the debug log only) and
named to the user by its type alone, with what to do about it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable
from pathlib import Path
from typing import Protocol, TypeVar

from nekt_tui.api.errors import NektError
from nekt_tui.api.models import Run, RunPage

log = logging.getLogger(__name__)
T = TypeVar("T")


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


class ApiSource(Protocol):
    """What `LoggedSource` wraps: `NektClient`'s reading half."""

    async def get_run(self, run_id: str) -> Run:
        """One run."""
        ...

    async def list_runs(self, page: int = 1, page_size: int = 50) -> RunPage:
        """One page of the run list."""
        ...


class LoggedSource:
    """A client whose every request is logged (what, outcome, time taken), and whose
    unexpected exceptions are logged with their traceback and become `UnexpectedError`."""

    def __init__(self, client: ApiSource) -> None:
        self._client = client

    async def get_run(self, run_id: str) -> Run:
        """`client.get_run`, logged."""
        return await self._logged(f"GET run {run_id}", self._client.get_run(run_id))

    async def list_runs(self, page: int = 1, page_size: int = 50) -> RunPage:
        """`client.list_runs`, logged."""
        call = self._client.list_runs(page=page, page_size=page_size)
        return await self._logged(f"GET run list page {page}", call)

    async def _logged(self, what: str, call: Awaitable[T]) -> T:
        start = time.perf_counter()
        try:
            result = await call
        except NektError as exc:
            log.debug("%s: %s in %.3fs", what, exc, time.perf_counter() - start)
            raise
        except Exception as exc:
            log.error("%s: unexpected %s", what, type(exc).__name__, exc_info=True)
            raise UnexpectedError(exc) from None
        log.debug("%s: ok in %.3fs", what, time.perf_counter() - start)
        return result


__all__ = ["ApiSource", "LoggedSource", "UnexpectedError", "report_hint"]
