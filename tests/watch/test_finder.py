"""A flat detail's run filled from the run list, the pipeline lists and expand (issue 15)."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from typing import Any

from nekt_tui.api.models import Run, RunPage, User
from nekt_tui.clock import FakeClock
from nekt_tui.simulator import World
from nekt_tui.watch.events import AuthProblem, Event, RunUpdated, StatusChanged
from nekt_tui.watch.scheduler import Scheduler
from tests.watch.conftest import Sim, make_run
from tests.watch.test_sweep import ListingSource

Build = Callable[..., Scheduler]


def _flat(sim: Sim) -> World:
    """The sim's world answering every detail flat (the docs as they read today)."""
    world = World(seed=3, clock=sim.clock, n_runs=0, detail="flat")
    sim.transport.app.world = world
    sim.world = world
    return world


def _last(events: list[Event], rid: str) -> RunUpdated:
    return [e for e in events if isinstance(e, RunUpdated) and e.run_id == rid][-1]


class _Spy:
    """The sim's client, recording the list pages and the expands asked."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.pages: list[int] = []
        self.expands: list[str] = []

    async def get_run(
        self, run_id: str, *, patient: bool = False, expand: tuple[str, ...] = ()
    ) -> Run:
        if expand:
            self.expands.append(run_id)
        return await self.inner.get_run(run_id, patient=patient, expand=expand)  # type: ignore[no-any-return]

    async def list_runs(self, page: int = 1, page_size: int = 50) -> Any:
        self.pages.append(page)
        return await self.inner.list_runs(page, page_size)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def _list_count(sim: Sim) -> int:
    return sum(1 for r in sim.world.requests if r.path == "/api/v1/runs/")


async def test_failed_flat_run_shows_its_log_triggers_and_user(
    sim: Sim, make_scheduler: Build, events: list[Event]
) -> None:
    world = _flat(sim)
    rid = world.add_run([("running", 5.0)], "failed", pipeline="salesforce-to-catalog", ago=30)
    sched = make_scheduler(sim.client)
    sched.watch(rid)
    await sim.clock.advance(10)
    update = _last(events, rid)
    listed = world.run_json(rid, "nested")
    assert listed is not None
    assert update.run.parsed_log == listed["log"]["parsed_log"]
    assert "Traceback" in (update.run.parsed_log or "")
    assert update.run.pipeline is not None and update.run.pipeline.triggers
    assert update.run.name == "salesforce-to-catalog"
    assert isinstance(update.run.triggered_by, User) or update.run.triggered_by is None
    prov = update.provenance
    assert prov is not None and prov.log is not None and prov.pipeline is not None
    assert (prov.log.source, prov.pipeline.source) == ("run list", "run list")
    assert prov.log.describe("log", sim.clock.now()).startswith("log from the run list, ")
    # The detail still answers in the flat shape: nothing it lacks is blanked.
    assert sched.state(rid).run is not None
    assert sched.state(rid).run.parsed_log == listed["log"]["parsed_log"]  # type: ignore[union-attr]


async def test_user_comes_from_expand_once(
    sim: Sim, make_scheduler: Build, events: list[Event]
) -> None:
    world = _flat(sim)
    rids = [
        world.add_run([("running", 60.0)], "success", trigger_type="manual", ago=5)
        for _ in range(2)
    ]
    world.list_item_shape = None  # only expand names the user
    spy = _Spy(sim.client)
    sched = make_scheduler(spy)
    for rid in rids:
        sched.watch(rid)
    await sim.clock.advance(30)
    for rid in rids:
        update = _last(events, rid)
        assert isinstance(update.run.triggered_by, User)
        assert update.run.triggered_by.email
        assert update.provenance is not None and update.provenance.user is not None
        assert update.provenance.user.source == "expand"
    assert sorted(spy.expands) == sorted(rids)


class _IgnoresExpand:
    """A client whose API ignores `expand[]` (the detail's user stays an ID)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.expand_asked = 0

    async def get_run(
        self, run_id: str, *, patient: bool = False, expand: tuple[str, ...] = ()
    ) -> Run:
        self.expand_asked += bool(expand)
        return await self.inner.get_run(run_id, patient=patient)  # type: ignore[no-any-return]

    async def list_runs(self, page: int = 1, page_size: int = 50) -> Any:
        return await self.inner.list_runs(page, page_size)


async def test_expand_ignored_is_never_asked_again(
    sim: Sim, make_scheduler: Build, events: list[Event]
) -> None:
    world = _flat(sim)
    # Run-list copies would name the user: make them flat so only expand could.
    world.list_item_shape = None
    rids = [
        world.add_run([("running", 60.0)], "success", trigger_type="manual", ago=5)
        for _ in range(3)
    ]
    source = _IgnoresExpand(sim.client)
    sched = make_scheduler(source)
    for rid in rids:
        sched.watch(rid)
    await sim.clock.advance(20)
    assert source.expand_asked == 1
    prov = _last(events, rids[-1]).provenance
    assert prov is not None and prov.user_problem is not None
    assert "ignores expand" in prov.user_problem


async def test_run_on_a_later_page_is_found_and_its_page_remembered(
    sim: Sim, make_scheduler: Build, events: list[Event]
) -> None:
    world = World.demo(sim.clock, detail="flat", background_runs=200)
    sim.transport.app.world = world
    sim.world = world
    oldest = world.newest_first()[-1]
    rid = oldest.id
    spy = _Spy(sim.client)
    sched = make_scheduler(spy)
    sched.watch(rid)
    await sim.clock.advance(3)
    assert spy.pages[0] == 1 and spy.pages[-1] >= 3  # on page 3 or later (pages of 50)
    update = _last(events, rid)
    assert update.run.parsed_log == (world.run_json(rid, "nested") or {})["log"]["parsed_log"]
    assert update.provenance is not None and update.provenance.log is not None


async def test_a_running_run_is_followed_on_the_page_it_was_found_on(
    sim: Sim, make_scheduler: Build, events: list[Event]
) -> None:
    world = _flat(sim)
    sim.transport.app.max_page_size = 2
    rid = world.add_run([("running", 60.0)], "success", lines_per_second=2, ago=10)
    for _ in range(4):
        world.add_run([("running", 600.0)], "success", ago=5)
    spy = _Spy(sim.client)
    sched = make_scheduler(spy)
    sched.watch(rid)
    await sim.clock.advance(1)  # looked for as soon as its first answer came flat
    assert spy.pages == [1, 2, 3]
    spy.pages.clear()
    await sim.clock.advance(20)
    assert spy.pages and set(spy.pages) == {3}  # looked for there first, found there
    assert len(spy.pages) <= 10  # one page per interval at most


async def test_not_found_within_the_budget_says_so_and_status_goes_on(
    sim: Sim, make_scheduler: Build, events: list[Event]
) -> None:
    world = _flat(sim)
    sim.transport.app.max_page_size = 2
    rid = world.add_run([("running", 30.0)], "success", ago=3000)
    for _ in range(30):
        world.add_run([("running", 600.0)], "success", ago=10)
    sched = make_scheduler(sim.client)
    sched.watch(rid)
    await sim.clock.advance(40)
    assert _list_count(sim) == 10  # one search of 10 pages; the next waits
    prov = _last(events, rid).provenance
    assert prov is not None
    assert prov.log_problem == (
        "log not available: run not found in the first 10 pages of the run list"
    )
    assert any(
        isinstance(e, StatusChanged) and e.run_id == rid and e.run.is_terminal for e in events
    )


async def test_list_missing_says_so_and_triggers_come_from_the_sources_list(
    sim: Sim, make_scheduler: Build, events: list[Event]
) -> None:
    world = _flat(sim)
    sim.transport.app.list_errors["list"] = 404
    rid = world.add_run([("running", 30.0)], "success", pipeline="salesforce-to-catalog")
    sched = make_scheduler(sim.client)
    sched.watch(rid)
    await sim.clock.advance(10)
    assert _list_count(sim) == 1  # never asked again
    update = _last(events, rid)
    prov = update.provenance
    assert prov is not None
    assert (
        prov.log_problem
        == "log not available: the run list is not available on this API (HTTP 404)"
    )
    assert prov.pipeline is not None and prov.pipeline.source == "sources list"
    assert update.run.pipeline is not None and update.run.pipeline.triggers
    assert update.run.name == "salesforce-to-catalog"


async def test_list_refused_stops_only_the_list(
    sim: Sim, make_scheduler: Build, events: list[Event]
) -> None:
    """A key without the list's scope: 403 on the list, 200 on the detail."""
    world = _flat(sim)
    sim.transport.app.list_errors["list"] = 403
    rids = [world.add_run([("running", 30.0)], "success") for _ in range(5)]
    sched = make_scheduler(sim.client)
    for rid in rids:
        sched.watch(rid)
    await sim.clock.advance(60)
    assert not any(isinstance(e, AuthProblem) for e in events)
    assert sched.auth_error is None
    assert _list_count(sim) == 1
    for rid in rids:
        assert sched.state(rid).status is not None and sched.state(rid).status.is_terminal  # type: ignore[union-attr]
        prov = sched.provenance(rid)
        assert prov is not None
        assert prov.log_problem == (
            "log not available: the run list is refused for this API key (HTTP 403)"
        )


async def test_running_flat_log_follows_at_one_list_request_per_interval(
    sim: Sim, make_scheduler: Build, events: list[Event]
) -> None:
    world = _flat(sim)
    rids = [world.add_run([("running", 40.0)], "success", lines_per_second=3) for _ in range(3)]
    sched = make_scheduler(sim.client)
    for rid in rids:
        sched.watch(rid)
    await sim.clock.advance(30)
    times = [r.time for r in world.requests if r.path == "/api/v1/runs/"]
    assert all(b - a >= 2.0 - 1e-9 for a, b in itertools.pairwise(times))
    for rid in rids:
        grown = [e for e in events if isinstance(e, RunUpdated) and e.run_id == rid and e.log_delta]
        assert len(grown) >= 5  # the log grows as the run runs
        assert all(not e.log_delta.reset for e in grown[1:])  # type: ignore[union-attr]
    await sim.clock.advance(30)
    for rid in rids:
        final = world.run_json(rid, "nested")
        assert final is not None
        assert sched.state(rid).run.parsed_log == final["log"]["parsed_log"]  # type: ignore[union-attr]
    after = _list_count(sim)
    await sim.clock.advance(30)
    assert _list_count(sim) == after  # finished and whole: the list is not asked again


async def test_search_stops_at_a_page_of_older_runs(
    clock: FakeClock, make_scheduler: Build, events: list[Event]
) -> None:
    """The list is newest first: once a page holds only older runs, the run is not further
    on (a run the list does not show, e.g. of another workspace's view)."""
    rid = "3c90c3cc-0d44-4b50-8888-8dd25736052a"

    def detail(run_id: str, _t: float) -> Run:
        return Run.model_validate(
            {"id": run_id, "status": "running", "created_at": "2026-01-15T12:00:00Z"}
        )

    older = [
        make_run(str(uuid.UUID(int=i + 1, version=4)), "success", "x\n",
                 created_at="2026-01-15T11:00:00Z")
        for i in range(3)
    ]  # fmt: skip
    source = ListingSource(
        clock, detail, pages=lambda _p, _t: RunPage(results=older, next="http://x/?page=9")
    )
    sched = make_scheduler(source)
    sched.watch(rid)
    await clock.advance(1)
    assert len(source.list_calls) == 1
    prov = sched.provenance(rid)
    assert prov is not None
    assert prov.log_problem == (
        "log not available: run not found in the run list (its pages reached older runs)"
    )
