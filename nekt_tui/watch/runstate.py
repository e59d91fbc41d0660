"""Per-run bookkeeping of the scheduler, and the read-only snapshot it hands out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from nekt_tui.api.enums import RunStatus, UnknownValue
from nekt_tui.api.errors import NektError

if TYPE_CHECKING:
    from nekt_tui.api.models import Run


@dataclass(frozen=True, slots=True)
class RunState:
    """What the scheduler knows about one watched run, at the moment `state()` was called."""

    run_id: str
    run: Run | None
    #: The last status seen: from the last run fetched, else the one given to `watch()`.
    status: RunStatus | UnknownValue | None
    last_success: datetime | None
    last_error: NektError | None
    #: Consecutive failed polls (0 after a success).
    failures: int
    paused: bool
    not_found: bool
    stale: bool
    in_flight: bool
    #: When the next poll is due; None when none is planned (terminal, not found, paused).
    next_due: datetime | None
    #: Its answer did not come in time; it is being asked again with more patience.
    slow: bool = False
    #: When the first request still unanswered while slow was sent (None unless slow).
    slow_since: datetime | None = None


class Watched:
    """Mutable state of one watched run (internal to the scheduler)."""

    __slots__ = (
        "baseline",
        "deferred",
        "due",
        "failures",
        "forced",
        "gen",
        "hint",
        "in_flight",
        "lane_waiting",
        "last_error",
        "last_success",
        "not_found",
        "patient",
        "paused",
        "run",
        "run_id",
        "slow",
        "slow_since",
        "stale",
        "stale_check",
        "unpolled",
        "urgent",
    )

    def __init__(self, run_id: str, hint: RunStatus | UnknownValue | None, now: float) -> None:
        self.run_id = run_id
        self.run: Run | None = None
        self.hint = hint
        self.last_success: datetime | None = None
        self.last_error: NektError | None = None
        self.failures = 0
        self.paused = False
        self.not_found = False
        self.stale = False
        self.in_flight = False
        self.forced = False
        #: Its poll waits for a request of a previous watch of the same ID to come back.
        self.deferred = False
        self.unpolled = True
        #: Taken from the forced queue: put back there if it may not be sent after all.
        self.urgent = False
        #: A `SlowAnswerError` came and no answer since (`slow_since`: when it was asked).
        self.slow = False
        self.slow_since: datetime | None = None
        #: Asked with `patient=True`, in the slow lane, until a patient answer comes fast.
        self.patient = False
        #: Waits in the slow lane's queue for one of its slots.
        self.lane_waiting = False
        #: Monotonic time of the pending heap entry, or None; `gen` tells stale entries apart.
        self.due: float | None = None
        self.gen = 0
        #: Monotonic time since which fresh data is expected (last success, watch, resume).
        self.baseline = now
        #: Monotonic time of the earliest pending staleness check, or None.
        self.stale_check: float | None = None

    @property
    def status(self) -> RunStatus | UnknownValue | None:
        """The last status known for this run."""
        return self.run.status if self.run is not None else self.hint
