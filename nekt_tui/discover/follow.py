"""The follower: every `interval` seconds, one look at the run list for runs that match a
follow rule, added to the watch list by whoever it reports to (a `FollowTarget`).

One list request per interval whatever the number of rules. At start, the pages are read
one per interval, newest first, until a page holds nothing newer than `since` (or the page
budget is spent); after that page 1 is read each interval, and the pages after it too when
all of page 1 was new (a burst of runs) or while a run unfinished when last seen (a status
rule may match it once it ends) has slid past page 1. The ordering of `/runs/` is not
documented: it only decides which page to read next, never whether a run is followed (each
item's own date does). A run the follower added once is never added again: removing it sticks.

A list that fails (404, 403, a page in an unknown shape, 429) is one line, said once per
kind of failure, and the next look waits longer (a 429 waits as long as it asks).
No Textual here; time comes from an injected `Clock`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from nekt_tui.api.enums import RunStatus
from nekt_tui.api.errors import NektError, RateLimitedError
from nekt_tui.discover.pipelines import list_problem
from nekt_tui.discover.rules import Rule, first_match

if TYPE_CHECKING:
    from nekt_tui.api.models import Run, RunPage
    from nekt_tui.clock import Clock

log = logging.getLogger(__name__)

#: Runs asked for per page (each nested item carries its log: not more).
PAGE_SIZE = 50
#: Pages read at most per pass through the list (the start-up look back, or a burst).
MAX_PAGES = 20
#: The longest wait after failures, in intervals.
MAX_BACKOFF = 8


@runtime_checkable
class RunLister(Protocol):
    """What the follower needs of the client (`NektClient`)."""

    async def list_runs(self, page: int = 1, page_size: int = 50) -> RunPage:
        """One page of `GET /api/v1/runs/`."""
        ...


class FollowTarget(Protocol):
    """Whoever adds followed runs to the watch list (the session; a recorder in tests)."""

    def watched(self, run_id: str) -> bool:
        """Whether the run is on the watch list now."""
        ...

    def follow(self, run_ids: Sequence[str], rule: Rule) -> None:
        """Add these runs (not watched) to the watch list, because of `rule`."""
        ...

    def say(self, text: str, warning: bool) -> None:
        """Show one line to the user."""
        ...


@dataclass
class FollowStats:
    """What the follower did (tests and the debug log read it)."""

    requests: int = 0
    added: int = 0
    problems: list[str] = field(default_factory=list)


class Follower:
    """Adds the runs of the run list that match `rules` to a `FollowTarget`.

    `source()` is the client to ask (None: no key yet, nothing is sent). `interval`,
    `since` in seconds; `cap`: at most this many followed runs on the list at once.
    """

    def __init__(
        self,
        rules: Sequence[Rule],
        source: Callable[[], RunLister | None],
        target: FollowTarget,
        clock: Clock,
        *,
        interval: float = 30.0,
        since: float = 86_400.0,
        cap: int = 200,
        page_size: int = PAGE_SIZE,
        max_pages: int = MAX_PAGES,
    ) -> None:
        self.rules = tuple(rules)
        self._source = source
        self.target = target
        self.clock = clock
        self.interval = interval
        self.since = since
        self.cap = cap
        self.page_size = page_size
        self.max_pages = max_pages
        #: Every run this follower added, ever: never added again (a removal sticks).
        self.followed: set[str] = set()
        #: Runs looked at already (matching or not): a page of only these ends a pass.
        self.seen: set[str] = set()
        #: Recent runs, not finished, that no rule matched yet: a status rule may match one
        #: once it ends, so a pass reads on until it has seen each again (or the list ends).
        self.pending: set[str] = set()
        self._statuses_matter = any(rule.statuses is not None for rule in self.rules)
        #: The runs the current pass (page 1 down) has seen.
        self._pass: set[str] = set()
        #: The deeper page a pass seeking pending runs reads after its next page 1.
        self._resume = 2
        self.stats = FollowStats()
        self._page = 1
        self._failures = 0
        self._said: str | None = None
        self._cap_said = False

    @property
    def next_page(self) -> int:
        """The page of the run list the next look reads."""
        return self._page

    async def run(self) -> None:
        """Look at the list every interval (longer after failures) until cancelled."""
        while True:
            wait = await self.step()
            await self.clock.sleep(wait)

    async def step(self) -> float:
        """One look (at most one request); the seconds to wait before the next."""
        source = self._source()
        if source is None or not self.rules:
            return self.interval
        page_no = self._page
        self.stats.requests += 1
        try:
            page = await source.list_runs(page_no, self.page_size)
        except RateLimitedError as exc:
            self._problem(exc, f"follow rules: the run list is {exc}; looking again later")
            self._page = 1 if page_no > 1 else page_no
            return max(self._backoff(), exc.retry_after or 0.0)
        except NektError as exc:
            if page_no > 1 and getattr(exc, "status_code", None) == 404:
                self._end_pass()  # DRF answers 404 past the last page: the pass is over
                return self.interval
            self._problem(exc, "follow rules: " + list_problem("the run list", exc))
            self._page = 1
            return self._backoff()
        if self._failures:
            log.info("the run list answers again after %d failure(s)", self._failures)
        self._failures, self._said = 0, None
        more = self._take(page.results)
        self._pass.update(run.id.lower() for run in page.results)
        deeper = bool(page.next) and page_no < self.max_pages
        if more and deeper:
            self._page = page_no + 1  # a burst, or the start-up look back: straight down
        elif self.pending - self._pass and deeper:
            # Runs still unfinished slid past page 1: seek them a page at a time, with
            # page 1 read between two deeper pages so new runs wait one interval more.
            if page_no == 1:
                self._page = self._resume
            else:
                self._resume, self._page = page_no + 1, 1
        else:
            self._end_pass()
        return self.interval

    def _end_pass(self) -> None:
        # A pending run not found again in a whole pass is gone from the list: not sought.
        self.pending &= self._pass
        self._pass = set()
        self._resume = 2
        self._page = 1

    def _take(self, runs: Sequence[Run]) -> bool:
        """Follow the page's matching runs; whether the next page may hold more to see.

        Every item is matched again at each look (a running run may fail later); `seen`
        only tells a page of new runs (read on) from one already looked at (stop)."""
        cutoff = self.clock.now() - timedelta(seconds=self.since)
        unseen = old = 0
        chosen: dict[Rule, list[str]] = {}
        for run in runs:
            rid = run.id.lower()
            if rid not in self.seen:
                unseen += 1
                self.seen.add(rid)
            self.pending.discard(rid)
            if not _since(run, cutoff):
                old += 1
                continue  # older than the look back: never followed
            if rid in self.followed or self.target.watched(rid):
                continue
            rule = first_match(self.rules, run)
            if rule is not None:
                chosen.setdefault(rule, []).append(rid)
            elif self._statuses_matter and not _finished(run):
                self.pending.add(rid)
        for rule, run_ids in chosen.items():
            self._add(rule, run_ids)
        # Newest first in practice: a page with a run seen before, or one older than the
        # look back, ends a pass (the pages after it hold older runs still).
        return bool(runs) and unseen == len(runs) and old == 0

    def _add(self, rule: Rule, run_ids: list[str]) -> None:
        room = self.cap - sum(1 for rid in self.followed if self.target.watched(rid))
        if room < len(run_ids):
            if not self._cap_said:
                self._cap_said = True
                self.target.say(
                    f"follow rules: {self.cap} followed runs on the list (follow_max); no "
                    "more are added: remove some or raise follow_max in the config file",
                    True,
                )
            run_ids = run_ids[: max(0, room)]
        else:
            self._cap_said = False
        if not run_ids:
            return
        self.followed.update(run_ids)
        self.stats.added += len(run_ids)
        self.target.follow(run_ids, rule)

    def _problem(self, exc: NektError, line: str) -> None:
        self._failures += 1
        self.stats.problems.append(line)
        log.warning("%s", line)
        kind = f"{type(exc).__name__} {getattr(exc, 'status_code', '')}"
        if kind != self._said:  # once per kind of failure, not every interval
            self._said = kind
            self.target.say(line, True)

    def _backoff(self) -> float:
        return self.interval * float(min(MAX_BACKOFF, 2**self._failures))


def _finished(run: Run) -> bool:
    status = run.status
    return isinstance(status, RunStatus) and status.is_terminal


def _since(run: Run, cutoff: datetime) -> bool:
    """Whether the run began at or after `cutoff` (a run without a date counts as recent)."""
    at = run.created_at or run.started_at or run.updated_at
    return at is None or at >= cutoff


__all__ = ["FollowStats", "FollowTarget", "Follower", "RunLister"]
