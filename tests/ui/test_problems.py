"""Problems on screen: no key, a refused key, 429s, an unreachable API, a missing run."""

from __future__ import annotations

from typing import Any

from textual.widgets import Input, Static

from nekt_tui.api.client import NektClient
from nekt_tui.api.errors import ApiUnreachableError, RunNotFoundError
from nekt_tui.config import Config
from nekt_tui.simulator import DEMO_KEY, Faults, World
from nekt_tui.ui.factory import build_app
from nekt_tui.ui.screens.key_dialog import KeyDialog
from nekt_tui.ui.state.store import RunStore, StoredRun
from nekt_tui.ui.widgets.watch_list import WatchList
from tests.app_parts import make_app

from .conftest import RUN_A, RUN_B, ScriptedSource, advance, make_sim, run_json, scripted_app


def _one_run(clock: object) -> World:
    world = World(seed=2, clock=clock, n_runs=0)  # type: ignore[arg-type]
    world.add_run((("running", 600.0),), "success")
    return world


async def test_missing_key_opens_with_instructions(tmp_path: object) -> None:
    config = Config(api_key=None, state_file=tmp_path / "list.json")  # type: ignore[operator]
    app = build_app(config, demo=False, initial_text=RUN_A)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        notice = app.main.query_one("#notice", Static)
        assert notice.display
        text = str(notice.render())
        assert "No API key" in text and "NEKT_API_KEY" in text and "--demo" in text
        assert "no API key" in str(app.widgets.header.render())
        assert list(app.model.rows) == [RUN_A]  # the run given is still added and saved
        await pilot.press("r")
        assert any("Not polling" in n.message for n in app.toasts)
        assert app.is_running


async def test_refused_key_says_what_to_do_and_stops_polling() -> None:
    sim = make_sim(_one_run, api_key="wrong-key")
    async with sim.app.run_test(size=(120, 30)) as pilot:
        await sim.advance(pilot, 1)
        assert sim.app.conn.kind == "auth"
        assert "authentication failed" in str(sim.app.widgets.header.render())
        notice = str(sim.app.main.query_one("#notice", Static).render())
        assert "NEKT_API_KEY" in notice and "R" in notice
        asked = len(sim.world.requests)
        await sim.advance(pilot, 60)
        assert len(sim.world.requests) == asked  # no request storm


async def test_rate_limited_header_and_recovery() -> None:
    faults = Faults(rate_limit_rate=1.0, rate_limit_seconds=30, retry_after_date_rate=0.0)
    sim = make_sim(_one_run, faults=faults)
    async with sim.app.run_test(size=(120, 30)) as pilot:
        await sim.advance(pilot, 1)
        assert sim.app.conn.kind == "rate_limited"
        assert "rate limited until 12:00:30" in str(sim.app.widgets.header.render())
        faults.off()
        await sim.advance(pilot, 31)
        assert sim.app.conn.kind == "live"
        (run_id,) = sim.world.run_ids
        assert sim.app.model.rows[run_id].run is not None


async def test_unreachable_since_then_recovers() -> None:
    source = ScriptedSource({RUN_A: ApiUnreachableError("api.nekt.ai", "connection refused")})
    app, clock = scripted_app(source, [RUN_A])
    async with app.run_test(size=(120, 30)) as pilot:
        await advance(pilot, clock, 1)
        assert "unreachable since 12:00" in str(app.widgets.header.render())
        assert "unreachable" in app.main.query_one(WatchList).render_line(1).text
        source.answers[RUN_A] = run_json(RUN_A, "running")
        for _ in range(70):
            await advance(pilot, clock, 1)
        assert app.conn.kind == "live"
        assert "unreachable" not in app.main.query_one(WatchList).render_line(1).text


async def test_each_row_shows_its_own_problem() -> None:
    source = ScriptedSource({RUN_A: RunNotFoundError(RUN_A), RUN_B: run_json(RUN_B, "running")})
    app, clock = scripted_app(source, [RUN_A, RUN_B])
    async with app.run_test(size=(80, 24)) as pilot:
        await advance(pilot, clock, 1)
        watch_list = app.main.query_one(WatchList)
        assert "not found" in watch_list.render_line(1).text
        assert "ago" in watch_list.render_line(2).text
        # RUN_B stops answering: after three intervals it is stale, and says so.
        source.answers[RUN_B] = ApiUnreachableError("api.nekt.ai", "timeout")
        for _ in range(10):
            await advance(pilot, clock, 1)
        line = watch_list.render_line(2).text
        assert "unreachable" in line or "stale" in line
        assert app.model.rows[RUN_B].stale or app.model.rows[RUN_B].error is not None


def _sim_source_factory(sim: Any) -> Any:
    def make_source(key: str) -> NektClient:
        return NektClient(
            key,
            "http://127.0.0.1:8765",
            transport=sim.transport,
            sleep=sim.clock.sleep,
            now=sim.clock.now,
        )

    return make_source


async def test_a_refused_key_is_replaced_in_the_app_and_never_shown() -> None:
    sim = make_sim(_one_run, api_key="revoked-key")
    sim.app.session.make_source = _sim_source_factory(sim)
    (run_id,) = sim.world.run_ids
    async with sim.app.run_test(size=(120, 30)) as pilot:
        await sim.advance(pilot, 1)
        assert sim.app.conn.kind == "auth"
        await pilot.press("K")
        assert isinstance(sim.app.screen, KeyDialog)
        await pilot.press(*DEMO_KEY)
        shown = str(sim.app.screen.query_one(Input).render_line(1).text)
        assert DEMO_KEY not in shown  # a password field
        await pilot.press("enter")
        await sim.advance(pilot, 1)
        assert sim.app.conn.kind == "live"
        assert not sim.app.main.query_one("#notice", Static).display
        assert sim.app.model.rows[run_id].run is not None
        screen = sim.app.export_screenshot()
        assert DEMO_KEY not in screen


async def test_missing_key_can_be_entered_in_the_app() -> None:
    sim = make_sim(_one_run)
    (run_id,) = sim.world.run_ids
    app = make_app(
        store=RunStore.in_memory([StoredRun(run_id, None, None)]),
        clock=sim.clock,
        host="simulator",
        problem="No API key: press K",
        make_source=_sim_source_factory(sim),
    )
    async with app.run_test(size=(120, 30)) as pilot:
        await advance(pilot, sim.clock, 1)
        assert app.scheduler is None and app.conn.kind == "no_key"
        assert sim.world.requests.total == 0
        await pilot.press("K", *DEMO_KEY, "enter")
        await advance(pilot, sim.clock, 1)
        assert app.scheduler is not None
        assert app.conn.kind == "live"
        assert app.model.rows[run_id].run is not None


async def test_a_failing_action_is_reported_not_a_traceback() -> None:
    sim = make_sim(_one_run)

    def broken() -> str:
        raise RuntimeError("boom")

    async with sim.app.run_test(size=(100, 30)) as pilot:
        await sim.advance(pilot, 1)
        sim.app.model.cycle_sort = broken  # type: ignore[method-assign]
        await pilot.press("s")
        await pilot.press("s")
        assert sim.app.is_running
        reports = [n.message for n in sim.app.toasts if "went wrong" in n.message]
        assert reports == [
            "Something went wrong while sorting (RuntimeError); nekt-tui keeps running."
        ]  # said once, however often it happens
        await pilot.press("p")  # and the app still works
        assert next(iter(sim.app.model.rows.values())).paused
