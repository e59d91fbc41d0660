"""The sweeper alone, over a fake `SweepHost`: it sees nothing else of the engine."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from nekt_tui.api.errors import AuthenticationError, NektError, RateLimitedError
from nekt_tui.api.models import Run, RunPage
from nekt_tui.clock import FakeClock
from nekt_tui.watch import sweep
from nekt_tui.watch.runstate import Watched
from nekt_tui.watch.sweep import Sweeper
from tests.watch.conftest import make_run


def ids(n: int) -> list[str]:
    return [f"{i:08x}-0000-4000-8000-000000000000" for i in range(n)]


@dataclass
class Lister:
    """Answers every page with the same runs, or raises `error`."""

    items: list[Run]
    error: NektError | None = None
    pages: list[int] = field(default_factory=list)
    on_call: Callable[[], None] | None = None

    async def get_run(self, run_id: str, *, patient: bool = False) -> Run:
        raise AssertionError("the sweeper never polls a single run")

    async def list_runs(self, page: int = 1, page_size: int = 50) -> RunPage:
        self.pages.append(page)
        if self.on_call is not None:
            self.on_call()
        if self.error is not None:
            raise self.error
        return RunPage(results=self.items, next=None)


@dataclass
class Host:
    """A `SweepHost` that records what the sweeper asked of it."""

    source: object
    runs: dict[str, Watched]
    interval: float = 2.0
    closed: bool = False
    allowed: bool = True
    free_slots: int = 1
    stood_in: list[tuple[str, float]] = field(default_factory=list)
    woken: int = 0
    blocked: list[float | None] = field(default_factory=list)
    refused: list[NektError] = field(default_factory=list)

    def sweep_allowed(self, now: float) -> bool:
        return self.allowed

    def sweep_candidates(self) -> int:
        return len(self.runs)

    def watched(self, run_id: str) -> Watched | None:
        return self.runs.get(run_id)

    def stand_in(self, run: Watched, listed: Run, extra_delay: float) -> None:
        self.stood_in.append((run.run_id, extra_delay))

    def try_slot(self) -> bool:
        if self.free_slots:
            self.free_slots -= 1
            return True
        return False

    async def slot_freed(self) -> None:
        await asyncio.sleep(0)
        self.free_slots += 1

    def release_slot(self) -> None:
        self.free_slots += 1

    def wake(self) -> None:
        self.woken += 1

    def block_for(self, retry_after: float | None) -> object:
        self.blocked.append(retry_after)
        return None

    def refuse(self, error: NektError) -> None:
        self.refused.append(error)


def polled_runs(n: int) -> dict[str, Watched]:
    """Runs already polled once (running), each with its next poll planned."""
    runs = {}
    for rid in ids(n):
        run = Watched(rid, None, 0.0)
        run.run, run.due, run.unpolled = make_run(rid, "running"), 2.0, False
        runs[rid] = run
    return runs


async def test_listed_runs_stand_in_for_their_polls(clock: FakeClock) -> None:
    runs = polled_runs(sweep.MIN_RUNS)
    lister = Lister([make_run(rid, "running") for rid in runs])
    host = Host(lister, runs)
    sweeper = Sweeper(host, clock)
    assert await sweeper.sweep_once() == host.interval
    assert lister.pages == [1]
    assert host.stood_in == [(rid, sweep.GRACE) for rid in runs]
    assert sweeper.polls_saved == sweep.MIN_RUNS and host.free_slots == 1


async def test_a_first_poll_or_a_finished_run_is_never_taken_from_the_list(
    clock: FakeClock,
) -> None:
    runs = polled_runs(sweep.MIN_RUNS + 2)
    first, done = list(runs.values())[:2]
    first.run = None  # never answered by the detail endpoint yet
    done.run = make_run(done.run_id, "success")
    lister = Lister([make_run(rid, "running") for rid in runs])
    host = Host(lister, runs)
    await Sweeper(host, clock).sweep_once()
    taken = {rid for rid, _ in host.stood_in}
    assert taken == set(runs) - {first.run_id, done.run_id}


async def test_no_page_while_the_host_says_no_and_parked_workers_are_woken(
    clock: FakeClock,
) -> None:
    runs = polled_runs(sweep.MIN_RUNS)
    lister = Lister([make_run(rid, "running") for rid in runs])
    host = Host(lister, runs, allowed=False)
    await Sweeper(host, clock).sweep_once()
    assert lister.pages == []
    host.allowed = True
    host.free_slots = 0
    task = asyncio.ensure_future(Sweeper(host, clock).sweep_once())
    await asyncio.sleep(0)
    host.allowed = False  # e.g. a 429 came back while the sweep waited for a slot
    await task
    assert lister.pages == [] and host.woken == 1


async def test_a_429_on_a_page_holds_every_request_and_sweeping_backs_off(
    clock: FakeClock,
) -> None:
    runs = polled_runs(sweep.MIN_RUNS)
    lister = Lister([], error=RateLimitedError(7.0))
    host = Host(lister, runs)
    sweeper = Sweeper(host, clock)
    delays = [await sweeper.sweep_once() for _ in range(3)]
    assert host.blocked == [7.0, 7.0, 7.0] and host.free_slots == 1
    assert delays == [4.0, 8.0, 16.0]


async def test_a_refused_key_is_passed_on_only_for_the_source_in_use(
    clock: FakeClock,
) -> None:
    runs = polled_runs(sweep.MIN_RUNS)
    lister = Lister([], error=AuthenticationError(401))
    host = Host(lister, runs)
    sweeper = Sweeper(host, clock)
    await sweeper.sweep_once()
    assert len(host.refused) == 1
    # The key is replaced while the page is on its way: its refusal is old news.
    lister.on_call = lambda: setattr(host, "source", Lister([]))
    await sweeper.sweep_once()
    assert len(lister.pages) == 2 and len(host.refused) == 1
