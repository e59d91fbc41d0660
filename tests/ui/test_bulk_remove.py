"""Bulk removal in the watch list: space marks runs, d removes the marked ones, D removes
every finished run; one u brings a whole removal back, in place."""

from __future__ import annotations

import pytest
import textual.constants
from textual.widgets import Input

from nekt_tui.simulator import World
from nekt_tui.ui.app import NektApp
from nekt_tui.ui.widgets.watch_list import WatchList

from .conftest import make_sim

MARK = "▌"


def _six_runs(clock: object) -> World:
    """Two running, one queued, and one each of success, failed and canceled."""
    world = World(seed=1, clock=clock, n_runs=0)  # type: ignore[arg-type]
    world.add_run((("running", 600.0),), "success", pipeline="salesforce-to-catalog")
    world.add_run((("running", 10.0),), "success", pipeline="stripe-to-catalog", ago=100)
    world.add_run((("running", 10.0),), "failed", pipeline="customer-360", ago=100)
    world.add_run((("running", 10.0),), "canceled", pipeline="churn-features", ago=100)
    world.add_run((("queued", 600.0),), "success", pipeline="catalog-to-salesforce")
    world.add_run((("running", 600.0),), "success", pipeline="zendesk-to-catalog")
    return world


def _toasts(app: NektApp) -> list[str]:
    return [n.message for n in app.toasts]


def _lines(app: NektApp) -> list[str]:
    """The watch list's row lines as drawn (the header left out)."""
    watch_list = app.main.query_one(WatchList)
    return [watch_list.render_line(y + 1).text for y in range(len(app.model.view))]


def _marked_names(app: NektApp) -> list[str]:
    """The names of the rows drawn with the mark, top to bottom."""
    rows = [app.model.rows[run_id] for run_id in app.model.view]
    return [row.name for row, line in zip(rows, _lines(app), strict=True) if line[1] == MARK]


async def test_space_marks_three_d_removes_them_and_one_u_restores_them_in_place() -> None:
    sim = make_sim(_six_runs)
    ids = sim.world.run_ids
    async with sim.app.run_test(size=(120, 30)) as pilot:
        await sim.advance(pilot, 1)
        await pilot.press("space", "space", "space")
        watch_list = sim.app.widgets.watch_list
        assert watch_list.selected == ids[3]  # space moves down, like lazygit and k9s
        assert _marked_names(sim.app) == [
            "salesforce-to-catalog",
            "stripe-to-catalog",
            "customer-360",
        ]
        assert "3 marked" in watch_list.render_line(0).text
        await pilot.press("d")
        assert list(sim.app.model.rows) == ids[3:]
        assert [e.run_id for e in sim.app.store.entries()] == ids[3:]
        assert sim.app.scheduler is not None and ids[0] not in sim.app.scheduler
        assert _toasts(sim.app)[-1] == "Removed 3 runs (u undoes)"
        assert _marked_names(sim.app) == []  # the removed runs' marks went with them
        await pilot.press("u")
        assert list(sim.app.model.rows) == ids
        assert [e.run_id for e in sim.app.store.entries()] == ids
        assert all(run_id in sim.app.scheduler for run_id in ids)
        assert _toasts(sim.app)[-1] == "Restored 3 runs"
        assert _marked_names(sim.app) == []
        await pilot.press("u")
        assert _toasts(sim.app)[-1] == "Nothing to undo"


async def test_space_again_unmarks_and_escape_clears_every_mark() -> None:
    sim = make_sim(_six_runs)
    ids = sim.world.run_ids
    async with sim.app.run_test(size=(120, 30)) as pilot:
        await sim.advance(pilot, 1)
        await pilot.press("space", "space", "up", "space")
        assert _marked_names(sim.app) == ["salesforce-to-catalog"]
        await pilot.press("space", "escape")
        assert _marked_names(sim.app) == []
        assert "marked" not in sim.app.widgets.watch_list.render_line(0).text
        # With no marks, d removes the cursor row as before.
        selected = sim.app.widgets.watch_list.selected
        await pilot.press("d")
        assert list(sim.app.model.rows) == [run_id for run_id in ids if run_id != selected]


async def test_D_removes_every_finished_run_and_one_u_brings_them_back() -> None:
    sim = make_sim(_six_runs)
    ids = sim.world.run_ids
    async with sim.app.run_test(size=(120, 30)) as pilot:
        await sim.advance(pilot, 1)
        await pilot.press("D")
        assert list(sim.app.model.rows) == [ids[0], ids[4], ids[5]]
        assert [e.run_id for e in sim.app.store.entries()] == [ids[0], ids[4], ids[5]]
        assert _toasts(sim.app)[-1] == "Removed 3 runs (u undoes)"
        await pilot.press("D")
        assert _toasts(sim.app)[-1] == "No finished runs to remove"
        await pilot.press("u")
        assert list(sim.app.model.rows) == ids
        assert [e.run_id for e in sim.app.store.entries()] == ids


async def test_remove_finished_is_in_the_palette_with_its_key() -> None:
    sim = make_sim(_six_runs)
    ids = sim.world.run_ids
    async with sim.app.run_test(size=(120, 30)) as pilot:
        await sim.advance(pilot, 1)
        commands = {cmd.title: cmd for cmd in sim.app.get_system_commands(sim.app.main)}
        command = commands["Remove finished runs"]
        assert command.help == "Stop watching every succeeded, failed or canceled run (D)"
        command.callback()
        await pilot.pause()
        assert list(sim.app.model.rows) == [ids[0], ids[4], ids[5]]


async def test_marks_survive_a_filter_and_a_sort_and_d_removes_the_hidden_ones_too() -> None:
    sim = make_sim(_six_runs)
    ids = sim.world.run_ids
    async with sim.app.run_test(size=(120, 30)) as pilot:
        await sim.advance(pilot, 1)
        await pilot.press("space", "down", "space")  # salesforce-to-catalog and customer-360
        await pilot.press("slash")
        sim.app.main.query_one("#filter", Input).value = "salesforce"
        await pilot.pause()
        await pilot.press("enter")
        assert _marked_names(sim.app) == ["salesforce-to-catalog"]
        await pilot.press("down", "space")  # catalog-to-salesforce
        await pilot.press("s")  # by status: the queued one comes after the running one
        assert _marked_names(sim.app) == ["salesforce-to-catalog", "catalog-to-salesforce"]
        # The header counts the marks the filter hides: d removes those too.
        header = sim.app.widgets.watch_list.render_line(0).text
        assert "3 marked (1 hidden)" in header
        await pilot.press("slash")
        sim.app.main.query_one("#filter", Input).value = ""
        await pilot.pause()
        await pilot.press("enter")
        assert sorted(_marked_names(sim.app)) == [
            "catalog-to-salesforce",
            "customer-360",
            "salesforce-to-catalog",
        ]
        await pilot.press("d")
        assert set(sim.app.model.rows) == {ids[1], ids[3], ids[5]}
        assert _toasts(sim.app)[-1] == "Removed 3 runs (u undoes)"


@pytest.mark.parametrize("colours", ["standard", "256", "truecolor", "no_color"])
async def test_the_mark_is_a_symbol_in_every_colour_system(
    monkeypatch: pytest.MonkeyPatch, colours: str
) -> None:
    if colours == "no_color":
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
        monkeypatch.setattr(textual.constants, "COLOR_SYSTEM", colours)
    sim = make_sim(_six_runs)
    async with sim.app.run_test(size=(120, 30)) as pilot:
        await sim.advance(pilot, 1)
        assert sim.app.no_color == (colours == "no_color")
        await pilot.press("down", "space")
        await pilot.pause()
        # What the terminal is sent, not only what the widget draws.
        screen = "\n".join(
            "".join(segment.text for strip in line for segment in strip)
            for line in sim.app.screen._compositor.render_update(full=True).strips
        )
        assert screen.count(MARK) == 1
        assert _marked_names(sim.app) == ["stripe-to-catalog"]
        assert "1 marked" in sim.app.widgets.watch_list.render_line(0).text
