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
does; a 401 (the key itself not accepted) stops every request as a refused poll would.
A list refused with 403 (a key without the list's scope: the detail may still answer)
or missing (404 on its first page) stops only the use of the list, with one log line;
the runs that needed it say why in their panels.

The same turn serves the finder (`finder.py`): the parts a flat detail lacks are looked
for in the pages this turn fetched, then in the pages it fetches itself, so the run list
is paged by this one loop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from nekt_tui.api.errors import AuthenticationError, NektError, RateLimitedError
from nekt_tui.api.models import RunPage
from nekt_tui.clock import Clock
from nekt_tui.watch import policy
from nekt_tui.watch.engine import RunLister, as_nekt_error

if TYPE_CHECKING:
    from nekt_tui.api.models import Run
    from nekt_tui.watch.finder import Finder
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
#: Seconds the finder waits after a run's first answer came flat, for the others' first
#: answers: one search then serves them all (not one run-list page per answer).
GATHER = 0.5
#: What a listed run costs besides its log text, in characters (for the quarter rule).
ITEM_CHARS = 1500


class SweepHost(Protocol):
    """All the sweeper sees of the rest of the engine."""

    @property
    def source(self) -> object:
        """The run source in use (it may also `list_runs`)."""
        ...

    @property
    def interval(self) -> float:
        """Seconds between polls of an active run, and so between sweeps."""
        ...

    @property
    def closed(self) -> bool:
        """The engine is closed."""
        ...

    def sweep_allowed(self, now: float) -> bool:
        """No pause, refused key, Retry-After window, host down or ramp-up holds a page."""
        ...

    def sweep_candidates(self) -> int:
        """Runs planned for a poll that a listed copy could stand in for."""
        ...

    def watched(self, run_id: str) -> Watched | None:
        """The watched run with this ID, or None."""
        ...

    def stand_in(self, run: Watched, listed: Run, extra_delay: float) -> None:
        """Take the listed copy as the run's poll; its own next one waits `extra_delay` more."""
        ...

    def detail_answer(self, run_id: str) -> tuple[frozenset[str], bool] | None:
        """The fields of the detail's last answer for the run and whether it had a log
        (None: not known; the run's data is then taken as the detail's)."""
        ...

    def try_slot(self) -> bool:
        """Take one of the request slots if one is free now."""
        ...

    async def slot_freed(self) -> None:
        """Wait until a poll frees a slot (no poll takes one meanwhile)."""
        ...

    def release_slot(self) -> None:
        """Give back the slot taken with `try_slot`."""
        ...

    def wake(self) -> None:
        """Have parked workers look for runs again."""
        ...

    def block_for(self, retry_after: float | None) -> object:
        """A 429 came back: hold every request."""
        ...

    def refuse(self, error: NektError) -> None:
        """The key was refused: stop every request (said once)."""
        ...


class PageRecord:
    """What fetching one page did the last time, and when to try it again."""

    __slots__ = ("period", "productive", "skip")

    def __init__(self) -> None:
        self.productive = True  # an untried page is worth a look
        self.skip = 0  # sweeps left before an unproductive page is tried again
        self.period = RETRY // 2  # doubled each time it is found unproductive


class Sweeper:
    """The status sweep over a `SweepHost` (see the module docstring)."""

    def __init__(
        self,
        host: SweepHost,
        clock: Clock,
        *,
        enabled: bool = True,
        finder: Finder | None = None,
    ) -> None:
        self._host = host
        self._clock = clock
        self._enabled = enabled
        self._finder = finder
        self.task: asyncio.Task[None] | None = None
        self._pages: dict[int, PageRecord] = {}
        self._failures = 0
        self._polls_saved = 0
        self._delay: float | None = None  # a failed page this turn: the back-off
        #: Why the run list may not be used any more (refused, missing), or None.
        self.list_problem: str | None = None
        self._wanted = asyncio.Event()

    def start(self) -> None:
        """Start sweeping on the running loop (unless sweeping is off)."""
        if self._enabled:
            self.task = asyncio.get_running_loop().create_task(self._loop())

    async def _loop(self) -> None:
        while True:
            started = self._clock.monotonic()
            try:
                delay = await self.sweep_once()
            except asyncio.CancelledError:
                raise
            except Exception:  # a bug here must not stop polling, only sweeping a while
                log.exception("status sweep failed")
                delay = self._backoff()
            # A run that starts lacking a part is looked for at once (its first answer
            # came flat), not an interval later; the sweep's own pace is kept.
            while await self._nap(max(0.0, started + delay - self._clock.monotonic())):
                try:
                    await self._clock.sleep(GATHER)
                    self._busy(True)
                    await self.finder_turn()
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("finder failed")
                finally:
                    self._busy(False)
                # The next list request waits a whole interval after this turn's.
                started = self._clock.monotonic()

    def wake_finder(self) -> None:
        """A run started lacking a part: give the finder a turn soon (`GATHER`)."""
        self._wanted.set()

    def _busy(self, busy: bool) -> None:
        mark = getattr(self._host, "finder_busy", None)  # optional for a bare host
        if callable(mark):
            mark(busy)

    async def _nap(self, seconds: float) -> bool:
        """Sleep `seconds`; True when woken early by `wake_finder`."""
        if self._wanted.is_set():
            self._wanted.clear()
            return True
        sleeper = asyncio.ensure_future(self._clock.sleep(seconds))
        waker = asyncio.ensure_future(self._wanted.wait())
        try:
            await asyncio.wait((sleeper, waker), return_when=asyncio.FIRST_COMPLETED)
        finally:
            sleeper.cancel()
            waker.cancel()
        woken = self._wanted.is_set()
        self._wanted.clear()
        return woken

    async def finder_turn(self) -> None:
        """The finder's turn alone (no status sweep, no page to follow a log: those keep
        the interval's pace)."""
        finder, host = self._finder, self._host
        if finder is None or host.closed or not host.sweep_allowed(self._clock.monotonic()):
            return
        self._delay = None
        finder.list_problem = self.list_problem
        await finder.work(self._finder_page, True)

    @property
    def polls_saved(self) -> int:
        """Polls of single runs that pages of the run list stood in for, so far."""
        return self._polls_saved

    def _may_list(self, now: float) -> bool:
        host = self._host
        return (
            self.list_problem is None
            and host.sweep_allowed(now)
            and callable(getattr(host.source, "list_runs", None))
        )

    def _may_sweep(self, now: float) -> bool:
        return self._may_list(now) and self._host.sweep_candidates() >= MIN_RUNS

    async def sweep_once(self) -> float:
        """One sweep, then the finder's turn; the seconds until the next one (from when
        this one started)."""
        host = self._host
        self._delay = None
        swept = await self._status_sweep() if self._may_sweep(self._clock.monotonic()) else False
        finder = self._finder
        if (
            self._delay is None
            and finder is not None
            and finder.has_work()
            and not host.closed
            and host.sweep_allowed(self._clock.monotonic())
        ):
            finder.list_problem = self.list_problem
            await finder.work(self._finder_page, swept)
        return host.interval if self._delay is None else self._delay

    async def _status_sweep(self) -> bool:
        """The status sweep's pages; True when it fetched any."""
        host = self._host
        left = host.sweep_candidates()
        page_no = 1
        swept = False
        # A page is looked at only after the one before it paid off, so a deployment
        # whose pages are all unproductive costs one request per retry period.
        while page_no <= MAX_PAGES and left >= WORTH:
            record = self._pages.setdefault(page_no, PageRecord())
            if not record.productive and record.skip > 0:
                record.skip -= 1
                break
            if not await self._take_slot(self._may_sweep):
                return swept
            sent = self._clock.monotonic()
            page = await self._page(page_no)
            if page is None or host.closed:
                return swept
            swept = True
            left -= self._apply_page(record, page.results, sent)
            if self._finder is not None:
                self._finder.offer(page_no, page)
            if not record.productive or page.next is None:
                break
            page_no += 1
        return swept

    async def _finder_page(self, page_no: int) -> RunPage | None:
        """A page for the finder: None when no request may go or it failed."""
        if self._delay is not None or not await self._take_slot(self._may_list):
            return None
        return await self._page(page_no)

    async def _page(self, page_no: int) -> RunPage | None:
        """Fetch one page with a slot taken; None (the back-off set) when it failed."""
        host = self._host
        lister: RunLister = host.source  # type: ignore[assignment]
        try:
            page = await lister.list_runs(page=page_no, page_size=PAGE_SIZE)
        except asyncio.CancelledError:
            raise
        except NektError as exc:
            if page_no > 1 and getattr(exc, "status_code", None) == 404:
                return RunPage()  # DRF answers 404 for a page past the last
            self._delay = self._failed(exc, lister)
            return None
        except Exception as exc:  # the sweep is an optimisation: per-run polls go on
            self._delay = self._failed(exc, lister)
            return None
        finally:
            host.release_slot()
        self._failures = 0
        return page

    def _apply_page(self, record: PageRecord, items: Sequence[Run], sent: float) -> int:
        """Take the listed runs that stand in for a poll as polled; how many were.

        The page is judged by the runs it could stand in for (whether taken now or left
        out only for now: in flight, paused, answered since the page was sent) and by
        their share of what it carries.
        """
        host = self._host
        stand_in: list[tuple[Watched, Run]] = []
        useful = carried = 0
        for item in items:
            size = ITEM_CHARS + len(item.parsed_log or "")
            carried += size
            run = host.watched(item.id)
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
        extra = min(GRACE, host.interval / 4) if record.productive else 0.0
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
            host.stand_in(run, item, extra)
            taken += 1
        self._polls_saved += taken
        return taken

    def _may_stand_in(self, run: Watched, item: Run) -> bool:
        """Could this listed copy ever replace a poll of `run`? It must carry what the
        detail's own answer carried (not what was assembled from other sources: a listed
        copy is merged with those too)."""
        prev = run.run
        if prev is None or run.not_found or policy.is_terminal(run.status):
            return False  # first answers come from the detail endpoint; finished is final
        answer = getattr(self._host, "detail_answer", None)  # optional for a bare host
        own = answer(run.run_id) if answer is not None else None
        fields, had_log = own or (prev.model_fields_set, prev.parsed_log is not None)
        if had_log and item.parsed_log is None:
            return False
        return fields <= item.model_fields_set

    async def _take_slot(self, may: Callable[[float], bool]) -> bool:
        """Wait for one of the `concurrency` request slots (before any poll that is due);
        False when sweeping may not go on now (`may`, checked before every page: a 429
        may have come back since the last one)."""
        while True:
            if not may(self._clock.monotonic()):
                self._host.wake()  # workers parked meanwhile: the coordinator hands out runs
                return False
            if self._host.try_slot():
                return True
            await self._host.slot_freed()

    def _failed(self, exc: BaseException, lister: object) -> float:
        error = as_nekt_error(exc)
        code = getattr(error, "status_code", None)
        before = self.list_problem
        if isinstance(error, RateLimitedError):
            self._host.block_for(error.retry_after)
        elif isinstance(error, AuthenticationError) and lister is self._host.source:
            if code == 403:
                # Possibly a key without the list's scope (the detail may answer it): only
                # the list's use stops; a key refused for everything is refused by the
                # next poll too.
                self.list_problem = "the run list is refused for this API key (HTTP 403)"
            else:
                # 401: the key itself is missing or not accepted; say so once and stop,
                # as a refused poll would.
                self._host.refuse(error)
        elif code == 404:
            self.list_problem = "the run list is not available on this API (HTTP 404)"
        if self.list_problem is not None and before is None:
            log.warning("not using the run list any more: %s", self.list_problem)
        if self._finder is not None:
            self._finder.list_problem = self.list_problem
        log.debug("status sweep failed: %s", error)
        self._failures += 1
        return self._backoff()

    def _backoff(self) -> float:
        exp = min(self._failures, 16)
        return min(BACKOFF_MAX, self._host.interval * 2.0**exp)


__all__ = ["MIN_RUNS", "PAGE_SIZE", "PageRecord", "RunLister", "SweepHost", "Sweeper"]
