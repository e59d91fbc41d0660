"""The run table: every watched run's state, and the queues that say what is due when.

It owns the per-run `Watched` records, the due queue (next polls), the stale queue
(staleness checks), the forced queue (runs refreshed by hand), the run IDs with a request
in flight, the intervals and the global pause. It sends no request and starts no task:
when a change may need a sleeping coordinator to look again it tells its `Waker`.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Iterator
from typing import Protocol

from nekt_tui.api.enums import RunStatus, UnknownValue
from nekt_tui.clock import Clock
from nekt_tui.watch import policy
from nekt_tui.watch.bandwidth import Budget
from nekt_tui.watch.events import RunStale
from nekt_tui.watch.log_delta import LogTracker
from nekt_tui.watch.queues import DueQueue, StaleQueue
from nekt_tui.watch.runstate import Watched
from nekt_tui.watch.stream import EventHub


class Waker(Protocol):
    """Whoever sleeps until the table's next time (the dispatcher's coordinator)."""

    def due_moved(self) -> None:
        """A run's next poll became the earliest one."""

    def wake(self) -> None:
        """Something changed that the coordinator must look at now."""


class _Nobody:
    """The waker of a table that nothing drives (yet)."""

    def due_moved(self) -> None:
        """Nothing sleeps: nothing to wake."""

    def wake(self) -> None:
        """Nothing sleeps: nothing to wake."""


class RunTable:
    """The state of every watched run and what is due when (see the module docstring)."""

    def __init__(
        self, clock: Clock, hub: EventHub, *, interval: float, waiting_interval: float
    ) -> None:
        self.clock = clock
        self.hub = hub
        self.interval = interval
        self.waiting_interval = waiting_interval
        self.runs: dict[str, Watched] = {}
        self.due = DueQueue()
        self.stale = StaleQueue()
        self.forced: deque[str] = deque()
        self.logs = LogTracker()
        #: Watched runs not polled yet (a listed copy never stands in for a first poll).
        self.unpolled = 0
        #: Run IDs with a request in flight (kept across unwatch and watch again).
        self.busy: set[str] = set()
        self.paused_all = False
        self.resumed_at = float("-inf")
        self.waker: Waker = _Nobody()
        #: Paces runs with large answers (`bandwidth.py`); None: no budget.
        self.budget: Budget | None = None

    def __contains__(self, run_id: object) -> bool:
        return run_id in self.runs

    def __len__(self) -> int:
        return len(self.runs)

    def __iter__(self) -> Iterator[str]:
        return iter(self.runs)

    def get(self, run_id: str) -> Watched | None:
        """The watched run with this ID, or None."""
        return self.runs.get(run_id)

    # ---- what is watched ---------------------------------------------------------------

    def add(self, run_id: str, hint: RunStatus | UnknownValue | None, now: float) -> Watched:
        """Watch a run (not planned yet: see `plan_first`)."""
        run = Watched(run_id, hint, now)
        self.runs[run_id] = run
        return run

    def plan_first(self, run: Watched, at: float | None) -> None:
        """Plan a new run's first poll at `at`, or none (None); arm its staleness check."""
        if at is not None:
            self.unpolled += 1
            self.schedule(run, at)
        else:
            run.unpolled = False
        self.arm_stale(run)

    def remove(self, run_id: str) -> None:
        """Stop watching a run (an answer in flight for it is then ignored)."""
        run = self.runs.pop(run_id, None)
        if run is None:
            return
        self.due.unschedule(run)
        run.stale_check = None
        if run.unpolled:
            self.unpolled -= 1
        self.logs.forget(run_id)
        if self.budget is not None:
            self.budget.forget(run_id)

    def polled(self, run: Watched) -> None:
        """The run's first answer (or error) came."""
        if run.unpolled:
            run.unpolled = False
            self.unpolled -= 1

    def candidates(self) -> int:
        """Runs planned for a poll that a listed copy could stand in for (not first polls)."""
        return len(self.due) - self.unpolled

    # ---- timing ------------------------------------------------------------------------

    def interval_of(self, run: Watched) -> float | None:
        """Seconds between the run's polls (paced by the budget); None when it is not
        polled again."""
        ivl = policy.status_interval(run.status, self.interval, self.waiting_interval)
        if self.budget is None:
            return ivl
        if ivl is None:  # not polled again: its answers no longer share the budget
            self.budget.forget(run.run_id)
            return None
        return self.budget.interval(run.run_id, ivl)

    def jittered(self, run: Watched, ivl: float, jitter: float, rng: random.Random) -> float:
        """`ivl` moved at random; of a paced run, only its status interval part is (so it
        is never polled later than its paced interval plus a fraction of a second)."""
        base = policy.status_interval(run.status, self.interval, self.waiting_interval) or ivl
        return policy.jittered(min(base, ivl), jitter, rng) + max(0.0, ivl - base)

    def schedule(self, run: Watched, due: float) -> None:
        """Plan the run's next poll at `due` (replacing any planned one)."""
        if self.due.schedule(run, due):
            self.waker.due_moved()

    def stale_deadline(self, run: Watched) -> float | None:
        """When the run is stale if no news comes; None when no news is expected."""
        return self._deadline(run, self.interval_of(run))

    def _deadline(self, run: Watched, ivl: float | None) -> float | None:
        if ivl is None or run.paused or run.not_found:
            return None
        return max(run.baseline, self.resumed_at) + policy.STALE_FACTOR * ivl

    def arm_stale(self, run: Watched) -> None:
        """Make sure a staleness check is pending no later than the run's deadline."""
        self.arm_stale_for(run, self.interval_of(run))

    def arm_stale_for(self, run: Watched, ivl: float | None) -> None:
        """`arm_stale` when the caller has the run's `interval_of` at hand (every answer)."""
        deadline = self._deadline(run, ivl)
        if deadline is not None and self.stale.arm(run, deadline):
            self.waker.wake()

    def set_intervals(self, interval: float, waiting_interval: float) -> None:
        """New intervals: planned polls move, keeping the time already waited."""
        old = (self.interval, self.waiting_interval)
        self.interval, self.waiting_interval = interval, waiting_interval
        if old == (interval, waiting_interval):
            return
        now = self.clock.monotonic()
        for run in self.runs.values():
            self.arm_stale(run)
            if run.due is None or run.failures or run.forced or run.unpolled:
                continue
            ivl = self.interval_of(run)
            if ivl is None:
                continue
            # Keep the time already waited: a run due in 4 s of a 5 s interval that is now
            # 1 s becomes due at once; one due in 1 s of 2 s that becomes 10 s waits 9 s more.
            was = policy.status_interval(run.status, *old) or ivl
            self.schedule(run, max(now, run.due + (ivl - was)))
        self.waker.wake()

    def check_stale(self, now: float) -> float | None:
        """Report runs whose deadline passed; return the next check time."""
        while (run := self.stale.pop_expired(now)) is not None:
            deadline = self.stale_deadline(run)
            if deadline is None or run.stale or run.slow:
                # Re-armed when it is polled, resumed or refreshed; a slow run is said to
                # be slow (with how long it has been waiting), not stale.
                continue
            if self.paused_all:
                # Nothing is expected while paused: look again one stale period later, rather
                # than walking all runs at resume time (the deadline then counts from resume).
                deadline = max(deadline, now + (deadline - max(run.baseline, self.resumed_at)))
            if deadline > now:
                self.stale.arm(run, deadline, earlier_only=False)
                continue
            run.stale = True
            self.hub.emit(RunStale(run.run_id, run.last_success, self.clock.now()))
        return self.stale.next_check()

    # ---- commands ----------------------------------------------------------------------

    def next_forced(self) -> Watched | None:
        """The next run refreshed by hand that is not in flight, taken off its queue."""
        while self.forced:
            run = self.runs.get(self.forced.popleft())
            if run is not None and run.forced:
                run.forced = False
                self.due.unschedule(run)  # a resume() may have planned it meanwhile
                if not run.in_flight:
                    return run
        return None

    def force(self, run: Watched) -> None:
        """Poll the run before any due one (unless its answer is on the way)."""
        if run.in_flight or run.forced:
            return  # the answer on its way is fresh enough
        self.due.unschedule(run)
        run.forced = True
        self.forced.append(run.run_id)

    def pause(self, run_id: str | None) -> None:
        """Pause one run, or everything (KeyError for a run not watched)."""
        if run_id is None:
            self.paused_all = True
            return
        run = self.runs[run_id]
        run.paused = True
        self.due.unschedule(run)
        run.stale_check = None

    def resume(self, run_id: str | None) -> None:
        """Resume one run (due now) or everything (KeyError for a run not watched)."""
        now = self.clock.monotonic()
        if run_id is None:
            if self.paused_all:
                self.paused_all = False
                self.resumed_at = now
                self.waker.wake()
            return
        run = self.runs[run_id]
        if not run.paused:
            return
        run.paused = False
        run.baseline = now
        if not run.in_flight and not run.not_found and not policy.is_terminal(run.status):
            self.schedule(run, now)
        self.arm_stale(run)


__all__ = ["RunTable", "Waker"]
