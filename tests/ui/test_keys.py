"""Every key of the main screen, driven with Pilot against the simulator on a FakeClock."""

from __future__ import annotations

import pytest
from textual import events
from textual.widgets import Input, Static

from nekt_tui.api.models import RunStatus
from nekt_tui.simulator import World
from nekt_tui.ui.screens.add_dialog import AddDialog
from nekt_tui.ui.screens.help_screen import HelpScreen
from nekt_tui.ui.state.store import RunStore, StoredRun
from nekt_tui.ui.widgets.pipeline_panel import PipelinePanel
from nekt_tui.ui.widgets.status_panel import StatusPanel
from nekt_tui.ui.widgets.watch_list import WatchList
from nekt_tui.watch.scheduler import Scheduler
from tests.app_parts import make_app

from .conftest import RUN_A, RUN_B, advance, make_sim, until_started


def _two_runs(clock: object) -> World:
    world = World(seed=1, clock=clock, n_runs=0)  # type: ignore[arg-type]
    world.add_run((("running", 600.0),), "success", pipeline=None)
    world.add_run((("queued", 600.0),), "success", pipeline=None)
    return world


async def test_demo_starts_with_every_run_fetched() -> None:
    sim = make_sim()
    async with sim.app.run_test(size=(120, 40)) as pilot:
        await sim.advance(pilot, 1)
        rows = sim.app.model.rows
        assert len(rows) == len(sim.world.run_ids) == len(sim.app.model.view)
        assert all(row.run is not None for row in rows.values())
        assert sim.app.conn.kind == "live"
        statuses = {row.status for row in rows.values()}
        assert {RunStatus.RUNNING, RunStatus.FAILED, RunStatus.SUCCESS} <= statuses


async def test_add_valid_ids_from_pasted_text() -> None:
    sim = make_sim(_two_runs, runs=[])
    async with sim.app.run_test(size=(100, 30)) as pilot:
        await pilot.press("a")
        assert isinstance(sim.app.screen, AddDialog)
        box = sim.app.screen.query_one(Input)
        first, second = sim.world.run_ids
        box.post_message(events.Paste(f"see https://app.nekt.ai/runs/{first}/\nand {second}\n"))
        await pilot.pause()
        await pilot.press("enter")
        await sim.advance(pilot, 1)
        assert not isinstance(sim.app.screen, AddDialog)
        assert list(sim.app.model.rows) == [first, second]
        assert [e.run_id for e in sim.app.store.entries()] == [first, second]
        assert sim.app.store.saves >= 1
        assert sim.app.scheduler is not None and first in sim.app.scheduler
        assert sim.app.model.rows[first].run is not None  # polled straight away


async def test_add_invalid_is_explained_inline_and_adds_nothing() -> None:
    sim = make_sim(_two_runs)
    async with sim.app.run_test(size=(100, 30)) as pilot:
        before = list(sim.app.model.rows)
        await pilot.press("a")
        await pilot.press(*"not-a-run")
        await pilot.press("enter")
        assert isinstance(sim.app.screen, AddDialog)
        message = sim.app.screen.query_one("#add-message", Static)
        assert "No run ID" in str(message.render())
        assert message.has_class("error")
        # A truncated UUID next to a good one: nothing is added either.
        box = sim.app.screen.query_one(Input)
        box.value = f"{RUN_A} 3c90c3cc-0d44-4b50-8888"
        await pilot.press("enter")
        assert "not a whole UUID" in str(message.render())
        await pilot.press("escape")
        assert not isinstance(sim.app.screen, AddDialog)
        assert list(sim.app.model.rows) == before
        assert [e.run_id for e in sim.app.store.entries()] == before


async def test_add_already_watched_is_refused_inline() -> None:
    sim = make_sim(_two_runs)
    async with sim.app.run_test(size=(100, 30)) as pilot:
        await pilot.press("a")
        sim.app.screen.query_one(Input).value = sim.world.run_ids[0]
        await pilot.press("enter")
        assert isinstance(sim.app.screen, AddDialog)
        assert "already" in str(sim.app.screen.query_one("#add-message", Static).render())


async def test_remove_then_undo_restores_the_run_in_place() -> None:
    sim = make_sim(_two_runs)
    first, second = sim.world.run_ids
    async with sim.app.run_test(size=(100, 30)) as pilot:
        await sim.advance(pilot, 1)
        assert sim.app.widgets.watch_list.selected == first
        await pilot.press("d")
        assert list(sim.app.model.rows) == [second]
        assert [e.run_id for e in sim.app.store.entries()] == [second]
        assert sim.app.scheduler is not None and first not in sim.app.scheduler
        asked = sim.requests_for(first)
        await sim.advance(pilot, 10)
        assert sim.requests_for(first) == asked  # no longer polled
        await pilot.press("u")
        assert list(sim.app.model.rows) == [first, second]
        assert [e.run_id for e in sim.app.store.entries()] == [first, second]
        assert first in sim.app.scheduler
        assert sim.app.widgets.watch_list.selected == first
        await sim.advance(pilot, 3)
        assert sim.requests_for(first) > asked


async def test_refresh_one_and_all() -> None:
    sim = make_sim(_two_runs)
    first, second = sim.world.run_ids
    async with sim.app.run_test(size=(100, 30)) as pilot:
        await sim.advance(pilot, 0.5)
        counts = (sim.requests_for(first), sim.requests_for(second))
        await pilot.press("r")
        await sim.advance(pilot, 0)
        assert sim.requests_for(first) == counts[0] + 1
        assert sim.requests_for(second) == counts[1]
        await pilot.press("R")
        await sim.advance(pilot, 0)
        assert sim.requests_for(first) == counts[0] + 2
        assert sim.requests_for(second) == counts[1] + 1


async def test_pause_one_run_and_everything() -> None:
    sim = make_sim(_two_runs)
    first, _second = sim.world.run_ids
    async with sim.app.run_test(size=(100, 30)) as pilot:
        await sim.advance(pilot, 1)
        await pilot.press("p")
        row = sim.app.model.rows[first]
        assert row.paused and sim.app.scheduler is not None
        assert sim.app.scheduler.state(first).paused
        asked = sim.requests_for(first)
        await sim.advance(pilot, 20)
        assert sim.requests_for(first) == asked
        assert "paused" in sim.app.widgets.watch_list.render_line(1).text
        assert "1 paused" in str(sim.app.widgets.header.render())
        await pilot.press("p")
        await sim.advance(pilot, 3)
        assert sim.requests_for(first) > asked

        await pilot.press("P")
        assert "PAUSED" in str(sim.app.widgets.header.render())
        total = len(sim.world.requests)
        await sim.advance(pilot, 30)
        assert len(sim.world.requests) == total
        await pilot.press("P")
        await sim.advance(pilot, 6)
        assert len(sim.world.requests) > total
        assert "PAUSED" not in str(sim.app.widgets.header.render())


async def test_plus_and_minus_change_the_poll_interval() -> None:
    sim = make_sim(_two_runs)
    async with sim.app.run_test(size=(100, 30)) as pilot:
        await until_started(pilot)
        assert sim.app.scheduler is not None
        await pilot.press("plus")
        assert sim.app.scheduler.interval == 1.0
        assert sim.app.scheduler.waiting_interval == 2.5
        assert "every 1s/2.5s" in str(sim.app.widgets.header.render())
        await pilot.press("minus", "minus")
        assert sim.app.scheduler.interval == 3.0
        assert "every 3s" in str(sim.app.widgets.header.render())


async def test_filter_by_text_and_status_then_clear() -> None:
    sim = make_sim()
    async with sim.app.run_test(size=(120, 40)) as pilot:
        await sim.advance(pilot, 1)
        await pilot.press("slash")
        await pilot.press(*"status:failed")
        view = sim.app.model.view
        assert view and all(sim.app.model.rows[r].status is RunStatus.FAILED for r in view)
        await pilot.press("enter")
        assert sim.app.widgets.watch_list.has_focus
        assert "filter: status:failed" in str(sim.app.widgets.watch_list.border_subtitle)
        await pilot.press("slash")
        sim.app.main.query_one("#filter", Input).value = "hubspot"
        await pilot.pause()
        assert [sim.app.model.rows[r].name for r in sim.app.model.view] == ["hubspot-to-catalog"]
        await pilot.press("escape")
        assert len(sim.app.model.view) == len(sim.world.run_ids)


async def test_sort_cycles_added_status_pipeline_started() -> None:
    sim = make_sim()
    async with sim.app.run_test(size=(120, 40)) as pilot:
        await sim.advance(pilot, 1)
        added = list(sim.app.model.view)
        await pilot.press("s")
        assert sim.app.model.sort == "status"
        first = sim.app.model.rows[sim.app.model.view[0]]
        assert first.status is RunStatus.FAILED
        await pilot.press("s")
        names = [sim.app.model.rows[r].name for r in sim.app.model.view]
        assert names == sorted(names)
        await pilot.press("s")
        assert sim.app.model.sort == "started"
        await pilot.press("s")
        assert sim.app.model.view == added


async def test_tab_moves_between_panels_and_narrow_shows_one() -> None:
    sim = make_sim(_two_runs)
    async with sim.app.run_test(size=(80, 24)) as pilot:
        await sim.advance(pilot, 1)
        main = sim.app.main
        assert main.has_class("-narrow")
        status = main.query_one(StatusPanel)
        pipeline = main.query_one(PipelinePanel)
        assert status.display and not pipeline.display
        await pilot.press("tab")
        assert status.has_focus
        await pilot.press("tab")
        assert pipeline.has_focus and pipeline.display and not status.display
        await pilot.press("tab")
        assert main.current_panel == "log"
        await pilot.press("tab")
        assert main.query_one(WatchList).has_focus
        await pilot.press("shift+tab")
        assert main.current_panel == "log"


async def test_medium_layout_shows_the_log_and_one_of_status_or_pipeline() -> None:
    sim = make_sim(_two_runs)
    async with sim.app.run_test(size=(120, 40)) as pilot:
        await sim.advance(pilot, 1)
        main = sim.app.main
        assert main.has_class("-medium")
        status, pipeline = main.query_one(StatusPanel), main.query_one(PipelinePanel)
        log = main.query_one("#log")
        assert status.display and not pipeline.display and log.region.area > 0
        await pilot.press("tab", "tab")  # quickly: the second does not wait for the first
        await pilot.pause()
        assert pipeline.has_focus and pipeline.display and not status.display
        await pilot.press("tab")  # the log: the top slot keeps the pipeline
        assert pipeline.display and log.region.area > 0


async def test_wide_layout_shows_every_panel() -> None:
    sim = make_sim(_two_runs)
    async with sim.app.run_test(size=(200, 60)) as pilot:
        await sim.advance(pilot, 1)
        main = sim.app.main
        assert main.has_class("-wide")
        for panel in ("#status", "#pipeline", "#log"):
            assert main.query_one(panel).region.area > 0


async def test_help_lists_every_key() -> None:
    sim = make_sim(_two_runs)
    async with sim.app.run_test(size=(100, 50)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(sim.app.screen, HelpScreen)
        text = str(sim.app.screen.query_one("#help-body", Static).render())
        for key, what in [
            ("a", "Add"),
            ("d", "Remove"),
            ("u", "Undo remove"),
            ("r", "Refresh"),
            ("R", "Refresh all"),
            ("p", "Pause run"),
            ("P", "Pause all"),
            ("+", "Faster"),
            ("-", "Slower"),
            ("/", "Filter"),
            ("s", "Sort"),
            ("tab", "Next panel"),
            ("?", "Help"),
            ("q", "Quit"),
        ]:
            assert any(
                key in line.split("  ")[1].strip().split(", ") and what in line
                for line in text.splitlines()
                if line.startswith("  ")
            ), (key, what)
        await pilot.press("escape")
        assert not isinstance(sim.app.screen, HelpScreen)


async def test_every_action_is_in_the_command_palette() -> None:
    sim = make_sim(_two_runs)
    async with sim.app.run_test(size=(100, 30)):
        titles = {cmd.title for cmd in sim.app.get_system_commands(sim.app.main)}
        for title in (
            "Add runs",
            "Remove run",
            "Undo remove",
            "Refresh run",
            "Refresh all",
            "Pause/resume run",
            "Pause/resume all",
            "Poll faster",
            "Poll slower",
            "Filter runs",
            "Cycle sort",
            "Next panel",
            "Help: every key",
            "Quit",
        ):
            assert title in titles


async def test_a_command_runs_from_the_palette() -> None:
    sim = make_sim(_two_runs)
    async with sim.app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.press(*"Cycle sort")
        await pilot.app.workers.wait_for_complete()  # the palette searches in a worker
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert sim.app.model.sort == "status"


async def test_q_quits() -> None:
    sim = make_sim(_two_runs)
    async with sim.app.run_test(size=(100, 30)) as pilot:
        await pilot.press("q")
        await pilot.pause()
        assert not sim.app.is_running
    assert sim.app.store.saves >= 1  # the list is saved on the way out


async def test_arrow_keys_select_and_panels_follow() -> None:
    sim = make_sim(_two_runs)
    first, second = sim.world.run_ids
    async with sim.app.run_test(size=(100, 30)) as pilot:
        await sim.advance(pilot, 1)
        await pilot.press("down")
        assert sim.app.widgets.watch_list.selected == second
        body = sim.app.widgets.status.content.plain
        assert second in body
        await pilot.press("up")
        assert sim.app.widgets.watch_list.selected == first


RUN_IDS = (RUN_A, RUN_B)


async def test_no_color_keeps_every_status_readable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    sim = make_sim()
    async with sim.app.run_test(size=(120, 40)) as pilot:
        await sim.advance(pilot, 1)
        assert sim.app.no_color
        watch_list = sim.app.main.query_one(WatchList)
        badges = {watch_list.render_line(y + 1).text[0] for y in range(len(sim.app.model.view))}
        # The demo shows every status, each with its own symbol: no colour needed.
        assert {"…", "◌", "●", "✔", "✖", "◐", "⊘"} <= badges


async def test_an_injected_scheduler_is_followed_through_its_event_stream() -> None:
    sim = make_sim(_two_runs)
    first, second = sim.world.run_ids
    scheduler = Scheduler(sim.app.session.source, clock=sim.clock, interval=3.0)  # type: ignore[arg-type]
    app = make_app(
        scheduler=scheduler,
        clock=sim.clock,
        store=RunStore.in_memory([StoredRun(first, None, None), StoredRun(second, None, None)]),
        tick_interval=None,
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await advance(pilot, sim.clock, 1)
        assert app.polling().interval == 3.0
        assert app.model.rows[first].status is RunStatus.RUNNING
        assert app.model.rows[second].status is RunStatus.QUEUED
        await pilot.press("p")
        assert scheduler.state(first).paused
    await scheduler.aclose()  # the app does not close a scheduler it was given
