"""Snapshots of everything a user sees: every screen and dialog, the three layouts, no
colour and 16 colours, the log panel searching and filtering, the list filtered and sorted,
and every problem the header and the panels say. Update: pytest --snapshot-update.

Deterministic by construction (as test_snapshots.py): a FakeClock only `run_before` moves,
a seeded scheduler, the demo world's fixed seed, TZ=UTC, animations off, no cursor blink.
Only the apps' public doors are used (the factory or the conftest builders, keys, the
pilot), so the pictures outlive a rebuild of what is behind them.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import textual.constants
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input

from nekt_tui.api.errors import (
    ApiUnreachableError,
    RunNotFoundError,
    ServerError,
    SlowAnswerError,
)
from nekt_tui.api.models import Run
from nekt_tui.clock import FakeClock
from nekt_tui.config import Config
from nekt_tui.simulator import Faults, World
from nekt_tui.ui.factory import build_app

from .conftest import RUN_A, RUN_B, ScriptedSource, advance, make_sim, run_json, scripted_app

SnapCompare = Callable[..., bool]
RunBefore = Callable[[Pilot[Any]], Awaitable[None]]

RUN_C = "22222222-3333-4444-8555-666666666666"
RUN_D = "33333333-4444-4555-8666-777777777777"

#: Seconds into the demo: postgres-prod-to-catalog has just failed with a traceback.
MOMENT = 41


@pytest.fixture(autouse=True)
def _still(monkeypatch: pytest.MonkeyPatch) -> None:
    """Animations off and colour on (a test may switch it off) for every app built here."""
    monkeypatch.setattr(textual.constants, "TEXTUAL_ANIMATIONS", "none")
    monkeypatch.delenv("NO_COLOR", raising=False)


async def _no_blink(pilot: Pilot[Any]) -> None:
    await pilot.pause()
    for box in pilot.app.screen.query(Input):
        box.cursor_blink = False


def _demo(
    seconds: float = 1.5, *keys: str, clear: bool = False, **options: Any
) -> tuple[App[Any], RunBefore]:
    """The demo app, and a `run_before` that moves it `seconds` on, then presses `keys`."""
    sim = make_sim(**options)

    async def run_before(pilot: Pilot[Any]) -> None:
        for _ in range(int(seconds)):
            await sim.advance(pilot, 1)
        await sim.advance(pilot, seconds - int(seconds))
        if clear:
            pilot.app.clear_notifications()
            await sim.advance(pilot, 0)
        await pilot.press(*keys)
        await _no_blink(pilot)

    return sim.app, run_before


def _scripted(answers: dict[str, Run | Exception], *keys: str) -> tuple[App[Any], RunBefore]:
    """An app whose runs answer (or fail) as scripted, a second in, then `keys`."""
    app, clock = scripted_app(ScriptedSource(dict(answers)), list(answers))

    async def run_before(pilot: Pilot[Any]) -> None:
        await advance(pilot, clock, 1)
        await pilot.press(*keys)
        await _no_blink(pilot)

    return app, run_before


# ---- the three layouts -------------------------------------------------------------------


def test_narrow_80x24_log_panel(snap_compare: SnapCompare) -> None:
    """Narrow: the list over one panel; tab three times shows the log."""
    app, run_before = _demo(MOMENT, "J", "tab", "tab", "tab", clear=True)
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_medium_120x40(snap_compare: SnapCompare) -> None:
    """Medium: the list beside the log, the status panel above it."""
    app, run_before = _demo(MOMENT, "J", clear=True)
    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


def test_wide_200x60(snap_compare: SnapCompare) -> None:
    """Wide: the list beside status and pipeline, over the log."""
    app, run_before = _demo(MOMENT, "J", clear=True)
    assert snap_compare(app, terminal_size=(200, 60), run_before=run_before)


# ---- colours -----------------------------------------------------------------------------


def test_no_color_120x40(snap_compare: SnapCompare, monkeypatch: pytest.MonkeyPatch) -> None:
    """NO_COLOR: every status still tells itself apart by its symbol and weight."""
    monkeypatch.setenv("NO_COLOR", "1")
    app, run_before = _demo(MOMENT, clear=True)
    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


async def test_no_color_survives_the_failed_runs_log(monkeypatch: pytest.MonkeyPatch) -> None:
    """NO_COLOR, the failed run selected: its traceback is drawn and the app keeps running.
    (Once it does, a snapshot of it belongs here.)"""
    monkeypatch.setenv("NO_COLOR", "1")
    sim = make_sim()
    async with sim.app.run_test(size=(120, 40)) as pilot:
        for _ in range(MOMENT):
            await sim.advance(pilot, 1)
        await pilot.press("J")
        await sim.advance(pilot, 0)
        assert pilot.app.is_running
        assert "Traceback" in pilot.app.export_screenshot()


def test_16_colours_log_search(snap_compare: SnapCompare, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 16-colour terminal: the failed run's log with its matches highlighted."""
    monkeypatch.setattr(textual.constants, "COLOR_SYSTEM", "standard")
    keys = ("J", "tab", "tab", "tab", "slash", *"error", "enter")
    app, run_before = _demo(MOMENT, *keys, clear=True)
    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


# ---- dialogs and screens -----------------------------------------------------------------


def test_add_dialog_empty(snap_compare: SnapCompare) -> None:
    app, run_before = _demo(1.5, "a")
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_label_dialog(snap_compare: SnapCompare) -> None:
    """L on the first run: its pipeline named, the label being typed."""
    app, run_before = _demo(1.5, "L", *"nightly rebuild")
    assert snap_compare(app, terminal_size=(100, 30), run_before=run_before)


def test_cancel_dialog(snap_compare: SnapCompare) -> None:
    """X on a running run asks first."""
    app, run_before = _demo(1.5, "X")
    assert snap_compare(app, terminal_size=(100, 30), run_before=run_before)


def test_command_palette(snap_compare: SnapCompare) -> None:
    """ctrl+p: every key's command, searchable."""
    app, run_before = _demo(1.5, "ctrl+p", *"run")
    assert snap_compare(app, terminal_size=(100, 30), run_before=run_before)


def _save_dialog(monkeypatch: pytest.MonkeyPatch, *more: str) -> tuple[App[Any], RunBefore]:
    # The dialog names the folder it saves in: the working directory, the same everywhere.
    monkeypatch.chdir("/tmp")
    return _demo(MOMENT, "J", "tab", "tab", "tab", "ctrl+s", *more, clear=True)


def test_save_log_dialog_plain(snap_compare: SnapCompare, monkeypatch: pytest.MonkeyPatch) -> None:
    """ctrl+s in the log: the file name, and the line saying escapes are removed."""
    app, run_before = _save_dialog(monkeypatch)
    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


def test_save_log_dialog_raw(snap_compare: SnapCompare, monkeypatch: pytest.MonkeyPatch) -> None:
    """ctrl+r in the save dialog: the warning that the raw log keeps escape sequences."""
    app, run_before = _save_dialog(monkeypatch, "ctrl+r")
    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


def _no_key_app(tmp_path: Path) -> tuple[App[Any], FakeClock]:
    clock = FakeClock()
    config = Config(state_file=tmp_path / "list.json")
    app = build_app(config, demo=False, initial_text=RUN_A, clock=clock, rng=random.Random(7))
    return app, clock


def test_no_key_notice(snap_compare: SnapCompare, tmp_path: Path) -> None:
    """No API key: the notice says how to give one; the run given is listed."""
    app, clock = _no_key_app(tmp_path)

    async def run_before(pilot: Pilot[Any]) -> None:
        await advance(pilot, clock, 1)

    assert snap_compare(app, terminal_size=(100, 30), run_before=run_before)


def test_key_dialog(snap_compare: SnapCompare, tmp_path: Path) -> None:
    """K: the key typed is masked."""
    app, clock = _no_key_app(tmp_path)

    async def run_before(pilot: Pilot[Any]) -> None:
        await advance(pilot, clock, 1)
        await pilot.press("K", *"not-a-real-key")
        await _no_blink(pilot)

    assert snap_compare(app, terminal_size=(100, 30), run_before=run_before)


# ---- the log panel -----------------------------------------------------------------------


def test_log_search_open_with_matches(snap_compare: SnapCompare) -> None:
    """/ error enter highlights the matches; / again shows the text searched for."""
    keys = ("J", "tab", "tab", "tab", "slash", *"error", "enter", "slash")
    app, run_before = _demo(MOMENT, *keys, clear=True)
    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


def test_log_filtered_to_matches(snap_compare: SnapCompare) -> None:
    """F after a search: only the matching lines, with context."""
    keys = ("J", "tab", "tab", "tab", "slash", *"error", "enter", "F")
    app, run_before = _demo(MOMENT, *keys, clear=True)
    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


# ---- the watch list ----------------------------------------------------------------------


def test_list_filtered_by_status(snap_compare: SnapCompare) -> None:
    """/ status:failed enter: only the failed runs, the filter shown."""
    app, run_before = _demo(MOMENT, "slash", *"status:failed", "enter", clear=True)
    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


def test_list_sorted_by_status(snap_compare: SnapCompare) -> None:
    """s: failures first."""
    app, run_before = _demo(MOMENT, "s", clear=True)
    assert snap_compare(app, terminal_size=(160, 48), run_before=run_before)


def test_empty_list(snap_compare: SnapCompare) -> None:
    """No runs watched: the list says how to add one."""
    app, run_before = _demo(1.5, runs=[])
    assert snap_compare(app, terminal_size=(100, 30), run_before=run_before)


# ---- problems ----------------------------------------------------------------------------

_PROBLEMS: dict[str, Run | Exception] = {
    RUN_A: RunNotFoundError(RUN_A),
    RUN_B: ServerError(503, "upstream connect error"),
    RUN_C: SlowAnswerError("api.nekt.ai", 30),
    RUN_D: run_json(RUN_D, "running"),
}


def test_run_not_found(snap_compare: SnapCompare) -> None:
    """A run the API does not know: the row, the status panel and the log say so."""
    app, run_before = _scripted(_PROBLEMS)
    assert snap_compare(app, terminal_size=(120, 30), run_before=run_before)


def test_server_error(snap_compare: SnapCompare) -> None:
    """A 503 for one run: its problem line, with the next try."""
    app, run_before = _scripted(_PROBLEMS, "down")
    assert snap_compare(app, terminal_size=(120, 30), run_before=run_before)


def test_slow_run(snap_compare: SnapCompare) -> None:
    """An answer that does not come: "slow", and for how long."""
    app, run_before = _scripted(_PROBLEMS, "down", "down")
    assert snap_compare(app, terminal_size=(120, 30), run_before=run_before)


def test_host_unreachable(snap_compare: SnapCompare) -> None:
    """Every request refused: the header says unreachable since when."""
    refused = ApiUnreachableError("api.nekt.ai", "connection refused")
    app, run_before = _scripted({RUN_A: refused, RUN_B: refused})
    assert snap_compare(app, terminal_size=(120, 30), run_before=run_before)


def _one_run(clock: object) -> World:
    world = World(seed=2, clock=clock, n_runs=0)  # type: ignore[arg-type]
    world.add_run((("running", 600.0),), "success", pipeline="hubspot-to-catalog")
    return world


def test_rate_limited_80x24(snap_compare: SnapCompare) -> None:
    """A 429 burst on a narrow terminal: the header still says until when."""
    faults = Faults(rate_limit_rate=1.0, rate_limit_seconds=45, retry_after_date_rate=0.0)
    app, run_before = _demo(1.5, world=_one_run, faults=faults)
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
