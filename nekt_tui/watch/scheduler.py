"""One asyncio poll scheduler for any number of runs, that never hammers the API.

A heap holds each run's next due time. `concurrency` long-lived worker tasks each poll a
run, then take the next due one themselves; a worker with nothing due parks. One
coordinator task sleeps on the injected clock until the earliest due time, staleness
check or end of a Retry-After window (or until a command wakes it) and hands parked
workers their runs. At most `concurrency` requests are in flight (fewer for a while after
a 429 or an auth fix: one first, then one more per success). A run is never polled twice
at once: its next poll is planned only when the previous one has finished. Per poll the
work is O(log n) heap bookkeeping plus the log delta; nothing walks all runs except
explicit bulk commands.

Events, in order, to the `on_event` callback (synchronous, on the loop) and to every
`events()` stream. Per successful poll: `RunUpdated` (only when the run differs from the
last one: first poll, new status, grown log, any changed field), then `StatusChanged` (old
is None on a run's first observation without a known last status), then
`Recovered("run")` if it had failed or was stale. `PollFailed` per failed poll except 429
(`RateLimited` once per window, `Recovered("rate_limit")` when it ends) and auth errors
(`AuthProblem` once until `retry_auth()`/`set_source()`; `Recovered("auth")` on the next
success). `RunStale` once per episode.

No request *starts* inside a Retry-After window (capped at `policy.MAX_RETRY_AFTER`, 10
minutes): a run taken by a worker just before a 429 came back is held, not sent. A run
whose answer did not come in time (`SlowAnswerError`) gets `RunSlow` once (not
`PollFailed`) and is asked again with `patient=True` in a slow lane of
`max(1, concurrency // 4)` slots, so slow answers never hold every slot; its next answer
ends it (`RunUpdated`, `Recovered("run")`). Connect failures on `policy.HOST_DOWN_AFTER`
(3) polls in a row with no answer between mean the host is down: `HostDown(until)`, no
request before `until` (2 s, doubling up to 60 s), then one probe; an answer gives
`Recovered("host")` and the pace ramps up again as after a 429. `refresh()` of every run
lets one request try at once inside either wait (and calls the source's
`clear_rate_limit()` if it has one).

Deterministic tests: drive the scheduler with `FakeClock`; `clock.advance()` settles the
event loop (runs it until nothing is ready) after each wake-up, so the requests it
starts are answered at that instant. `await scheduler.idle()` also returns once no request
is in flight and nothing more can happen until the clock moves (a request that itself
waits on the FakeClock, a simulated slow API, is in flight until the clock is advanced).
A source that answers without suspending (in memory) cannot keep the loop to itself: a
worker lets other tasks run after every `YIELD_EVERY` (4) such answers in a row.
"""

from __future__ import annotations

import random
from datetime import datetime
from types import TracebackType

from nekt_tui.api.enums import RunStatus, UnknownValue
from nekt_tui.api.errors import NektError
from nekt_tui.api.ids import validate_run_id
from nekt_tui.clock import Clock
from nekt_tui.watch import policy
from nekt_tui.watch.assemble import Assembler, Provenance
from nekt_tui.watch.bandwidth import Budget, Pacing
from nekt_tui.watch.dispatcher import Dispatcher
from nekt_tui.watch.engine import EventCallback, RunSource, positive_seconds, wall
from nekt_tui.watch.finder import Finder
from nekt_tui.watch.gate import Gate
from nekt_tui.watch.outcomes import Outcomes
from nekt_tui.watch.runstate import RunState
from nekt_tui.watch.stream import EventHub, EventStream
from nekt_tui.watch.sweep import Sweeper
from nekt_tui.watch.sweep_port import SweepPort
from nekt_tui.watch.table import RunTable


class Scheduler:
    """Polls watched runs adaptively and reports what happens as `Event`s, in order.

    `Scheduler(source, *, clock, interval=2.0, waiting_interval=5.0, concurrency=8,
    on_event=None, rng=None, jitter=0.1, max_backoff=60.0, default_retry_after=30.0,
    sweep=True, max_bandwidth=0)`. With `sweep`, a source that can also `list_runs`
    (`NektClient`) has pages of the run list stand in for the polls of the runs they list
    (see `sweep.py`). `max_bandwidth` (bytes/s, 0: none) paces runs whose answers are
    large (see `bandwidth.py`, and `pacing()`).

    A run answered in the flat shape is assembled from the run list, the sources and
    transformations lists and `expand[]=triggered_by` (`assemble.py`, `finder.py`);
    `RunUpdated.provenance` and `provenance(run_id)` say where each part came from.

    A facade: the run table holds the runs and what is due, the gate says when requests
    may go, the dispatcher's workers poll and hand answers to the outcomes, and the
    sweeper sees only a narrow `SweepHost` view of them.
    """

    def __init__(
        self,
        source: RunSource,
        *,
        clock: Clock,
        interval: float = 2.0,
        waiting_interval: float = 5.0,
        concurrency: int = 8,
        on_event: EventCallback | None = None,
        rng: random.Random | None = None,
        jitter: float = policy.DEFAULT_JITTER,
        max_backoff: float = policy.MAX_BACKOFF,
        default_retry_after: float = policy.DEFAULT_RETRY_AFTER,
        sweep: bool = True,
        max_bandwidth: float = 0,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        interval = positive_seconds("interval", interval)
        waiting_interval = positive_seconds("waiting_interval", waiting_interval)
        self._clock = clock
        self._rng = rng or random.Random()
        self._jitter = jitter
        self._hub = EventHub(on_event)
        self._table = RunTable(
            clock, self._hub, interval=interval, waiting_interval=waiting_interval
        )
        if max_bandwidth:
            self._table.budget = Budget(max_bandwidth, clock.monotonic, base=interval)
        self._gate = Gate(
            clock, self._hub, concurrency=concurrency, default_retry_after=default_retry_after
        )
        outcomes = Outcomes(
            self._table,
            self._gate,
            clock,
            rng=self._rng,
            jitter=jitter,
            max_backoff=max_backoff,
            assembler=Assembler(),
        )
        self._outcomes = outcomes
        self._dispatcher = Dispatcher(source, self._table, self._gate, outcomes, clock)
        port = SweepPort(self._table, self._gate, outcomes, self._dispatcher, clock)
        self._finder = Finder(port, outcomes.assembler, monotonic=clock.monotonic, now=clock.now)
        self._sweeper = Sweeper(port, clock, enabled=sweep, finder=self._finder)
        if sweep:
            outcomes.assembler.on_want = self._sweeper.wake_finder

    # ---- lifecycle ---------------------------------------------------------------------

    def start(self) -> None:
        """Start the poll workers (on the running loop). Calling it twice is harmless."""
        if self._dispatcher.closed:
            raise RuntimeError("the scheduler is closed")
        if self._dispatcher.start():
            self._sweeper.start()

    async def aclose(self) -> None:
        """Stop polling, drop requests in flight and end every `events()` stream."""
        if self._dispatcher.closed:
            return
        await self._dispatcher.stop(self._sweeper.task)
        self._hub.close()
        self._dispatcher.release_idle()

    async def __aenter__(self) -> Scheduler:
        self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def idle(self) -> None:
        """Wait until no request is in flight and nothing more happens before time moves."""
        await self._dispatcher.wait_idle()

    def events(self) -> EventStream:
        """A new async iterator over every event from now on (ends when the scheduler closes)."""
        return self._hub.subscribe()

    # ---- what is watched ---------------------------------------------------------------

    def watch(
        self,
        run_id: str,
        last_status: RunStatus | UnknownValue | str | None = None,
        *,
        poll_terminal: bool = True,
    ) -> None:
        """Start watching a run (no-op if watched). Raises `InvalidRunIdError` for a non-UUID.

        `last_status` (e.g. from the watch list) is the `old` of the first `StatusChanged`.
        A run whose `last_status` is terminal is fetched once for its details, or not at
        all with `poll_terminal=False` (then only `refresh()` fetches it).
        """
        rid = validate_run_id(run_id)
        table = self._table
        if rid in table:
            return
        now = self._clock.monotonic()
        run = table.add(rid, policy.to_status(last_status), now)
        if not poll_terminal and policy.is_terminal(run.hint):
            table.plan_first(run, None)
            return
        # A few runs are polled at once (the concurrency bound spaces them); many
        # watched together are spread over up to one interval so they do not stay in
        # lock-step. jitter=0 turns every random delay off, for tests of exact times.
        delay = 0.0
        waiting = table.unpolled + 1
        if self._jitter > 0 and waiting > self._gate.concurrency:
            spread = min(table.interval, policy.FIRST_POLL_SPREAD * waiting)
            delay = self._rng.uniform(0.0, spread)
        table.plan_first(run, now + delay)

    def unwatch(self, run_id: str) -> None:
        """Stop watching a run; an answer still in flight for it is ignored."""
        self._table.remove(run_id)
        self._outcomes.assembler.forget(run_id)
        self._finder.forget(run_id)

    def provenance(self, run_id: str) -> Provenance | None:
        """Where the run's log, pipeline and user came from and when, or why each is not
        available (the same as the last `RunUpdated.provenance`); None before any answer."""
        return self._outcomes.assembler.provenance(run_id)

    @property
    def list_problem(self) -> str | None:
        """Why the run list is not used (refused for the key, missing), or None."""
        return self._sweeper.list_problem

    @property
    def finder_pages(self) -> int:
        """Pages of the run list fetched to find what flat details lack, so far."""
        return self._finder.pages_fetched

    def __contains__(self, run_id: object) -> bool:
        return run_id in self._table

    def __len__(self) -> int:
        return len(self._table)

    @property
    def watched(self) -> tuple[str, ...]:
        """The watched run IDs, in the order they were watched."""
        return tuple(self._table)

    def state(self, run_id: str) -> RunState:
        """A snapshot of what is known about a watched run. Raises KeyError if not watched."""
        run = self._table.runs[run_id]
        return RunState(
            run_id=run.run_id,
            run=run.run,
            status=run.status,
            last_success=run.last_success,
            last_error=run.last_error,
            failures=run.failures,
            paused=run.paused,
            not_found=run.not_found,
            stale=run.stale,
            in_flight=run.in_flight,
            next_due=None if run.due is None else wall(self._clock, run.due),
            slow=run.slow,
            slow_since=run.slow_since,
        )

    def pacing(self, run_id: str) -> Pacing | None:
        """How the bandwidth budget paces a watched run (its answer's size and how often it
        is polled); None when it is polled at its interval (or not watched)."""
        budget, run = self._table.budget, self._table.get(run_id)
        if budget is None or run is None:
            return None
        base = policy.status_interval(run.status, self.interval, self.waiting_interval)
        return budget.pacing(run_id, base)

    # ---- global state -----------------------------------------------------------------

    @property
    def source(self) -> RunSource:
        """Where runs are fetched from."""
        return self._dispatcher.source

    @property
    def concurrency(self) -> int:
        """The most requests ever in flight at once."""
        return self._gate.concurrency

    @property
    def in_flight(self) -> int:
        """Requests in flight right now."""
        return self._dispatcher.in_flight

    @property
    def paused(self) -> bool:
        """True while everything is paused by `pause()`."""
        return self._table.paused_all

    @property
    def polls_saved(self) -> int:
        """Polls of single runs that pages of the run list stood in for, so far."""
        return self._sweeper.polls_saved

    @property
    def rate_limited_until(self) -> datetime | None:
        """The end of the current Retry-After window, or None."""
        if self._clock.monotonic() >= self._gate.blocked_until:
            return None
        return wall(self._clock, self._gate.blocked_until)

    @property
    def host_down_until(self) -> datetime | None:
        """While the host is held as unreachable: when the next probe may go, else None."""
        if not self._gate.host_down:
            return None
        return wall(self._clock, max(self._gate.host_until, self._clock.monotonic()))

    @property
    def auth_error(self) -> NektError | None:
        """The authentication error that stopped polling, or None."""
        return self._gate.auth_error

    @property
    def interval(self) -> float:
        """Seconds between polls of an active (or unknown-status) run."""
        return self._table.interval

    @interval.setter
    def interval(self, seconds: float) -> None:
        self._table.set_intervals(
            positive_seconds("interval", seconds), self._table.waiting_interval
        )

    @property
    def waiting_interval(self) -> float:
        """Seconds between polls of a waiting (`pending_events`, `queued`) run."""
        return self._table.waiting_interval

    @waiting_interval.setter
    def waiting_interval(self, seconds: float) -> None:
        self._table.set_intervals(
            self._table.interval, positive_seconds("waiting_interval", seconds)
        )

    # ---- commands ---------------------------------------------------------------------

    def pause(self, run_id: str | None = None) -> None:
        """Pause one run, or everything (a request in flight still completes)."""
        self._table.pause(run_id)

    def resume(self, run_id: str | None = None) -> None:
        """Resume one run (polled now) or everything (overdue runs polled first)."""
        self._table.resume(run_id)

    def refresh(self, run_id: str | None = None) -> None:
        """Poll one run, or every run, now: even terminal, not-found, paused or backing off.

        Refreshing every run also lets one request try inside a Retry-After window or
        while the host is held as down (a 429 or a failure sets the wait again).
        """
        table = self._table
        if run_id is None:
            # The source forgets its own Retry-After window too.
            clear = getattr(self._dispatcher.source, "clear_rate_limit", None)
            if callable(clear):
                clear()
            self._gate.force_try(self._clock.monotonic())
        targets = table.runs.values() if run_id is None else (table.runs[run_id],)
        for run in targets:
            table.force(run)
        self._dispatcher.wake()

    def retry_auth(self) -> None:
        """After an authentication problem, try again (one request first)."""
        if self._gate.retry_auth():
            self._dispatcher.wake()

    def set_source(self, source: RunSource) -> None:
        """Fetch from a new source (e.g. a client with a fixed key) and retry if blocked."""
        self._dispatcher.source = source
        self.retry_auth()


__all__ = ["EventCallback", "RunSource", "Scheduler"]
