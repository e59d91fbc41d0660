"""Follow rules in the app, on a FakeClock against the in-process simulator: an empty
watch list fills with the failed runs within one list interval, marked as followed, with
a toast naming the rule; a removed run stays removed; a refused list leaves the list be."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from nekt_tui.api.client import NektClient
from nekt_tui.api.enums import RunStatus
from nekt_tui.clock import FakeClock
from nekt_tui.config import Config
from nekt_tui.simulator import DEMO_KEY, World, app_transport
from nekt_tui.ui.factory import build_app
from nekt_tui.ui.state.following import FollowSettings
from nekt_tui.ui.widgets.row_text import FOLLOWED

from .conftest import Sim, make_sim, until_started

INTERVAL = 30.0


def world(clock: FakeClock) -> World:
    return World.demo(clock, background_runs=40)


def follow_sim(*rules: str, **kw: Any) -> Sim:
    # The engine's own sweeps off: every run-list request counted is the follower's.
    return make_sim(world, runs=[], run_list=False, follow=FollowSettings(rules, INTERVAL), **kw)


async def failed_on_page_1(sim: Sim) -> set[str]:
    transport = app_transport(sim.world, DEMO_KEY)  # a second door: its requests apart
    async with NektClient(DEMO_KEY, "https://nekt.sim", transport=transport) as client:
        page = await client.list_runs(1, 50)
    return {r.id for r in page.results if r.status is RunStatus.FAILED}


def list_requests(sim: Sim) -> int:
    return sum(1 for r in sim.transport.requests if r.path == "/api/v1/runs/")


def toasts(sim: Sim) -> list[str]:
    return [str(t.message) for t in sim.app.toasts]


async def started(pilot: Pilot[Any], sim: Sim) -> None:
    await until_started(pilot)
    await sim.clock.settle()
    await pilot.pause()


async def test_an_empty_list_shows_the_failed_runs_within_one_interval() -> None:
    sim = follow_sim("status:failed")
    expected = await failed_on_page_1(sim)
    assert expected
    before = list_requests(sim)
    async with sim.app.run_test(size=(120, 40)) as pilot:
        await started(pilot, sim)
        await sim.advance(pilot, INTERVAL)
        watched = set(sim.app.model.rows)
        assert expected <= watched
        assert all(row.followed_by == "status:failed" for row in sim.app.model.rows.values())
        assert f"following {len(expected)} runs: status:failed" in toasts(sim)
        # Page 1 at start, page 2 one interval later: one request per interval.
        assert list_requests(sim) - before == 2
        shown = sim.app.widgets.watch_list.render_line(1).text
        assert shown.startswith(shown[0] + FOLLOWED)


async def test_a_removed_followed_run_is_not_added_back() -> None:
    sim = follow_sim("status:failed")
    async with sim.app.run_test(size=(120, 40)) as pilot:
        await started(pilot, sim)
        gone = next(iter(sim.app.model.rows))
        sim.app.session.remove(gone)
        for _ in range(4):
            await sim.advance(pilot, INTERVAL)
        assert gone not in sim.app.model
        assert len(sim.app.model) > 0


async def test_the_cap_is_one_line() -> None:
    sim = make_sim(
        world, runs=[], run_list=False, follow=FollowSettings(("status:failed",), INTERVAL, cap=2)
    )
    async with sim.app.run_test(size=(120, 40)) as pilot:
        await started(pilot, sim)
        await sim.advance(pilot, INTERVAL)
        assert len(sim.app.model) == 2
        capped = [t for t in toasts(sim) if "follow_max" in t]
        assert len(capped) == 1


async def test_a_refused_run_list_is_one_line_and_the_list_is_untouched() -> None:
    sim = follow_sim("status:failed")
    sim.transport.app.list_errors["list"] = 403
    async with sim.app.run_test(size=(120, 40)) as pilot:
        await started(pilot, sim)
        for _ in range(3):
            await sim.advance(pilot, INTERVAL)
        assert len(sim.app.model) == 0
        said = [t for t in toasts(sim) if "run list" in t]
        assert len(said) == 1 and "403" in said[0]
        assert not sim.app.toasts or all("Traceback" not in t for t in toasts(sim))


async def test_the_demo_with_a_follow_rule_starts_empty_and_follows() -> None:
    clock = FakeClock()
    app = build_app(Config(follow=("status:failed",)), demo=True, initial_text=None, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await until_started(pilot)
        await clock.settle()
        await pilot.pause()
        rows = list(app.model.rows.values())
        assert rows and all(row.followed_by == "status:failed" for row in rows)
