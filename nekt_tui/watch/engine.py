"""The machinery under `Scheduler`: its state, timing rules and what each poll's outcome does.

The tasks that poll are in `workers.py`. Split from `scheduler.py` so that file reads as
the public API; nothing here is public.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

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
from nekt_tui.watch.events import (
    AuthProblem,
    Event,
    HostDown,
    PollFailed,
    RateLimited,
    Recovered,
    RunSlow,
    RunStale,
    RunUpdated,
    StatusChanged,
)
from nekt_tui.watch.log_delta import LogTracker
from nekt_tui.watch.queues import DueQueue, StaleQueue
from nekt_tui.watch.runstate import Watched
from nekt_tui.watch.stream import EventHub

if TYPE_CHECKING:
    from nekt_tui.api.models import Run
    from nekt_tui.watch.sweep import PageRecord

log = logging.getLogger(__name__)


class RunSource(Protocol):
    """Where runs come from: `NektClient`, or any object with the same `get_run`.

    A source may also have `clear_rate_limit()` (forget its own Retry-After window): the
    engine calls it when the user refreshes everything, so that one request tries.
    """

    async def get_run(self, run_id: str, *, patient: bool = False) -> Run:
        """Fetch one run, raising `nekt_tui.api.errors` errors. `SlowAnswerError` when the
        answer did not come in time; `patient=True` waits much longer for it."""
        ...


EventCallback = Callable[[Event], None]


class PollEngine:
    """State of the scheduler and poll outcomes; `PollWorkers` adds the tasks that poll."""

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
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self._source = source
        self._clock = clock
        self._interval = positive_seconds("interval", interval)
        self._waiting_interval = positive_seconds("waiting_interval", waiting_interval)
        self._concurrency = concurrency
        self._rng = rng or random.Random()
        self._jitter = jitter
        self._max_backoff = max_backoff
        self._default_retry_after = default_retry_after
        self._hub = EventHub(on_event)
        self._logs = LogTracker()
        self._runs: dict[str, Watched] = {}
        self._due = DueQueue()
        self._stale = StaleQueue()
        self._forced: deque[str] = deque()
        #: Slow runs waiting for one of the slow lane's slots (lazy: see `_next_in_lane`).
        self._lane: deque[Watched] = deque()
        self._lane_slots = policy.slow_lane_slots(concurrency)
        self._lane_in_flight = 0
        self._unpolled = 0
        self._in_flight = 0
        self._busy: set[str] = set()  # run IDs with a request in flight
        self._limit = concurrency  # lowered after a 429 or an auth fix, then ramped up
        self._paused_all = False
        self._resumed_at = float("-inf")
        self._blocked_until = float("-inf")
        self._rate_limited = False
        # The host itself unreachable (`HostDown`): no request before `_host_until`.
        self._unreachable = 0  # connect failures in a row, across runs
        self._host_down = False
        self._host_level = 0
        self._host_until = float("-inf")
        self._auth_error: NektError | None = None
        self._auth_probe = False
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
        self._closed = False
        # The status sweep (sweep.py).
        self._sweep_enabled = sweep
        self._sweeper: asyncio.Task[None] | None = None
        #: Set while the sweep waits for a request slot: workers take none meanwhile.
        self._sweep_slot: asyncio.Future[None] | None = None
        self._sweep_pages: dict[int, PageRecord] = {}
        self._sweep_failures = 0
        self._polls_saved = 0

    # ---- scheduling internals ---------------------------------------------------------

    def _wall(self, mono: float) -> datetime:
        return self._clock.now() + timedelta(seconds=mono - self._clock.monotonic())

    def _hold_until(self) -> float:
        """No request starts before this (a Retry-After window, or the host found down)."""
        return max(self._blocked_until, self._host_until)

    def _may_start(self, now: float) -> bool:
        """May a request be sent now? Checked when a run is taken and again just before
        it is sent: a 429 may have come back in between."""
        return (
            not self._closed
            and self._auth_error is None
            and now >= self._blocked_until
            and now >= self._host_until
        )

    def _interval_of(self, run: Watched) -> float | None:
        return policy.status_interval(run.status, self._interval, self._waiting_interval)

    def _schedule(self, run: Watched, due: float) -> None:
        if self._due.schedule(run, due) and self._idle:
            # A parked worker may be waiting on a later timer; busy workers look at the
            # queue themselves when their poll is done.
            self._wake.set()

    def _stale_deadline(self, run: Watched) -> float | None:
        ivl = self._interval_of(run)
        if ivl is None or run.paused or run.not_found:
            return None
        return max(run.baseline, self._resumed_at) + policy.STALE_FACTOR * ivl

    def _arm_stale(self, run: Watched) -> None:
        """Make sure a staleness check is pending no later than the run's deadline."""
        deadline = self._stale_deadline(run)
        if deadline is not None and self._stale.arm(run, deadline):
            self._wake.set()

    def _set_intervals(self, interval: float, waiting_interval: float) -> None:
        old = (self._interval, self._waiting_interval)
        self._interval, self._waiting_interval = interval, waiting_interval
        if old == (interval, waiting_interval):
            return
        now = self._clock.monotonic()
        for run in self._runs.values():
            self._arm_stale(run)
            if run.due is None or run.failures or run.forced or run.unpolled:
                continue
            ivl = self._interval_of(run)
            if ivl is None:
                continue
            # Keep the time already waited: a run due in 4 s of a 5 s interval that is now
            # 1 s becomes due at once; one due in 1 s of 2 s that becomes 10 s waits 9 s more.
            was = policy.status_interval(run.status, *old) or ivl
            self._schedule(run, max(now, run.due + (ivl - was)))
        self._wake.set()

    def _next_forced(self) -> Watched | None:
        while self._forced:
            run = self._runs.get(self._forced.popleft())
            if run is not None and run.forced:
                run.forced = False
                self._due.unschedule(run)  # a resume() may have planned it meanwhile
                if not run.in_flight:
                    return run
        return None

    def _check_stale(self, now: float) -> float | None:
        """Report runs whose deadline passed; return the next check time."""
        while (run := self._stale.pop_expired(now)) is not None:
            deadline = self._stale_deadline(run)
            if deadline is None or run.stale or run.slow:
                # Re-armed when it is polled, resumed or refreshed; a slow run is said to
                # be slow (with how long it has been waiting), not stale.
                continue
            if self._paused_all:
                # Nothing is expected while paused: look again one stale period later, rather
                # than walking all runs at resume time (the deadline then counts from resume).
                deadline = max(deadline, now + (deadline - max(run.baseline, self._resumed_at)))
            if deadline > now:
                self._stale.arm(run, deadline, earlier_only=False)
                continue
            run.stale = True
            self._hub.emit(RunStale(run.run_id, run.last_success, self._clock.now()))
        return self._stale.next_check()

    # ---- outcomes ---------------------------------------------------------------------

    def _on_success(
        self, run: Watched, new: Run, *, extra_delay: float = 0.0, sent: float | None = None
    ) -> None:
        now, at = self._clock.monotonic(), self._clock.now()
        prev, old_status = run.run, run.status
        had_problem = run.failures > 0 or run.stale or run.not_found or run.slow
        run.run, run.last_success, run.baseline = new, at, now
        run.failures, run.last_error, run.not_found, run.stale = 0, None, False, False
        run.slow, run.slow_since = False, None
        if run.patient and sent is not None and now - sent < policy.SLOW_LANE_EXIT:
            run.patient = False  # it answers in time again: back among the others
        delta = self._logs.update(run.run_id, new.parsed_log)
        events: list[Event] = []
        self._host_answered(events, at)
        if self._auth_probe:
            self._auth_probe = False
            events.append(Recovered("auth", None, at))
        if self._limit < self._concurrency:
            # Slow start: one more slot per success doubles the pace each round trip.
            self._limit += 1
        if prev is None or delta is not None or new != prev:
            events.append(RunUpdated(run.run_id, new, prev, delta, at))
        if old_status is None or new.status != old_status:
            events.append(StatusChanged(run.run_id, new, old_status, new.status, at))
        if had_problem:
            events.append(Recovered("run", run.run_id, at))
        ivl = self._interval_of(run)
        if ivl is not None and not run.paused and not run.forced:
            delay = policy.jittered(ivl, self._jitter, self._rng) + extra_delay
            self._schedule(run, now + delay)
        else:
            self._due.unschedule(run)  # a listed copy said it finished: no poll is due
        self._arm_stale(run)
        for event in events:
            self._hub.emit(event)

    def _on_error(
        self, run: Watched, error: NektError, source: RunSource, sent: float | None = None
    ) -> None:
        now, at = self._clock.monotonic(), self._clock.now()
        if isinstance(error, ApiUnreachableError):
            self._host_unreachable(error, now if sent is None else sent)
        else:
            events: list[Event] = []
            self._host_answered(events, at)
            for event in events:
                self._hub.emit(event)
        if isinstance(error, SlowAnswerError):
            self._on_slow(run, error, now if sent is None else sent)
            return
        if isinstance(error, RateLimitedError):
            until = self._block_for(error.retry_after)
            if not run.paused and not run.forced:
                self._schedule(run, until)
            return
        if isinstance(error, AuthenticationError):
            if not run.paused and not run.forced:
                self._schedule(run, now)  # polled again as soon as auth is fixed
            if source is self._source and self._auth_error is None:
                self._auth_error = error
                self._auth_probe = False
                self._hub.emit(AuthProblem(error, at))
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
            base = self._interval_of(run) or self._interval
            delay = policy.backoff_delay(
                run.failures, base, self._jitter, self._rng, self._max_backoff
            )
            delay = max(delay, self._host_until - now)  # nothing goes while the host is down
            self._schedule(run, now + delay)
            next_retry = at + timedelta(seconds=delay)
        self._hub.emit(PollFailed(run.run_id, error, next_retry, at))

    def _on_slow(self, run: Watched, error: SlowAnswerError, sent: float) -> None:
        """The run's answer did not come in time: say so once, ask again with patience."""
        now, at = self._clock.monotonic(), self._clock.now()
        run.last_error = error
        again = run.patient  # a patient request was too slow as well
        if not run.slow:
            run.slow, run.slow_since = True, self._wall(sent)
            self._hub.emit(RunSlow(run.run_id, run.slow_since, at))
        run.patient = True
        if not run.paused and not run.forced:
            # At once the first time (its slot in the slow lane is the wait); after a
            # patient request timed out too, one interval on.
            ivl = self._interval_of(run) or self._interval
            self._schedule(
                run, now + (policy.jittered(ivl, self._jitter, self._rng) if again else 0)
            )

    def _host_answered(self, events: list[Event], at: datetime) -> None:
        """The host answered something (even an error): it is reachable."""
        self._unreachable = 0
        if self._host_down:
            self._host_down, self._host_level = False, 0
            self._host_until = float("-inf")
            events.append(Recovered("host", None, at))

    def _host_unreachable(self, error: ApiUnreachableError, sent: float) -> None:
        """A connection failed: after a few in a row, hold every run (one probe after)."""
        now = self._clock.monotonic()
        self._limit = max(1, self._limit // 2)  # send less until something answers
        if self._host_down:
            if sent < self._host_until:
                return  # sent before the host was found down: no news
            self._host_level += 1  # the probe failed
        else:
            self._unreachable += 1
            if self._unreachable < policy.HOST_DOWN_AFTER:
                return
            self._host_down, self._host_level = True, 1
        self._limit = 1  # one probe first, then one more per success
        self._host_until = now + policy.host_backoff(self._host_level)
        self._hub.emit(HostDown(self._wall(self._host_until), error, self._clock.now()))

    def _force_try(self) -> None:
        """The user refreshes everything: one request tries now, even inside a Retry-After
        window (the source forgets its own too) or while the host is held as down."""
        now = self._clock.monotonic()
        clear = getattr(self._source, "clear_rate_limit", None)
        if callable(clear):
            clear()
        if now < self._blocked_until:
            self._blocked_until = now
            self._limit = 1
        if self._host_down and now < self._host_until:
            self._host_until = now
            self._limit = 1
        self._wake.set()

    def _block_for(self, retry_after: float | None) -> float:
        """A 429 said to wait: hold every request until then (one first, after). Returns
        the end of the wait; says `RateLimited` when a new or longer window starts."""
        wait = policy.clamp_retry_after(retry_after, self._default_retry_after)
        until = self._clock.monotonic() + wait
        self._limit = 1
        if until > self._blocked_until + 1.0 or not self._rate_limited:
            self._blocked_until = max(self._blocked_until, until)
            self._rate_limited = True
            self._hub.emit(RateLimited(self._wall(self._blocked_until), self._clock.now()))
        else:
            self._blocked_until = max(self._blocked_until, until)
        return until


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


__all__ = ["EventCallback", "PollEngine", "RunSource", "as_nekt_error", "earliest"]
