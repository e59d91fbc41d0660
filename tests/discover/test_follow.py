"""The follower against the in-process simulator, on a FakeClock: one run-list request per
interval whatever the rules, the matching runs added with the rule that matched, the cap,
a removal that sticks, and a refused list that is one line and touches nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from nekt_tui.api.client import NektClient
from nekt_tui.api.enums import RunStatus
from nekt_tui.clock import FakeClock
from nekt_tui.discover.follow import Follower
from nekt_tui.discover.rules import Rule, parse_rules
from nekt_tui.simulator import DEMO_KEY, World, app_transport
from nekt_tui.simulator.transport import SimulatorTransport

INTERVAL = 30.0


@dataclass
class Target:
    """A watch list that keeps what the follower did."""

    watching: set[str] = field(default_factory=set)
    added: list[tuple[tuple[str, ...], str]] = field(default_factory=list)
    said: list[str] = field(default_factory=list)

    def watched(self, run_id: str) -> bool:
        return run_id in self.watching

    def follow(self, run_ids: Sequence[str], rule: Rule) -> None:
        self.watching.update(run_ids)
        self.added.append((tuple(run_ids), rule.text))

    def say(self, text: str, warning: bool) -> None:
        self.said.append(text)

    @property
    def followed(self) -> list[str]:
        return [rid for ids, _ in self.added for rid in ids]


@dataclass
class Sim:
    clock: FakeClock
    world: World
    transport: SimulatorTransport
    client: NektClient

    def list_requests(self) -> int:
        return sum(1 for r in self.transport.requests if r.path == "/api/v1/runs/")


@pytest.fixture
async def sim() -> AsyncIterator[Sim]:
    clock = FakeClock()
    world = World.demo(clock, background_runs=120)
    transport = app_transport(world, DEMO_KEY)
    client = NektClient(
        DEMO_KEY, "https://nekt.sim", transport=transport, sleep=clock.sleep, now=clock.now
    )
    async with client:
        yield Sim(clock, world, transport, client)


def follower(sim: Sim, target: Target, *rules: str, **kw: float) -> Follower:
    return Follower(
        parse_rules(rules),
        lambda: sim.client,
        target,
        sim.clock,
        interval=INTERVAL,
        **kw,  # type: ignore[arg-type]
    )


async def failed_on_page_1(sim: Sim) -> set[str]:
    page = await sim.client.list_runs(1, 50)
    return {r.id for r in page.results if r.status is RunStatus.FAILED}


async def test_status_failed_adds_the_failed_runs_at_the_first_look(sim: Sim) -> None:
    expected = await failed_on_page_1(sim)
    assert expected
    target = Target()
    await follower(sim, target, "status:failed").step()
    assert set(target.followed) == expected
    assert {rule for _, rule in target.added} == {"status:failed"}
    assert target.said == []


async def test_one_list_request_per_interval_whatever_the_rules(sim: Sim) -> None:
    target = Target()
    rules = ("status:failed", "pipeline:hubspot-*", "type:destination status:running")
    task = follower(sim, target, *rules, since=10 * 86_400.0).run()
    running = asyncio.ensure_future(task)
    try:
        before = sim.list_requests()
        for _ in range(6):
            await sim.clock.advance(INTERVAL)
        # The first look at start, then one per interval: start-up paging included.
        assert sim.list_requests() - before == 7
        assert target.followed
    finally:
        running.cancel()


async def test_start_up_pages_back_one_page_per_interval_until_older_than_since(
    sim: Sim,
) -> None:
    target = Target()
    follow = follower(sim, target, "status:failed", since=10 * 86_400.0)
    pages = []
    for _ in range(9):
        pages.append(follow.next_page)
        await follow.step()
    # 131 runs, 50 a page: pages 1-3 at start, then page 1 at least every other look
    # (between them, the deeper pages where unfinished runs went).
    assert pages[:4] == [1, 2, 3, 1]
    assert all(1 in pages[i : i + 2] for i in range(3, 8))
    assert follow.stats.requests == 9
    on_list = set()
    for n in (1, 2, 3):
        page = await sim.client.list_runs(n, 50)
        on_list |= {r.id for r in page.results if r.status is RunStatus.FAILED}
    assert set(target.followed) == on_list


async def test_a_short_look_back_stops_at_the_first_page(sim: Sim) -> None:
    target = Target()
    follow = follower(sim, target, "status:failed", since=20 * 60.0)
    await follow.step()
    assert follow.next_page == 1  # page 1 already reaches past the last 20 minutes
    cutoff = sim.clock.now() - timedelta(minutes=20)
    page = await sim.client.list_runs(1, 50)
    recent = {
        r.id
        for r in page.results
        if r.status is RunStatus.FAILED and r.created_at is not None and r.created_at >= cutoff
    }
    assert recent and set(target.followed) == recent


async def test_new_failures_after_start_are_added(sim: Sim) -> None:
    target = Target()
    follow = follower(sim, target, "status:failed", since=60.0)
    await follow.step()
    first = set(target.followed)
    new = sim.world.add_run((("running", 5.0),), "failed", pipeline="stripe-to-catalog")
    await sim.clock.advance(10)
    await follow.step()
    assert new in target.followed
    assert first <= set(target.followed)
    assert target.added[-1] == ((new,), "status:failed")


async def test_the_cap_adds_no_more_and_says_so_once(sim: Sim) -> None:
    target = Target()
    follow = follower(sim, target, "status:failed", since=10 * 86_400.0, cap=2)
    for _ in range(4):
        await follow.step()
    assert len(target.followed) == 2
    assert len(target.said) == 1
    assert "follow_max" in target.said[0]


async def test_a_removed_run_is_not_added_back(sim: Sim) -> None:
    target = Target()
    follow = follower(sim, target, "status:failed")
    await follow.step()
    gone = target.followed[0]
    target.watching.discard(gone)  # the user removed it
    for _ in range(3):
        await sim.clock.advance(INTERVAL)
        await follow.step()
    assert gone not in target.watching
    assert target.followed.count(gone) == 1


@pytest.mark.parametrize(("status", "words"), [(403, "may not read it"), (404, "not available")])
async def test_a_refused_list_is_one_line_with_backoff(sim: Sim, status: int, words: str) -> None:
    sim.transport.app.list_errors["list"] = status
    target = Target(watching={"kept"})
    follow = follower(sim, target, "status:failed")
    waits = [await follow.step() for _ in range(4)]
    assert target.watching == {"kept"} and target.added == []
    assert len(target.said) == 1 and words in target.said[0]
    assert "run list" in target.said[0]
    assert waits == sorted(waits) and waits[-1] > INTERVAL  # backs off
    sim.transport.app.list_errors.clear()
    assert await follow.step() == INTERVAL
    assert target.followed


async def test_nothing_is_sent_without_a_client(sim: Sim) -> None:
    target = Target()
    follow = Follower(parse_rules(["status:failed"]), lambda: None, target, sim.clock)
    before = sim.list_requests()
    assert await follow.step() == 30.0
    assert sim.list_requests() == before


async def test_a_run_that_fails_after_sliding_past_page_1_is_still_followed() -> None:
    clock = FakeClock()
    world = World(seed=1, clock=clock, n_runs=0)
    transport = app_transport(world, DEMO_KEY)
    async with NektClient(
        DEMO_KEY, "https://nekt.sim", transport=transport, sleep=clock.sleep, now=clock.now
    ) as client:
        sim = Sim(clock, world, transport, client)
        target = Target()
        follow = Follower(
            parse_rules(["status:failed"]), lambda: client, target, clock, page_size=5
        )
        slow = world.add_run((("running", 600.0),), "failed")
        await follow.step()
        assert slow in follow.pending
        for _ in range(12):  # twelve quick successes push it to page 3 of five a page
            world.add_run((("running", 1.0),), "success")
            await clock.advance(1)
        for _ in range(3):
            await clock.advance(INTERVAL)
            await follow.step()
        await clock.advance(600)  # it has failed now, on page 3
        pages = []
        for _ in range(4):
            pages.append(follow.next_page)
            await follow.step()
        assert target.added == [((slow,), "status:failed")]
        assert 1 in pages[:2] and max(pages) == 3
        assert sim.list_requests() == follow.stats.requests
