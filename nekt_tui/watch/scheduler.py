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

import asyncio
from datetime import datetime
from types import TracebackType

from nekt_tui.api.enums import RunStatus, UnknownValue
from nekt_tui.api.errors import NektError
from nekt_tui.api.ids import validate_run_id
from nekt_tui.watch import policy
from nekt_tui.watch.engine import EventCallback, RunSource, positive_seconds
from nekt_tui.watch.runstate import RunState, Watched
from nekt_tui.watch.stream import EventStream
from nekt_tui.watch.sweep import Sweeper


class Scheduler(Sweeper):
    """Polls watched runs adaptively and reports what happens as `Event`s, in order.

    `Scheduler(source, *, clock, interval=2.0, waiting_interval=5.0, concurrency=8,
    on_event=None, rng=None, jitter=0.1, max_backoff=60.0, default_retry_after=30.0,
    sweep=True)`. With `sweep`, a source that can also `list_runs` (`NektClient`) has pages
    of the run list stand in for the polls of the runs they list (see `sweep.py`).
    """

    # ---- lifecycle ---------------------------------------------------------------------

    def start(self) -> None:
        """Start the poll workers (on the running loop). Calling it twice is harmless."""
        if self._closed:
            raise RuntimeError("the scheduler is closed")
        if self._coordinator is None:
            loop = asyncio.get_running_loop()
            self._coordinator = loop.create_task(self._coordinate())
            self._workers = [loop.create_task(self._work()) for _ in range(self._concurrency)]
            self._start_sweep()

    async def aclose(self) -> None:
        """Stop polling, drop requests in flight and end every `events()` stream."""
        if self._closed:
            return
        self._closed = True
        tasks = (self._coordinator, self._timer, self._sweeper, *self._workers)
        pending = [t for t in tasks if t is not None]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        self._hub.close()
        self._release_idle()

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
        while not self._is_idle():
            fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._idle_waiters.append(fut)
            await fut

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
        if rid in self._runs:
            return
        now = self._clock.monotonic()
        run = Watched(rid, policy.to_status(last_status), now)
        self._runs[rid] = run
        if poll_terminal or not policy.is_terminal(run.hint):
            self._unpolled += 1
            # A few runs are polled at once (the concurrency bound spaces them); many
            # watched together are spread over up to one interval so they do not stay in
            # lock-step. jitter=0 turns every random delay off, for tests of exact times.
            delay = 0.0
            if self._jitter > 0 and self._unpolled > self._concurrency:
                spread = min(self._interval, policy.FIRST_POLL_SPREAD * self._unpolled)
                delay = self._rng.uniform(0.0, spread)
            self._schedule(run, now + delay)
        else:
            run.unpolled = False
        self._arm_stale(run)

    def unwatch(self, run_id: str) -> None:
        """Stop watching a run; an answer still in flight for it is ignored."""
        run = self._runs.pop(run_id, None)
        if run is None:
            return
        self._due.unschedule(run)
        run.stale_check = None
        if run.unpolled:
            self._unpolled -= 1
        self._logs.forget(run_id)

    def __contains__(self, run_id: object) -> bool:
        return run_id in self._runs

    def __len__(self) -> int:
        return len(self._runs)

    @property
    def watched(self) -> tuple[str, ...]:
        """The watched run IDs, in the order they were watched."""
        return tuple(self._runs)

    def state(self, run_id: str) -> RunState:
        """A snapshot of what is known about a watched run. Raises KeyError if not watched."""
        run = self._runs[run_id]
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
            next_due=None if run.due is None else self._wall(run.due),
            slow=run.slow,
            slow_since=run.slow_since,
        )

    # ---- global state -----------------------------------------------------------------

    @property
    def source(self) -> RunSource:
        """Where runs are fetched from."""
        return self._source

    @property
    def concurrency(self) -> int:
        """The most requests ever in flight at once."""
        return self._concurrency

    @property
    def in_flight(self) -> int:
        """Requests in flight right now."""
        return self._in_flight

    @property
    def paused(self) -> bool:
        """True while everything is paused by `pause()`."""
        return self._paused_all

    @property
    def rate_limited_until(self) -> datetime | None:
        """The end of the current Retry-After window, or None."""
        if self._clock.monotonic() >= self._blocked_until:
            return None
        return self._wall(self._blocked_until)

    @property
    def host_down_until(self) -> datetime | None:
        """While the host is held as unreachable: when the next probe may go, else None."""
        if not self._host_down:
            return None
        return self._wall(max(self._host_until, self._clock.monotonic()))

    @property
    def auth_error(self) -> NektError | None:
        """The authentication error that stopped polling, or None."""
        return self._auth_error

    @property
    def interval(self) -> float:
        """Seconds between polls of an active (or unknown-status) run."""
        return self._interval

    @interval.setter
    def interval(self, seconds: float) -> None:
        self._set_intervals(positive_seconds("interval", seconds), self._waiting_interval)

    @property
    def waiting_interval(self) -> float:
        """Seconds between polls of a waiting (`pending_events`, `queued`) run."""
        return self._waiting_interval

    @waiting_interval.setter
    def waiting_interval(self, seconds: float) -> None:
        self._set_intervals(self._interval, positive_seconds("waiting_interval", seconds))

    # ---- commands ---------------------------------------------------------------------

    def pause(self, run_id: str | None = None) -> None:
        """Pause one run, or everything (a request in flight still completes)."""
        if run_id is None:
            self._paused_all = True
            return
        run = self._runs[run_id]
        run.paused = True
        self._due.unschedule(run)
        run.stale_check = None

    def resume(self, run_id: str | None = None) -> None:
        """Resume one run (polled now) or everything (overdue runs polled first)."""
        now = self._clock.monotonic()
        if run_id is None:
            if self._paused_all:
                self._paused_all = False
                self._resumed_at = now
                self._wake.set()
            return
        run = self._runs[run_id]
        if not run.paused:
            return
        run.paused = False
        run.baseline = now
        if not run.in_flight and not run.not_found and not policy.is_terminal(run.status):
            self._schedule(run, now)
        self._arm_stale(run)

    def refresh(self, run_id: str | None = None) -> None:
        """Poll one run, or every run, now: even terminal, not-found, paused or backing off.

        Refreshing every run also lets one request try inside a Retry-After window or
        while the host is held as down (a 429 or a failure sets the wait again).
        """
        if run_id is None:
            self._force_try()
        targets = self._runs.values() if run_id is None else (self._runs[run_id],)
        for run in targets:
            if run.in_flight or run.forced:
                continue  # the answer on its way is fresh enough
            self._due.unschedule(run)
            run.forced = True
            self._forced.append(run.run_id)
        self._wake.set()

    def retry_auth(self) -> None:
        """After an authentication problem, try again (one request first)."""
        if self._auth_error is not None:
            self._auth_error = None
            self._auth_probe = True
            self._limit = 1
            self._wake.set()

    def set_source(self, source: RunSource) -> None:
        """Fetch from a new source (e.g. a client with a fixed key) and retry if blocked."""
        self._source = source
        self.retry_auth()


__all__ = ["EventCallback", "RunSource", "Scheduler"]
