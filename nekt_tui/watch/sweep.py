"""The status sweep: one page of `GET /api/v1/runs/` stands in for many runs' own polls.

Polling each active run every interval costs one request per run per interval. The list
endpoint answers whole runs (the same `Run` as the detail endpoint), so one page can bring
the news of dozens of watched runs. Its order and filters are not documented, so nothing
here relies on them: every sweep measures what each page stood in for, and a page is
fetched again only while it replaces at least `WORTH` polls and at least a quarter of
what it carries concerns those runs (a page full of other runs' logs is not worth its
bytes). An unproductive page is tried again after `RETRY` sweeps, doubling up to
`RETRY_MAX`.

A listed run is taken as polled (its own next poll moves `interval + GRACE` on, so the
next sweep comes first) only when the listed copy is at least as complete as the last
answer of the detail endpoint (no field of it missing, the log included): a deployment
whose list answers in the flat shape while the detail is nested keeps its runs polled one
by one. Runs never fetched yet, in flight, paused, forced, not found or finished are never
taken from the list, nor is a run whose own answer arrived after the sweep was sent.

A failed sweep never reaches the user: sweeping backs off (doubling, up to `BACKOFF_MAX`)
and per-run polling carries on, except after a 429, which blocks every request as any 429
does.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from nekt_tui.api.errors import AuthenticationError, RateLimitedError
from nekt_tui.watch import policy
from nekt_tui.watch.engine import as_nekt_error
from nekt_tui.watch.events import AuthProblem
from nekt_tui.watch.workers import PollWorkers

if TYPE_CHECKING:
    from nekt_tui.api.models import Run, RunPage
    from nekt_tui.watch.runstate import Watched

log = logging.getLogger(__name__)

#: Sweep only while at least this many runs are planned for polling.
MIN_RUNS = 4
#: A page is fetched again while it stands in for at least this many polls.
WORTH = 2
#: Runs asked for per page (a server may send fewer).
PAGE_SIZE = 100
#: Pages looked at per sweep, at most.
MAX_PAGES = 10
#: An unproductive page is tried again after this many sweeps, doubling up to `RETRY_MAX`.
RETRY = 16
RETRY_MAX = 64
#: A listed run's own next poll waits this much longer than its interval, so that the
#: next sweep (exactly one interval on) comes first. Capped by a quarter interval: a run
#: that drops off the pages is polled again within `interval + GRACE` of its last news.
GRACE = 0.5
#: Seconds after a failed sweep before the next one, doubling; at most this long.
BACKOFF_MAX = 600.0
#: What a listed run costs besides its log text, in characters (for the quarter rule).
ITEM_CHARS = 1500


class RunLister(Protocol):
    """A source that can also list runs (`NektClient`)."""

    async def list_runs(self, page: int = 1, page_size: int = 50) -> RunPage:
        """Fetch one page of `GET /api/v1/runs/`."""
        ...


class PageRecord:
    """What fetching one page did the last time, and when to try it again."""

    __slots__ = ("period", "productive", "skip")

    def __init__(self) -> None:
        self.productive = True  # an untried page is worth a look
        self.skip = 0  # sweeps left before an unproductive page is tried again
        self.period = RETRY // 2  # doubled each time it is found unproductive


class Sweeper(PollWorkers):
    """Adds the status sweep to the poll workers (see the module docstring)."""

    def _start_sweep(self) -> None:
        if self._sweep_enabled:
            self._sweeper = asyncio.get_running_loop().create_task(self._sweep_loop())

    async def _sweep_loop(self) -> None:
        while True:
            started = self._clock.monotonic()
            try:
                delay = await self._sweep_once()
            except asyncio.CancelledError:
                raise
            except Exception:  # a bug here must not stop polling, only sweeping a while
                log.exception("status sweep failed")
                delay = self._sweep_backoff()
            await self._clock.sleep(max(0.0, started + delay - self._clock.monotonic()))

    def _sweep_candidates(self) -> int:
        """Runs planned for a poll that a listed copy could stand in for (a first poll
        never is)."""
        return len(self._due) - self._unpolled

    @property
    def polls_saved(self) -> int:
        """Polls of single runs that pages of the run list stood in for, so far."""
        return self._polls_saved

    def _may_sweep(self, now: float) -> bool:
        return not (
            self._closed
            or self._paused_all
            or self._auth_error is not None
            or now < self._hold_until()  # a Retry-After window, or the host down
            or self._limit < self._concurrency  # ramping up after a 429: runs first
            or self._sweep_candidates() < MIN_RUNS
            or not callable(getattr(self._source, "list_runs", None))
        )

    async def _sweep_once(self) -> float:
        """One sweep; the seconds until the next one (from when this one started)."""
        if not self._may_sweep(self._clock.monotonic()):
            return self._interval
        lister: RunLister = self._source  # type: ignore[assignment]
        left = self._sweep_candidates()
        page_no = 1
        # A page is looked at only after the one before it paid off, so a deployment
        # whose pages are all unproductive costs one request per retry period.
        while page_no <= MAX_PAGES and left >= WORTH:
            record = self._sweep_pages.setdefault(page_no, PageRecord())
            if not record.productive and record.skip > 0:
                record.skip -= 1
                break
            if not await self._sweep_take_slot():
                return self._interval
            sent = self._clock.monotonic()
            try:
                page = await lister.list_runs(page=page_no, page_size=PAGE_SIZE)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the sweep is an optimisation: per-run polls go on
                return self._sweep_failed(exc, lister)
            finally:
                self._sweep_release_slot()
            if self._closed:
                return self._interval
            self._sweep_failures = 0
            left -= self._apply_page(record, page.results, sent)
            if not record.productive or page.next is None:
                break
            page_no += 1
        return self._interval

    def _apply_page(self, record: PageRecord, items: Sequence[Run], sent: float) -> int:
        """Take the listed runs that stand in for a poll as polled; how many were.

        The page is judged by the runs it could stand in for (whether taken now or left
        out only for now: in flight, paused, answered since the page was sent) and by
        their share of what it carries.
        """
        stand_in: list[tuple[Watched, Run]] = []
        useful = carried = 0
        for item in items:
            size = ITEM_CHARS + len(item.parsed_log or "")
            carried += size
            run = self._runs.get(item.id)
            if run is not None and self._may_stand_in(run, item):
                stand_in.append((run, item))
                useful += size
        record.productive = len(stand_in) >= WORTH and useful * 4 >= carried
        if record.productive:
            record.period = RETRY // 2
        else:
            record.period = min(RETRY_MAX, record.period * 2)
            record.skip = record.period
        # Own polls wait for the next sweep only if there will be one.
        extra = min(GRACE, self._interval / 4) if record.productive else 0.0
        taken = 0
        for run, item in stand_in:
            if (
                run.in_flight
                or run.paused
                or run.forced
                or run.due is None
                or run.baseline > sent  # its own answer is newer than the page
            ):
                continue
            self._on_success(run, item, extra_delay=extra)
            taken += 1
        self._polls_saved += taken
        return taken

    @staticmethod
    def _may_stand_in(run: Watched, item: Run) -> bool:
        """Could this listed copy ever replace a poll of `run`?"""
        prev = run.run
        if prev is None or run.not_found or policy.is_terminal(run.status):
            return False  # first answers come from the detail endpoint; finished is final
        if prev.parsed_log is not None and item.parsed_log is None:
            return False
        return prev.model_fields_set <= item.model_fields_set

    async def _sweep_take_slot(self) -> bool:
        """Wait for one of the `concurrency` request slots (before any poll that is due);
        False when sweeping may not go on now (checked before every page: a 429 may have
        come back since the last one)."""
        while True:
            if not self._may_sweep(self._clock.monotonic()):
                self._wake.set()  # workers parked meanwhile: the coordinator hands out runs
                return False
            if self._in_flight < self._limit:
                break
            self._sweep_slot = asyncio.get_running_loop().create_future()
            try:
                await self._sweep_slot  # a poll's answer frees a slot
            finally:
                self._sweep_slot = None
        self._in_flight += 1
        return True

    def _sweep_release_slot(self) -> None:
        self._in_flight -= 1
        if self._idle:
            self._wake.set()  # workers that parked while the sweep had their slot
        if self._idle_waiters and self._is_idle():
            self._release_idle()

    def _sweep_failed(self, exc: BaseException, lister: object) -> float:
        error = as_nekt_error(exc)
        if isinstance(error, RateLimitedError):
            self._block_for(error.retry_after)
        elif (
            isinstance(error, AuthenticationError)
            and lister is self._source  # not a key replaced meanwhile
            and self._auth_error is None
        ):
            # The key is refused: say so once and stop, as a refused poll would.
            self._auth_error = error
            self._auth_probe = False
            self._hub.emit(AuthProblem(error, self._clock.now()))
        log.debug("status sweep failed: %s", error)
        self._sweep_failures += 1
        return self._sweep_backoff()

    def _sweep_backoff(self) -> float:
        exp = min(self._sweep_failures, 16)
        return min(BACKOFF_MAX, self._interval * 2.0**exp)


__all__ = ["MIN_RUNS", "PAGE_SIZE", "RunLister", "Sweeper"]
