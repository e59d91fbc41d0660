"""What each poll's outcome does: a run's new state, its next poll, and the events said.

Success plans the next poll one (jittered) interval on; an error backs the run off
(doubling, capped), a 429 or a refused key goes to the gate, a slow answer sends the run
to the slow lane. A listed copy from the status sweep counts as a success.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from nekt_tui.api.errors import (
    ApiUnreachableError,
    AuthenticationError,
    NektError,
    RateLimitedError,
    RunNotFoundError,
    SlowAnswerError,
)
from nekt_tui.clock import Clock
from nekt_tui.watch import policy
from nekt_tui.watch.assemble import DETAIL, Assembler
from nekt_tui.watch.engine import wall
from nekt_tui.watch.events import Event, PollFailed, Recovered, RunSlow, RunUpdated, StatusChanged
from nekt_tui.watch.gate import Gate
from nekt_tui.watch.runstate import Watched
from nekt_tui.watch.table import RunTable

if TYPE_CHECKING:
    from nekt_tui.api.models import Run
    from nekt_tui.watch.log_delta import LogDelta


class Outcomes:
    """Applies answers and errors to the run table and the gate (see the module docstring)."""

    def __init__(
        self,
        table: RunTable,
        gate: Gate,
        clock: Clock,
        *,
        rng: random.Random,
        jitter: float,
        max_backoff: float,
        assembler: Assembler | None = None,
    ) -> None:
        self._table = table
        self.assembler = assembler or Assembler()
        self._gate = gate
        self._clock = clock
        self._hub = table.hub
        self._rng = rng
        self._jitter = jitter
        self._max_backoff = max_backoff

    def success(
        self,
        run: Watched,
        new: Run,
        *,
        extra_delay: float = 0.0,
        sent: float | None = None,
        source: str = DETAIL,
    ) -> None:
        """`new` is the run's latest state (a poll's answer, or a listed copy: `source`).

        It is merged first: a part it lacks (log, pipeline, user) is filled from the best
        copy known, so a poorer answer never blanks what an earlier one showed."""
        table = self._table
        now, at = self._clock.monotonic(), self._clock.now()
        new = self.assembler.merge(run.run_id, new, source, at)
        prev, old_status = run.run, run.status
        had_problem = run.failures > 0 or run.stale or run.not_found or run.slow
        run.run, run.last_success, run.baseline = new, at, now
        run.failures, run.last_error, run.not_found, run.stale = 0, None, False, False
        run.slow, run.slow_since = False, None
        if run.patient and sent is not None and now - sent < policy.SLOW_LANE_EXIT:
            run.patient = False  # it answers in time again: back among the others
        delta = table.logs.update(run.run_id, new.parsed_log)
        events: list[Event] = []
        self._gate.succeeded(events, at)
        if prev is None or delta is not None or new != prev:
            events.append(self._updated(run.run_id, new, prev, delta, at))
        if old_status is None or new.status != old_status:
            events.append(StatusChanged(run.run_id, new, old_status, new.status, at))
        if had_problem:
            events.append(Recovered("run", run.run_id, at))
        ivl = table.interval_of(run)
        if ivl is not None and not run.paused and not run.forced:
            delay = table.jittered(run, ivl, self._jitter, self._rng) + extra_delay
            table.schedule(run, now + delay)
        else:
            table.due.unschedule(run)  # a listed copy said it finished: no poll is due
        table.arm_stale_for(run, ivl)
        for event in events:
            self._hub.emit(event)

    def _updated(
        self, run_id: str, new: Run, prev: Run | None, delta: LogDelta | None, at: datetime
    ) -> RunUpdated:
        return RunUpdated(run_id, new, prev, delta, at, self.assembler.provenance(run_id))

    def enrich(self, run: Watched) -> None:
        """Parts of the run came from another source (kept in the assembler): show the run
        with them, or with the line saying why they are not available. Not a poll: nothing
        is planned, the status stays the detail's."""
        prev = run.run
        if prev is None:
            return
        at = self._clock.now()
        new = self.assembler.fill(run.run_id, prev)
        run.run = new
        delta = self._table.logs.update(run.run_id, new.parsed_log)
        self._hub.emit(self._updated(run.run_id, new, prev, delta, at))

    def failure(
        self, run: Watched, error: NektError, *, current: bool, sent: float | None = None
    ) -> None:
        """The run's poll failed; `current`: it was sent with the source in use now."""
        gate, table = self._gate, self._table
        now, at = self._clock.monotonic(), self._clock.now()
        if isinstance(error, ApiUnreachableError):
            gate.connect_failed(error, now if sent is None else sent)
        else:
            events: list[Event] = []
            gate.answered(events, at)
            for event in events:
                self._hub.emit(event)
        if isinstance(error, SlowAnswerError):
            self._slow(run, error, now if sent is None else sent)
            return
        if isinstance(error, RateLimitedError):
            until = gate.block_for(error.retry_after)
            if not run.paused and not run.forced:
                table.schedule(run, until)
            return
        if isinstance(error, AuthenticationError):
            if not run.paused and not run.forced:
                table.schedule(run, now)  # polled again as soon as auth is fixed
            if current:
                gate.refuse(error)
            return
        run.last_error = error
        run.failures += 1
        if isinstance(error, RunNotFoundError):
            run.not_found = True
            run.stale = False
            run.stale_check = None
            self._hub.emit(PollFailed(run.run_id, error, None, at))
            return
        next_retry: datetime | None = None
        if not run.paused and not run.forced:
            base = table.interval_of(run) or table.interval
            delay = policy.backoff_delay(
                run.failures, base, self._jitter, self._rng, self._max_backoff
            )
            delay = max(delay, gate.host_until - now)  # nothing goes while the host is down
            table.schedule(run, now + delay)
            next_retry = at + timedelta(seconds=delay)
        self._hub.emit(PollFailed(run.run_id, error, next_retry, at))

    def _slow(self, run: Watched, error: SlowAnswerError, sent: float) -> None:
        """The run's answer did not come in time: say so once, ask again with patience."""
        now, at = self._clock.monotonic(), self._clock.now()
        run.last_error = error
        again = run.patient  # a patient request was too slow as well
        if not run.slow:
            run.slow, run.slow_since = True, wall(self._clock, sent)
            self._hub.emit(RunSlow(run.run_id, run.slow_since, at))
        run.patient = True
        if not run.paused and not run.forced:
            # At once the first time (its slot in the slow lane is the wait); after a
            # patient request timed out too, one interval on.
            ivl = self._table.interval_of(run) or self._table.interval
            self._table.schedule(
                run, now + (policy.jittered(ivl, self._jitter, self._rng) if again else 0)
            )


__all__ = ["Outcomes"]
