"""Snapshots of the pipelines board and the recent-runs browser (pytest-textual-snapshot),
at 80x24 and 160x48, on the frozen demo (as test_snapshots.py). Update: --snapshot-update."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import textual.constants
from textual.pilot import Pilot
from textual.widgets import Input

from nekt_tui.clock import FakeClock
from nekt_tui.simulator import World

from .conftest import make_sim
from .test_pipelines_board import until_read

SnapCompare = Callable[..., bool]

#: Seconds into the demo: postgres-prod-to-catalog has just failed.
MOMENT = 41


@pytest.fixture(autouse=True)
def _still(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(textual.constants, "TEXTUAL_ANIMATIONS", "none")
    monkeypatch.delenv("NO_COLOR", raising=False)


def _open(sim: Any, key: str, *keys: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await sim.advance(pilot, MOMENT)
        pilot.app.clear_notifications()
        await pilot.press(key)
        await until_read(pilot, 1)
        await pilot.press(*keys)
        await pilot.pause()
        for box in pilot.app.screen.query(Input):
            box.cursor_blink = False
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_pipelines_board(snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    sim = make_sim(runs=[])
    assert snap_compare(sim.app, terminal_size=size, run_before=_open(sim, "b"))


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_recent_runs(snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    """Four runs watched (they say so), two selected with space."""
    sim = make_sim(runs=World.demo(FakeClock()).run_ids[:4])
    assert snap_compare(
        sim.app, terminal_size=size, run_before=_open(sim, "h", "down", "space", "space")
    )


def test_pipelines_board_filtered(snap_compare: SnapCompare) -> None:
    sim = make_sim(runs=[])
    run_before = _open(sim, "b", "slash", *"status:failed", "enter", "s")
    assert snap_compare(sim.app, terminal_size=(80, 24), run_before=run_before)


def test_recent_runs_refused(snap_compare: SnapCompare) -> None:
    sim = make_sim()
    sim.transport.app.list_errors["list"] = 403
    assert snap_compare(sim.app, terminal_size=(80, 24), run_before=_open(sim, "h"))
