"""Labelling a watched run from the app (`L`): shown, filtered on, saved, inert."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from textual import events
from textual.pilot import Pilot
from textual.widgets import Input

from nekt_tui.clock import FakeClock
from nekt_tui.config import Config
from nekt_tui.simulator import World
from nekt_tui.ui.app import NektApp
from nekt_tui.ui.factory import build_app
from nekt_tui.ui.screens.help_screen import HelpScreen
from nekt_tui.ui.screens.label_dialog import LabelDialog
from nekt_tui.ui.state.model import LABEL_MAX, clean_label
from nekt_tui.ui.state.store import RunStore
from nekt_tui.watch.watchlist import WatchEntry, WatchList

from .conftest import RUN_A, RUN_B, Sim, make_sim, until_started

PIPE_A = "salesforce-to-catalog"
PIPE_B = "hubspot-to-catalog"


def _world(clock: object) -> World:
    world = World(seed=1, clock=clock, n_runs=0)  # type: ignore[arg-type]
    world.add_run((("running", 600.0),), "success", pipeline=PIPE_A, run_id=RUN_A)
    world.add_run((("queued", 600.0),), "success", pipeline=PIPE_B, run_id=RUN_B)
    return world


def _saved_file(tmp_path: Path) -> Path:
    """A real watch list file holding RUN_A and RUN_B, no labels."""
    path = tmp_path / "watchlist.json"
    WatchList(path, [WatchEntry(RUN_A), WatchEntry(RUN_B)]).save()
    return path


def _sim(path: Path) -> Sim:
    return make_sim(_world, store=RunStore(WatchList.load(path)))


def _labels_in_file(path: Path) -> dict[str, str | None]:
    return {run["run_id"]: run["label"] for run in json.loads(path.read_text())["runs"]}


def _lines(app: NektApp) -> list[str]:
    """The watch list's rows as drawn (line 0 is the column header)."""
    watch_list = app.widgets.watch_list
    return [watch_list.render_line(y + 1).text for y in range(len(app.model.view))]


def _line_of(app: NektApp, run_id: str) -> str:
    index = app.model.index_of(run_id)
    assert index is not None, f"{run_id} is not shown"
    return app.widgets.watch_list.render_line(index + 1).text


async def _open_dialog(pilot: Pilot[Any]) -> Input:
    await pilot.press("L")
    assert isinstance(pilot.app.screen, LabelDialog)
    return pilot.app.screen.query_one(Input)


async def _label(pilot: Pilot[Any], text: str) -> None:
    """Label the selected run by typing `text` over whatever the dialog holds."""
    await _open_dialog(pilot)
    await pilot.press("ctrl+u", *text, "enter")
    assert not isinstance(pilot.app.screen, LabelDialog)


async def test_label_names_the_row_is_saved_and_loaded_by_the_next_start(tmp_path: Path) -> None:
    path = _saved_file(tmp_path)
    sim = _sim(path)
    async with sim.app.run_test(size=(160, 40)) as pilot:
        await sim.advance(pilot, 1)
        assert PIPE_A in _line_of(sim.app, RUN_A)
        box = await _open_dialog(pilot)
        assert box.value == ""  # no label yet
        await pilot.press(*"Nightly backfill", "enter")
        await pilot.pause()

        line = _line_of(sim.app, RUN_A)
        assert line.split(None, 1)[1].startswith("Nightly backfill")  # after the status dot
        assert PIPE_A not in line  # the label is the name in the list
        status = sim.app.widgets.status.content.plain
        heading = status.splitlines()[0]
        assert PIPE_A in heading  # the pipeline still heads the status panel
        assert "Label      Nightly backfill" in status
        assert PIPE_A in sim.app.widgets.pipeline.content.plain
        # Saved at once, not at exit.
        assert _labels_in_file(path) == {RUN_A: "Nightly backfill", RUN_B: None}
        assert any(n.message.startswith("Labelled Nightly backfill") for n in sim.app.toasts)

    again = _sim(path)
    async with again.app.run_test(size=(160, 40)) as pilot:
        await until_started(pilot)
        assert "Nightly backfill" in _line_of(again.app, RUN_A)  # before any answer
        await again.advance(pilot, 1)
        assert again.app.model.rows[RUN_A].run is not None
        assert "Nightly backfill" in _line_of(again.app, RUN_A)
        box = await _open_dialog(pilot)
        assert box.value == "Nightly backfill"  # the dialog starts from the current label


async def test_an_empty_value_clears_the_label(tmp_path: Path) -> None:
    path = _saved_file(tmp_path)
    sim = _sim(path)
    async with sim.app.run_test(size=(160, 40)) as pilot:
        await sim.advance(pilot, 1)
        await _label(pilot, "temp name")
        assert "temp name" in _line_of(sim.app, RUN_A)
        await _label(pilot, "")
        assert sim.app.model.rows[RUN_A].label is None
        assert PIPE_A in _line_of(sim.app, RUN_A)
        assert "temp name" not in _line_of(sim.app, RUN_A)
        assert "Label " not in sim.app.widgets.status.content.plain
        assert _labels_in_file(path)[RUN_A] is None


async def test_escape_leaves_the_label_unchanged(tmp_path: Path) -> None:
    path = _saved_file(tmp_path)
    sim = _sim(path)
    async with sim.app.run_test(size=(160, 40)) as pilot:
        await sim.advance(pilot, 1)
        await _label(pilot, "keep me")
        saves = sim.app.store.saves
        await _open_dialog(pilot)
        await pilot.press("ctrl+u", *"other", "escape")
        assert not isinstance(sim.app.screen, LabelDialog)
        assert sim.app.model.rows[RUN_A].label == "keep me"
        assert "keep me" in _line_of(sim.app, RUN_A)
        assert sim.app.store.saves == saves
        assert _labels_in_file(path)[RUN_A] == "keep me"


async def test_filter_matches_the_label_and_the_pipeline(tmp_path: Path) -> None:
    sim = _sim(_saved_file(tmp_path))
    async with sim.app.run_test(size=(160, 40)) as pilot:
        await sim.advance(pilot, 1)
        await _label(pilot, "Nightly")
        await pilot.press("slash", *"nightly", "enter")
        assert sim.app.model.view == [RUN_A]
        assert "Nightly" in _lines(sim.app)[0]

        sim.app.set_filter(PIPE_A)  # the pipeline a label hides in the list still matches
        assert sim.app.model.view == [RUN_A]
        sim.app.set_filter(PIPE_B)
        assert sim.app.model.view == [RUN_B]

        # Relabelling under a filter moves the row out of it (the cached text is dropped).
        sim.app.set_filter("nightly")
        await pilot.pause()
        await _label(pilot, "weekly")
        assert sim.app.model.view == []
        assert str(sim.app.widgets.watch_list.border_title) == "Runs 0/2"


async def test_hostile_label_is_shown_literally_and_escapes_are_stripped(tmp_path: Path) -> None:
    path = _saved_file(tmp_path)
    sim = _sim(path)
    async with sim.app.run_test(size=(160, 40)) as pilot:
        await sim.advance(pilot, 1)
        await _label(pilot, "[bold]x[/]")
        row = sim.app.model.rows[RUN_A]
        assert "[bold]x[/]" in _line_of(sim.app, RUN_A)  # markup would have eaten the tags
        assert "Label      [bold]x[/]" in sim.app.widgets.status.content.plain

        box = await _open_dialog(pilot)
        box.value = ""
        box.post_message(events.Paste("\x1b[31mred\x1b[0m \x1b]0;title\x07label\x07"))
        await pilot.pause()
        await pilot.press("enter")
        assert row.label == "red label␇"  # sequences gone, a lone control made visible
        line = _line_of(sim.app, RUN_A)
        assert "red label␇" in line
        assert "\x1b" not in line and "\x07" not in line
        status = sim.app.widgets.status.content.plain
        assert "red label␇" in status and "\x1b" not in status
        assert _labels_in_file(path)[RUN_A] == "red label␇"
        assert all("\x1b" not in n.message for n in sim.app.toasts)


async def test_a_long_label_is_cut_to_the_maximum(tmp_path: Path) -> None:
    sim = _sim(_saved_file(tmp_path))
    async with sim.app.run_test(size=(160, 40)) as pilot:
        await sim.advance(pilot, 1)
        await _label(pilot, "x" * (LABEL_MAX + 15))
        assert sim.app.model.rows[RUN_A].label == "x" * LABEL_MAX


async def test_undo_of_a_remove_keeps_the_label(tmp_path: Path) -> None:
    path = _saved_file(tmp_path)
    sim = _sim(path)
    async with sim.app.run_test(size=(160, 40)) as pilot:
        await sim.advance(pilot, 1)
        await _label(pilot, "precious")
        await pilot.press("d")
        assert RUN_A not in _labels_in_file(path)
        await pilot.press("u")
        assert "precious" in _line_of(sim.app, RUN_A)
        assert _labels_in_file(path)[RUN_A] == "precious"


async def test_sorting_by_pipeline_ignores_labels(tmp_path: Path) -> None:
    sim = _sim(_saved_file(tmp_path))
    async with sim.app.run_test(size=(160, 40)) as pilot:
        await sim.advance(pilot, 1)
        await _label(pilot, "aaa first by label")  # RUN_A, pipeline salesforce-…
        await pilot.press("s", "s")
        assert sim.app.model.sort == "pipeline"
        assert sim.app.model.view == [RUN_B, RUN_A]  # hubspot-… before salesforce-…


async def test_demo_labels_never_touch_the_saved_list(tmp_path: Path) -> None:
    state = tmp_path / "watchlist.json"
    app = build_app(Config(state_file=state), demo=True, initial_text=None, clock=FakeClock())
    async with app.run_test(size=(160, 40)) as pilot:
        await until_started(pilot)
        await _label(pilot, "demo label")
        selected = app.widgets.watch_list.selected
        assert selected is not None and "demo label" in _line_of(app, selected)
    assert not state.exists()


async def test_label_is_in_the_help_and_the_command_palette() -> None:
    sim = make_sim(_world)
    async with sim.app.run_test(size=(120, 40)) as pilot:
        await until_started(pilot)
        commands = {c.title: c for c in sim.app.commands()}
        assert commands["Label run"].callback == sim.app.action_label
        await pilot.press("question_mark")
        assert isinstance(sim.app.screen, HelpScreen)
        body = sim.app.screen.query_one("#help-body").render()
        assert any(line.split()[:2] == ["L", "Label"] for line in str(body).splitlines())


def test_clean_label() -> None:
    assert clean_label(" two \t words\n") == "two words"  # pasted whitespace is a space
    assert clean_label("   ") is None
    assert clean_label("") is None
    assert clean_label("a\x00b\x7f") == "a␀b␡"
    assert clean_label("\x1b[1mbold\x1b[0m") == "bold"
    assert clean_label("y" * 100) == "y" * LABEL_MAX
