"""The dispatcher: `concurrency` long-lived workers and one coordinator that poll runs.

A worker polls a run, then takes the next due one itself; one with nothing due parks on a
future until the coordinator hands it a run. The coordinator sleeps on the injected clock
until the next due time, staleness check or end of a Retry-After window, or until a
command wakes it. Slots are counted here (the gate says how many may be out); slow runs
wait for one of the slow lane's few slots. The status sweep borrows slots too
(`try_slot`, `slot_freed`, `release_slot`).
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from nekt_tui.clock import Clock
from nekt_tui.watch.engine import RunSource, as_nekt_error, earliest
from nekt_tui.watch.gate import Gate
from nekt_tui.watch.lane import SlowLane
from nekt_tui.watch.outcomes import Outcomes
from nekt_tui.watch.runstate import Watched
from nekt_tui.watch.table import RunTable

if TYPE_CHECKING:
    from nekt_tui.api.models import Run

log = logging.getLogger(__name__)

#: A worker lets the event loop run other tasks after this many polls in a row that
#: were answered without suspending.
YIELD_EVERY = 4


class Dispatcher:
    """The tasks that poll, and the request slots they share (see the module docstring)."""

    def __init__(
        self, source: RunSource, table: RunTable, gate: Gate, outcomes: Outcomes, clock: Clock
    ) -> None:
        self.source = source
        self.closed = False
        #: Requests in flight (the sweep's included).
        self.in_flight = 0
        self._table = table
        self._gate = gate
        self._outcomes = outcomes
        self._clock = clock
        self._concurrency = gate.concurrency
        self._lane = SlowLane(gate.concurrency)
        self._wake = asyncio.Event()
        self._timer: asyncio.Task[None] | None = None
        self._timer_at: float | None = None
        self._parked = False
        self._idle_waiters: list[asyncio.Future[None]] = []
        self._coordinator: asyncio.Task[None] | None = None
        self._workers: list[asyncio.Task[None]] = []
        self._idle: list[asyncio.Future[Watched]] = []  # parked workers wait on these
        self._ticks = 0
        self._tick_pending = False
        #: Set while the sweep waits for a request slot: workers take none meanwhile.
        self._sweep_slot: asyncio.Future[None] | None = None
        #: The finder was woken and has not finished its turn: not idle (`idle()` would
        #: otherwise return between a flat answer and the list request it calls for).
        self.finder_busy = False
        table.waker = self

    # ---- lifecycle ---------------------------------------------------------------------

    def start(self) -> bool:
        """Start the coordinator and workers on the running loop; False if already started."""
        if self._coordinator is not None:
            return False
        loop = asyncio.get_running_loop()
        self._coordinator = loop.create_task(self._coordinate())
        self._workers = [loop.create_task(self.work()) for _ in range(self._concurrency)]
        return True

    async def stop(self, *others: asyncio.Task[None] | None) -> None:
        """Close: cancel every task (and `others`) and wait for them to end."""
        self.closed = True
        tasks = (self._coordinator, self._timer, *others, *self._workers)
        pending = [t for t in tasks if t is not None]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    async def wait_idle(self) -> None:
        """Wait until no request is in flight and nothing more happens before time moves."""
        while not self.is_idle():
            fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._idle_waiters.append(fut)
            await fut

    def is_idle(self) -> bool:
        """Nothing is in flight and nothing more happens before the clock moves."""
        if self._coordinator is None or self.closed:
            return True
        return (
            self._parked
            and not self._wake.is_set()
            and self.in_flight == 0
            and not self.finder_busy
            and len(self._idle) == len(self._workers)
        )

    def release_idle(self) -> None:
        """Wake whoever waits in `wait_idle`."""
        waiters, self._idle_waiters = self._idle_waiters, []
        for fut in waiters:
            if not fut.done():
                fut.set_result(None)

    # ---- the table's waker -------------------------------------------------------------

    def due_moved(self) -> None:
        """A run became the earliest due one: a parked worker may have to wake for it."""
        if self._idle:
            # Busy workers look at the queue themselves when their poll is done.
            self._wake.set()

    def wake(self) -> None:
        """Have the coordinator look at everything again now."""
        self._wake.set()

    # ---- slots -------------------------------------------------------------------------

    def may_start(self, now: float) -> bool:
        """May a request be sent now? Checked when a run is taken and again just before
        it is sent: a 429 may have come back in between."""
        return not self.closed and self._gate.is_open(now)

    def _take(self, now: float) -> Watched | None:
        """The next run to poll now, marked in flight; None when none may go now."""
        table = self._table
        if self._gate.rate_limited:
            self._gate.end_window(now)
        if (
            not self.may_start(now)
            or self.in_flight >= self._gate.limit
            or self._sweep_slot is not None  # the next free slot is the sweep's
        ):
            return None
        while True:
            run = table.next_forced()
            urgent = run is not None
            if run is None:
                if table.paused_all:
                    return None
                run = self._lane.next_waiting(table.runs)
                if run is None:
                    run = table.due.pop_due(now)
                    if run is None:
                        return None
            if run.in_flight:
                continue  # its answer is on the way and plans the next poll
            if run.run_id in table.busy:
                # Unwatched and watched again while the old request is still out: wait for
                # it, so one run never has two requests in flight.
                run.deferred = True
                continue
            if run.patient and not self._lane.enter(run):
                continue  # the slow lane is full: it waits there, the others go on
            run.in_flight = True
            run.urgent = urgent
            self.in_flight += 1
            table.busy.add(run.run_id)
            return run

    def _release(self, run: Watched, lane: bool) -> None:
        """Its request is over (or was never sent): free its slot."""
        run.in_flight = False
        self.in_flight -= 1
        if lane:
            self._lane.leave()
        if self._sweep_slot is not None and not self._sweep_slot.done():
            self._sweep_slot.set_result(None)
        self._table.busy.discard(run.run_id)

    def _put_back(self, run: Watched, lane: bool) -> None:
        """A run taken but not sent, because no request may start now: plan it again."""
        self._release(run, lane)
        if self._table.get(run.run_id) is not run or self.closed:
            return
        if run.urgent:
            run.forced = True
            self._table.forced.appendleft(run.run_id)
        elif not run.paused:
            self._table.schedule(run, self._clock.monotonic())

    def _fill_idle(self, now: float) -> None:
        """Hand runs that may go now to parked workers."""
        idle = self._idle
        while idle:
            if idle[-1].done():  # its worker was cancelled: it takes nothing more
                idle.pop()
                continue
            run = self._take(now)
            if run is None:
                return
            idle.pop().set_result(run)

    def _idle_wake_time(self, now: float) -> float | None:
        """When a parked worker could next have something to do (None: only on a command)."""
        if (
            self._gate.auth_error is not None
            or self.in_flight >= self._gate.limit
            or self._sweep_slot is not None
        ):
            return None  # a command, an answer in flight, or the sweep's end changes that
        hold = self._gate.hold_until()
        if now < hold:
            return hold
        return None if self._table.paused_all else self._table.due.next_due()

    # ---- the tasks ---------------------------------------------------------------------

    async def work(self) -> None:
        """One of `concurrency` long-lived pollers: poll a run, take the next due one, repeat.

        A worker that finds nothing due parks until the coordinator hands it a run. One
        task per worker rather than per poll: creating a task per request cost as much as
        the HTTP client's own work (benchmarks, figure 1).
        """
        loop = asyncio.get_running_loop()
        run: Watched | None = None
        parked: asyncio.Future[Watched] | None = None
        streak = 0  # polls in a row that did not let the loop run
        while True:
            try:
                if run is None:
                    parked = loop.create_future()
                    self._idle.append(parked)
                    self.went_idle()
                    run = await parked
                    parked = None
                    streak = 0
                ticks = self._ticks
                if not self._tick_pending:
                    self._tick_pending = True
                    loop.call_soon(self._tick)  # runs only if something lets the loop run
                # `run` is None while its poll is under way: if anything below fails, a
                # run taken (marked in flight) is kept for the next turn, never dropped.
                polling, run = run, None
                await self._poll(polling, self.source)
                now = self._clock.monotonic()
                run = self._take(now)
                if run is not None and self._idle:
                    self._fill_idle(now)  # e.g. a success raised the limit after a 429
                if ticks != self._ticks:
                    streak = 0  # the request waited for I/O: other tasks ran meanwhile
                else:
                    streak += 1
                    if streak >= YIELD_EVERY:
                        # A source that answers without suspending (in memory) would keep
                        # the loop through every due run. Not after every poll: an extra
                        # loop turn per HTTP request cost 15 % more CPU per poll.
                        streak = 0
                        await asyncio.sleep(0)
            except asyncio.CancelledError:
                raise
            except Exception:  # a bug here must not stop this worker for good
                log.exception("poll worker failed; continuing in 1 s")
                if parked is not None:  # failed while parking: nobody may hand it a run
                    if parked in self._idle:
                        self._idle.remove(parked)
                    elif parked.done():
                        run = parked.result()
                    parked = None
                await self._clock.sleep(1.0)

    def _tick(self) -> None:
        """Counts turns of the event loop that workers were part of (see `work`)."""
        self._ticks += 1
        self._tick_pending = False

    def went_idle(self) -> None:
        """A worker parked: make sure the coordinator wakes it in time, or report idleness."""
        if not self._parked or self._wake.is_set():
            return  # the coordinator is about to look anyway
        at = self._idle_wake_time(self._clock.monotonic())
        if at is not None and (self._timer_at is None or at < self._timer_at):
            self._wake.set()
        elif self._idle_waiters and self.is_idle():
            self.release_idle()

    async def _coordinate(self) -> None:
        while True:
            try:
                await self._coordinate_once()
            except asyncio.CancelledError:
                raise
            except Exception:  # a bug here must not stop all polling for good
                log.exception("poll coordinator failed; continuing in 1 s")
                await self._clock.sleep(1.0)

    async def _coordinate_once(self) -> None:
        """Staleness checks, the end of a Retry-After window, and work for parked workers.

        Busy workers take their next run themselves, so this task wakes only for a
        timer or a command, not per poll.
        """
        self._wake.clear()
        now = self._clock.monotonic()
        wake_at = self._table.check_stale(now)
        self._gate.end_window(now)
        hold = self._gate.hold_until()
        if now < hold:
            wake_at = earliest(wake_at, hold)
        if self._idle:
            self._fill_idle(now)
            if self._idle:
                wake_at = earliest(wake_at, self._idle_wake_time(now))
        await self._park(wake_at)

    async def _park(self, until: float | None) -> None:
        self._set_timer(until)
        self._parked = True
        if self._idle_waiters and self.is_idle():
            self.release_idle()
        try:
            await self._wake.wait()
        finally:
            self._parked = False

    def _set_timer(self, until: float | None) -> None:
        if self._timer is not None and not self._timer.done():
            if until == self._timer_at:
                return
            self._timer.cancel()
        self._timer, self._timer_at = None, until
        if until is not None:
            self._timer = asyncio.get_running_loop().create_task(self._alarm(until))

    async def _alarm(self, until: float) -> None:
        await self._clock.sleep(until - self._clock.monotonic())
        self._timer_at = None
        self._wake.set()

    async def _poll(self, run: Watched, source: RunSource) -> None:
        lane = run.patient  # as when it was taken: it holds a slot of the slow lane
        sent = self._clock.monotonic()
        if not self.may_start(sent) or self._table.get(run.run_id) is not run:
            # Taken before a 429 (or a refused key, or the host found down) came back
            # and not sent yet: it waits with the others (issue 12.7).
            self._put_back(run, lane)
            return
        run.urgent = False
        result: Run | None = None
        error: BaseException | None = None
        try:
            if lane:
                result = await source.get_run(run.run_id, patient=True)
            else:
                result = await source.get_run(run.run_id)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # every failure becomes an event, never a crash
            error = exc
        finally:
            self._release(run, lane)
        current = self._table.get(run.run_id)
        if current is not run or self.closed:
            if current is not None and current.deferred and not self.closed:
                current.deferred = False
                self._table.schedule(current, self._clock.monotonic())
            return
        self._table.polled(run)
        if self._table.budget is not None:  # before the next poll is planned
            self._table.budget.answered(run.run_id, source)
        try:
            if result is not None:
                self._outcomes.success(run, result, sent=sent)
            else:
                failure = as_nekt_error(error)
                self._outcomes.failure(run, failure, current=source is self.source, sent=sent)
        except Exception:
            log.exception("handling the poll of %s failed", run.run_id)

    # ---- slots the status sweep borrows -----------------------------------------------

    def try_slot(self) -> bool:
        """Take a request slot if one is free now."""
        if self.in_flight < self._gate.limit:
            self.in_flight += 1
            return True
        return False

    async def slot_freed(self) -> None:
        """Wait until a request's slot is freed; workers take none meanwhile."""
        self._sweep_slot = asyncio.get_running_loop().create_future()
        try:
            await self._sweep_slot  # a poll's answer frees a slot
        finally:
            self._sweep_slot = None

    def finder_done(self) -> None:
        """The finder's turn ended."""
        self.finder_busy = False
        if self._idle_waiters and self.is_idle():
            self.release_idle()

    def release_slot(self) -> None:
        """Give back a slot taken with `try_slot`."""
        self.in_flight -= 1
        if self._idle:
            self._wake.set()  # workers that parked while the sweep had their slot
        if self._idle_waiters and self.is_idle():
            self.release_idle()


__all__ = ["YIELD_EVERY", "Dispatcher"]
