"""Finding what a flat detail lacks: the log and pipeline in the run list, the triggers in
the sources/transformations lists, the user with `expand[]=triggered_by`.

Runs the assembler marks as wanting (`Assembler.wanting`) are looked for, on the status
sweep's turn (one turn per interval, see `sweep.py`), so the run list is paged by one
loop only and the pages the status sweep fetched serve both:

- A run never found is searched page by page from the page it was last seen on (page 1
  at first), within `budget` pages per search; the search stops at a page whose runs are
  all older than the run (the list is newest first) or a page without `next`. A run not
  found gets one line ("log not available: run not found in the first 10 pages of the
  run list") and is looked for again after `RETRY` seconds, doubling.
- A found run whose listed copy was not finished keeps following: at most one page per
  turn for all runs together (none if the status sweep fetched a page this turn), the
  page of a run the detail says has ended first, else of the run refreshed longest ago.
- A run whose pipeline is still unknown (list refused, run not found) takes its triggers
  and slug from the sources or transformations list, matched by the flat run's
  `source`/`transformation`/`destination` (an item ID or slug); the lists are read at
  most once per `LISTS_TTL`.
- A run whose user is an ID is asked once with `expand[]=triggered_by`; if the answer
  still holds an ID the API ignores expand, and no run is asked again.

Pages are asked by number on the configured host (the client never follows `next`).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from nekt_tui.api.errors import NektError, RateLimitedError
from nekt_tui.api.models import Pipeline, User
from nekt_tui.watch import policy
from nekt_tui.watch.assemble import (
    EXPAND,
    RUN_LIST,
    SOURCES_LIST,
    TRANSFORMATIONS_LIST,
    Assembler,
)

if TYPE_CHECKING:
    from nekt_tui.api.models import Run, RunPage
    from nekt_tui.discover.pipelines import PipelineRow
    from nekt_tui.watch.runstate import Watched

log = logging.getLogger(__name__)

#: Pages of the run list looked at per search, at most.
BUDGET = 10
#: Seconds before a run not found is looked for again (doubling, up to `RETRY_MAX`).
RETRY = 60.0
RETRY_MAX = 900.0
#: Seconds the sources and transformations lists are kept before they are read again.
LISTS_TTL = 600.0

#: Fetch one page of the run list by number; None when it failed (the caller said why).
FetchPage = Callable[[int], Awaitable["RunPage | None"]]


class FinderHost(Protocol):
    """What the finder sees of the engine."""

    @property
    def source(self) -> object:
        """The run source in use (`NektClient`: lists and `expand`)."""
        ...

    def watched(self, run_id: str) -> Watched | None:
        """The watched run with this ID, or None."""
        ...

    def enrich(self, run: Watched) -> None:
        """Parts of the run were kept in the assembler: show them."""
        ...

    async def take_slot(self) -> bool:
        """Wait for a request slot; False when no request may go now."""
        ...

    def release_slot(self) -> None:
        """Give back the slot."""
        ...


class Finder:
    """Finds the parts flat runs lack (see the module docstring)."""

    def __init__(
        self,
        host: FinderHost,
        assembler: Assembler,
        *,
        monotonic: Callable[[], float],
        now: Callable[[], datetime],
        budget: int = BUDGET,
    ) -> None:
        self._host = host
        self._asm = assembler
        self._mono = monotonic
        self._now = now
        self.budget = budget
        #: Why the run list may not be used (refused, missing), or None.
        self.list_problem: str | None = None
        self._hints: dict[str, int] = {}  # the page a run was last seen on
        self._found: set[str] = set()  # seen on its hint page on the last look
        self._refreshed: dict[str, float] = {}
        self._retry: dict[str, tuple[float, float]] = {}  # run -> (not before, period)
        self._expand_asked: set[str] = set()
        self.expand_ignored = False
        self._rows: tuple[PipelineRow, ...] | None = None
        self._rows_at = 0.0
        self._rows_problem: str | None = None
        self._seen_now: set[str] = set()  # runs found on the page taken last
        #: List pages this finder fetched itself (the status sweep's not counted).
        self.pages_fetched = 0

    def forget(self, run_id: str) -> None:
        """The run is no longer watched."""
        for table in (self._hints, self._refreshed, self._retry):
            table.pop(run_id, None)
        self._found.discard(run_id)

    def _wanting(self) -> list[Watched]:
        out = []
        for rid in tuple(self._asm.wanting):
            run = self._host.watched(rid)
            if run is None:
                self._asm.wanting.pop(rid, None)
            elif run.run is not None and not run.not_found:
                out.append(run)
        return out

    def has_work(self) -> bool:
        """Some watched run lacks a part."""
        return bool(self._asm.wanting)

    def offer(self, page_no: int, page: RunPage) -> None:
        """A page the status sweep fetched: take from it what wanting runs lack."""
        want = {run.run_id: run for run in self._wanting() if self._needs_list(run)}
        if want:
            self._take_page(page_no, page, want)

    def _needs_list(self, run: Watched) -> bool:
        rid = run.run_id
        return not (self._asm.has_log(rid) and self._asm.has_pipeline(rid)) or (
            not self._asm.log_final(rid)
        )

    async def work(self, fetch: FetchPage, swept: bool) -> None:
        """One turn: the run list (unless `swept` fetched a page of it this turn and no
        run needs a search), then the pipeline lists and expand, for the runs wanting."""
        wanting = self._wanting()
        if not wanting:
            return
        listed = [run for run in wanting if self._needs_list(run)]
        if listed:
            if self.list_problem is not None:
                self._say_list_problem(listed)
            else:
                await self._list_turn(listed, fetch, swept)
        lacking = [
            run
            for run in self._wanting()
            if not self._asm.has_pipeline(run.run_id)
            and (self.list_problem is not None or run.run_id in self._retry)
        ]
        if lacking:
            await self._from_pipeline_lists(lacking)
        for run in self._wanting():
            if run.run is not None and isinstance(run.run.triggered_by, int):
                await self._expand(run)

    def _say_list_problem(self, runs: Iterable[Watched]) -> None:
        why = self.list_problem
        for run in runs:
            if self._asm.problem(
                run.run_id,
                log=f"log not available: {why}",
                pipeline=f"pipeline not available from the run list: {why}",
            ):
                self._host.enrich(run)

    async def _list_turn(self, runs: list[Watched], fetch: FetchPage, swept: bool) -> None:
        now = self._mono()
        searchers = [
            run
            for run in runs
            if run.run_id not in self._found and self._retry.get(run.run_id, (0.0, 0.0))[0] <= now
        ]
        if searchers:
            await self._search(searchers, runs, fetch)
            return
        followers = [run for run in runs if run.run_id in self._found]
        if not followers or swept:
            return  # one list request per turn for all runs together
        # A run the detail says has ended comes first (its last lines, a traceback, are
        # what the user waits for), then the one refreshed longest ago.
        run = min(
            followers,
            key=lambda r: (not policy.is_terminal(r.status), self._refreshed.get(r.run_id, 0.0)),
        )
        page_no = self._hints[run.run_id]
        page = await fetch(page_no)
        if page is None:
            return
        self.pages_fetched += 1
        self._take_page(page_no, page, {r.run_id: r for r in followers})
        if run.run_id not in self._seen_now:
            self._found.discard(run.run_id)  # moved on: searched from its page next turn

    async def _search(
        self, searchers: list[Watched], runs: list[Watched], fetch: FetchPage
    ) -> None:
        want = {run.run_id: run for run in runs}
        looking = {run.run_id: run for run in searchers}
        start = min(self._hints.get(run.run_id, 1) for run in searchers)
        why = f"run not found in the first {self.budget} pages of the run list"
        for page_no in range(start, start + self.budget):
            page = await fetch(page_no)
            if page is None:
                return  # said by the caller; searched again next turn
            self.pages_fetched += 1
            self._take_page(page_no, page, want)
            for rid in self._seen_now:
                looking.pop(rid, None)
            if not looking:
                return
            if not page.next:
                why = f"run not found in the run list ({page_no} pages, the last one)"
                break
            if self._all_older(page, looking.values()):
                why = "run not found in the run list (its pages reached older runs)"
                break
        now = self._mono()
        for rid, run in looking.items():
            _, period = self._retry.get(rid, (0.0, RETRY / 2))
            period = min(RETRY_MAX, period * 2)
            self._retry[rid] = (now + period, period)
            self._hints.pop(rid, None)
            if self._asm.problem(
                rid, log=f"log not available: {why}", pipeline=f"pipeline not known: {why}"
            ):
                self._host.enrich(run)

    @staticmethod
    def _all_older(page: RunPage, runs: Iterable[Watched]) -> bool:
        created = [r.run.created_at for r in runs if r.run is not None and r.run.created_at]
        items = [item.created_at for item in page.results if item.created_at is not None]
        if not created or not items or len(items) < len(page.results):
            return False
        return max(items) < min(created)

    def _take_page(self, page_no: int, page: RunPage, want: dict[str, Watched]) -> None:
        self._seen_now = set()
        at, now = self._now(), self._mono()
        for item in page.results:
            run = want.pop(item.id, None)
            if run is None:
                continue
            rid = item.id
            self._seen_now.add(rid)
            self._hints[rid], self._refreshed[rid] = page_no, now
            self._found.add(rid)
            self._retry.pop(rid, None)
            self._take_item(run, item, at)

    def _take_item(self, run: Watched, item: Run, at: datetime) -> None:
        rid = run.run_id
        by = item.triggered_by
        self._asm.take(
            rid,
            RUN_LIST,
            at,
            log=item.log,
            log_final=item.is_terminal,
            pipeline=item.pipeline,
            user=by if isinstance(by, User) else None,
            token=item.triggered_by_token,
        )
        if item.log is None:
            # Items in another shape than documented: nothing more to follow there.
            self._asm.problem(
                rid, log="log not available: the run list's copy of this run carries no log"
            )
            self._found.discard(rid)
            self._retry[rid] = (self._mono() + RETRY_MAX, RETRY_MAX)
        self._host.enrich(run)

    async def _rows_now(self) -> tuple[PipelineRow, ...] | None:
        now = self._mono()
        if self._rows is not None and now - self._rows_at < LISTS_TTL:
            return self._rows
        if self._rows_at and now - self._rows_at < LISTS_TTL:
            return self._rows  # read (and failed) not long ago
        lister = self._host.source
        if not callable(getattr(lister, "list_pipelines", None)):
            return None
        from nekt_tui.discover.pipelines import fetch_pipelines

        if not await self._host.take_slot():
            return None
        try:
            fetched = await fetch_pipelines(lister, max_pages=5)  # type: ignore[arg-type]
        except RateLimitedError:
            return None  # the next turn waits for the window like every request
        except NektError as exc:
            log.debug("pipeline lists failed: %s", exc)
            fetched = None
        finally:
            self._host.release_slot()
        self._rows_at = now
        if fetched is not None:
            self._rows = fetched.rows
            self._rows_problem = "; ".join(fetched.problems) or None
        return self._rows

    async def _from_pipeline_lists(self, runs: list[Watched]) -> None:
        rows = await self._rows_now()
        if rows is None:
            return
        at = self._now()
        for run in runs:
            flat = run.run
            if flat is None:
                continue
            keys = {k for k in (flat.source, flat.transformation, flat.destination) if k}
            row = next((r for r in rows if keys & {r.item_id, r.slug, r.name}), None)
            if row is None:
                problem = self._rows_problem or "no item of the sources or transformations list"
                if self._asm.problem(run.run_id, pipeline=f"triggers not available: {problem}"):
                    self._host.enrich(run)
                continue
            pipe = Pipeline(slug=row.slug, active=row.active, triggers=list(row.triggers))
            where = SOURCES_LIST if row.kind == "sources" else TRANSFORMATIONS_LIST
            if self._asm.take(run.run_id, where, at, pipeline=pipe):
                self._host.enrich(run)

    async def _expand(self, run: Watched) -> None:
        rid = run.run_id
        if self.expand_ignored:
            if self._asm.problem(
                rid, user="the API ignores expand[]=triggered_by: the user is known by ID only"
            ):
                self._host.enrich(run)
            return
        if rid in self._expand_asked:
            return
        get_run = getattr(self._host.source, "get_run", None)
        if not callable(get_run) or not await self._host.take_slot():
            return
        self._expand_asked.add(rid)
        try:
            answer: Run = await get_run(rid, expand=("triggered_by",))
        except TypeError:  # a source without expand (tests' fakes)
            answer = None  # type: ignore[assignment]
        except NektError as exc:
            log.debug("expand of %s failed: %s", rid, exc)
            self._expand_asked.discard(rid)  # not an answer: asked again next turn
            return
        finally:
            self._host.release_slot()
        by = answer.triggered_by if answer is not None else None
        if isinstance(by, User):
            if self._asm.take(rid, EXPAND, self._now(), user=by):
                self._host.enrich(run)
            return
        self.expand_ignored = True
        await self._expand(run)


__all__ = ["BUDGET", "FetchPage", "Finder", "FinderHost"]
