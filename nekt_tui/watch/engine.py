"""What the parts of the watch engine share: the run source they poll, and small helpers.

The engine is composed of a run table (`table.py`), a gate that says when requests may go
(`gate.py`), what each poll's outcome does (`outcomes.py`), the tasks that poll
(`dispatcher.py`) and the status sweep (`sweep.py`); `Scheduler` (`scheduler.py`) wires
them and is the only public face. Nothing here depends on any of them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from nekt_tui.api.errors import NektError
from nekt_tui.clock import Clock
from nekt_tui.watch.events import Event

if TYPE_CHECKING:
    from nekt_tui.api.models import Run, RunPage


class RunSource(Protocol):
    """Where runs come from: `NektClient`, or any object with the same `get_run`.

    A source may also have `clear_rate_limit()` (forget its own Retry-After window): the
    engine calls it when the user refreshes everything, so that one request tries.
    """

    async def get_run(self, run_id: str, *, patient: bool = False) -> Run:
        """Fetch one run, raising `nekt_tui.api.errors` errors. `SlowAnswerError` when the
        answer did not come in time; `patient=True` waits much longer for it."""
        ...


class RunLister(Protocol):
    """A source that can also list runs (`NektClient`)."""

    async def list_runs(self, page: int = 1, page_size: int = 50) -> RunPage:
        """Fetch one page of `GET /api/v1/runs/`."""
        ...


EventCallback = Callable[[Event], None]


def wall(clock: Clock, mono: float) -> datetime:
    """The wall-clock time of the monotonic time `mono`."""
    return clock.now() + timedelta(seconds=mono - clock.monotonic())


def positive_seconds(name: str, seconds: float) -> float:
    """`seconds` as a float if it is a finite positive number, else ValueError naming `name`."""
    if not seconds > 0 or seconds == float("inf"):
        raise ValueError(f"{name} must be a positive number of seconds, got {seconds!r}")
    return float(seconds)


def earliest(a: float | None, b: float | None) -> float | None:
    """The earlier of two optional times (None: no time)."""
    if a is None:
        return b
    return a if b is None else min(a, b)


def as_nekt_error(exc: BaseException | None) -> NektError:
    """The exception a poll raised, as a `NektError` (others become a generic one)."""
    if isinstance(exc, NektError):
        return exc
    # The message names only the type: an unexpected exception's text could hold anything.
    return NektError(f"unexpected {type(exc).__name__} while polling")


__all__ = [
    "EventCallback",
    "RunLister",
    "RunSource",
    "as_nekt_error",
    "earliest",
    "positive_seconds",
    "wall",
]
