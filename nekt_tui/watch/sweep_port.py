"""The narrow view of the engine the sweeper gets (`sweep.SweepHost`).

Split from `scheduler.py`, which builds one: slots from the dispatcher, holds from the
gate, runs from the table, and a listed run's copy counted as its poll (`outcomes`).
"""

from __future__ import annotations

from nekt_tui.api.models import Run
from nekt_tui.clock import Clock
from nekt_tui.watch.assemble import RUN_LIST
from nekt_tui.watch.dispatcher import Dispatcher
from nekt_tui.watch.gate import Gate
from nekt_tui.watch.outcomes import Outcomes
from nekt_tui.watch.runstate import Watched
from nekt_tui.watch.table import RunTable


class SweepPort:
    """The narrow view of the engine the sweeper gets (`sweep.SweepHost`)."""

    def __init__(
        self,
        table: RunTable,
        gate: Gate,
        outcomes: Outcomes,
        dispatcher: Dispatcher,
        clock: Clock,
    ) -> None:
        self._clock = clock
        self.enrich = outcomes.enrich
        self.detail_answer = outcomes.assembler.detail_answer
        self._table = table
        self._gate = gate
        self._outcomes = outcomes
        self._dispatcher = dispatcher
        self.try_slot = dispatcher.try_slot
        self.slot_freed = dispatcher.slot_freed
        self.wake = dispatcher.wake
        self.block_for = gate.block_for
        self.refuse = gate.refuse
        self.watched = table.get
        self.sweep_candidates = table.candidates

    @property
    def source(self) -> object:
        """The run source in use."""
        return self._dispatcher.source

    @property
    def interval(self) -> float:
        """Seconds between polls of an active run."""
        return self._table.interval

    @property
    def closed(self) -> bool:
        """The engine is closed."""
        return self._dispatcher.closed

    def release_slot(self) -> None:
        """A page has ended: give its slot back, and its bytes to the budget."""
        self._dispatcher.release_slot()
        budget = self._table.budget
        if budget is not None:
            budget.listed(self._dispatcher.source, self._table.interval)

    def sweep_allowed(self, now: float) -> bool:
        """Not while closed, paused, refused, held back by a Retry-After window or the
        host found down, nor while ramping up after those (runs first), nor before the
        bandwidth budget allows a large page again."""
        gate = self._gate
        budget = self._table.budget
        if budget is not None and not budget.sweep_allowed(now):
            return False
        return not (
            self._dispatcher.closed
            or self._table.paused_all
            or gate.auth_error is not None
            or now < gate.hold_until()
            or gate.ramping
        )

    def stand_in(self, run: Watched, listed: Run, extra_delay: float) -> None:
        """The listed copy counts as the run's poll."""
        self._outcomes.success(run, listed, extra_delay=extra_delay, source=RUN_LIST)

    def finder_busy(self, busy: bool) -> None:
        """The finder was woken (True) or ended its turn (False): `idle()` waits for it."""
        if busy:
            self._dispatcher.finder_busy = True
        else:
            self._dispatcher.finder_done()

    async def take_slot(self) -> bool:
        """Wait for a request slot; False when no list request may go now."""
        while True:
            if not self.sweep_allowed(self._clock.monotonic()):
                self.wake()
                return False
            if self.try_slot():
                return True
            await self.slot_freed()


__all__ = ["SweepPort"]
