"""A run's status timeline: where it is at any simulated time, and how a cancel reshapes it.

Times are world seconds (0 = when the world was made; negative = before). A timeline is a
sorted list of transitions, so the status at time t is one bisect.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Sequence

from nekt_tui.api.enums import RunStatus

#: The statuses a script may put a run through before it ends, in lifecycle order.
PHASE_ORDER = (RunStatus.PENDING_EVENTS, RunStatus.QUEUED, RunStatus.RUNNING)
OUTCOMES = (RunStatus.SUCCESS, RunStatus.FAILED, RunStatus.CANCELED)


def as_status(value: str | RunStatus) -> RunStatus:
    """A RunStatus from its value (ValueError naming the bad value)."""
    try:
        return RunStatus(value)
    except ValueError:
        raise ValueError(f"unknown run status {value!r}") from None


class Timeline:
    """The transitions of one run: (time, status) pairs, changed only by `cancel`."""

    __slots__ = (
        "_cancel_at",
        "_phases",
        "_statuses",
        "_times",
        "cancelling_seconds",
        "created",
        "outcome",
        "version",
    )

    def __init__(
        self,
        created: float,
        phases: Sequence[tuple[str | RunStatus, float]],
        outcome: str | RunStatus,
        *,
        cancel_at: float | None = None,
        cancelling_seconds: float = 5.0,
    ) -> None:
        parsed = [(as_status(s), float(d)) for s, d in phases]
        order = [PHASE_ORDER.index(s) if s in PHASE_ORDER else -1 for s, _ in parsed]
        if -1 in order or order != sorted(set(order)):
            raise ValueError(
                "phases must be pending_events, queued and/or running, each at most once, "
                f"in that order; got {[s.value for s, _ in parsed]}"
            )
        if any(d < 0 or math.isnan(d) for _, d in parsed):
            raise ValueError("phase durations must be >= 0")
        if any(math.isinf(d) for _, d in parsed[:-1]):
            raise ValueError("only the last phase may last forever")
        end_status = as_status(outcome)
        if end_status not in OUTCOMES:
            raise ValueError(f"outcome must be success, failed or canceled, not {end_status.value}")
        end = created + sum(d for _, d in parsed)
        if end_status is RunStatus.CANCELED:
            if cancel_at is None and math.isinf(end):
                raise ValueError("a run that never ends cannot end canceled without cancel_at")
            cancel_at = end if cancel_at is None else min(cancel_at, end)
        if cancelling_seconds < 0:
            raise ValueError("cancelling_seconds must be >= 0")
        self.created = created
        self.outcome = end_status
        self.cancelling_seconds = cancelling_seconds
        self._phases = parsed
        self._cancel_at = cancel_at
        self.version = 0
        self._times: list[float] = []
        self._statuses: list[RunStatus] = []
        self._build()

    def _build(self) -> None:
        times: list[float] = []
        statuses: list[RunStatus] = []
        t = self.created
        for status, duration in self._phases:
            times.append(t)
            statuses.append(status)
            t += duration
        cancel_at = self._cancel_at
        if cancel_at is not None and cancel_at <= t:
            cancel_at = max(cancel_at, self.created)
            while times and times[-1] > cancel_at:
                times.pop()
                statuses.pop()
            times += [cancel_at, cancel_at + self.cancelling_seconds]
            statuses += [RunStatus.CANCELLING, RunStatus.CANCELED]
        elif not math.isinf(t):
            times.append(t)
            statuses.append(self.outcome)
        if not times:  # no phases and never ends: cannot happen, but keep status_at total
            times, statuses = [self.created], [RunStatus.QUEUED]
        self._times, self._statuses = times, statuses
        self.version += 1

    @property
    def transitions(self) -> list[tuple[float, RunStatus]]:
        """Every (time, status) the run goes through, including ones still to come."""
        return list(zip(self._times, self._statuses, strict=True))

    def index_at(self, t: float) -> int:
        """The index of the transition in force at time t (0 before creation)."""
        return max(0, bisect_right(self._times, t) - 1)

    def status_at(self, t: float) -> RunStatus:
        """The run's status at time t."""
        return self._statuses[self.index_at(t)]

    def changed_at(self, t: float) -> float:
        """When the status in force at time t began."""
        return self._times[self.index_at(t)]

    @property
    def started_at(self) -> float | None:
        """When the run entered `running`, if it ever does."""
        for when, status in zip(self._times, self._statuses, strict=True):
            if status is RunStatus.RUNNING:
                return when
        return None

    @property
    def body_end(self) -> float:
        """When the run left `running` (inf if it has not been scheduled to)."""
        for i, status in enumerate(self._statuses):
            if status is RunStatus.RUNNING:
                return self._times[i + 1] if i + 1 < len(self._times) else math.inf
        return math.inf

    @property
    def ended_at(self) -> float | None:
        """When the run reaches its terminal status (None if it never does)."""
        return self._times[-1] if self._statuses[-1].is_terminal else None

    @property
    def final_status(self) -> RunStatus:
        """The status the run ends in (or stays in forever)."""
        return self._statuses[-1]

    @property
    def cancel_at(self) -> float | None:
        """When the run was (or is scripted to be) asked to cancel, if it was before its end."""
        try:
            return self._times[self._statuses.index(RunStatus.CANCELLING)]
        except ValueError:
            return None

    def cancel(self, t: float) -> bool:
        """Ask to cancel at time t. False if the run is already terminal at t."""
        status = self.status_at(t)
        if status.is_terminal:
            return False
        if status is RunStatus.CANCELLING:
            return True
        self._cancel_at = t
        self._build()
        return True
