"""Snapshots of the frozen demo (pytest-textual-snapshot). Update: pytest --snapshot-update.

Deterministic by construction: a FakeClock that only moves in `run_before`, a seeded
scheduler, the demo world's fixed seed, TZ=UTC, no cursor blink.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import textual.constants
from textual.pilot import Pilot
from textual.widgets import Input

from nekt_tui.simulator import Faults, World

from .conftest import Sim, make_sim

SnapCompare = Callable[..., bool]


def _settle(sim: Sim, seconds: float = 1.5) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await sim.advance(pilot, seconds)
        for box in pilot.app.query(Input):
            box.cursor_blink = False

    return run_before


def _then(
    first: Callable[[Pilot[Any]], Awaitable[None]], *keys: str
) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await first(pilot)
        await pilot.press(*keys)
        await pilot.pause()
        for box in pilot.app.screen.query(Input):
            box.cursor_blink = False

    return run_before


def test_demo_80x24(snap_compare: SnapCompare) -> None:
    sim = make_sim()
    assert snap_compare(sim.app, terminal_size=(80, 24), run_before=_settle(sim))


def test_demo_160x48(snap_compare: SnapCompare) -> None:
    sim = make_sim()
    assert snap_compare(sim.app, terminal_size=(160, 48), run_before=_settle(sim))


def test_demo_after_a_failure_80x24(snap_compare: SnapCompare) -> None:
    """Forty seconds in: postgres-prod-to-catalog has failed (toast, history)."""
    sim = make_sim()

    async def run_before(pilot: Pilot[Any]) -> None:
        for _ in range(41):
            await sim.advance(pilot, 1)
        await pilot.press("s")  # failures first
        pilot.app.clear_notifications()
        await sim.advance(pilot, 0)

    assert snap_compare(sim.app, terminal_size=(80, 24), run_before=run_before)


@pytest.mark.parametrize("system", ["standard", "256", "truecolor"])
def test_demo_colour_systems(
    snap_compare: SnapCompare, monkeypatch: pytest.MonkeyPatch, system: str
) -> None:
    """The demo as the app colours it for a terminal of 16, 256 and 16 million colours."""
    monkeypatch.setattr(textual.constants, "COLOR_SYSTEM", system)
    sim = make_sim()

    async def run_before(pilot: Pilot[Any]) -> None:
        for _ in range(41):
            await sim.advance(pilot, 1)
        pilot.app.clear_notifications()
        await sim.advance(pilot, 0)

    assert snap_compare(sim.app, terminal_size=(120, 30), run_before=run_before)


def test_help_screen(snap_compare: SnapCompare) -> None:
    sim = make_sim()
    run_before = _then(_settle(sim), "question_mark")
    assert snap_compare(sim.app, terminal_size=(100, 48), run_before=run_before)


def test_help_screen_80x24(snap_compare: SnapCompare) -> None:
    """The help box fits 80 columns (it scrolls instead of running off the screen)."""
    sim = make_sim()
    run_before = _then(_settle(sim), "question_mark")
    assert snap_compare(sim.app, terminal_size=(80, 24), run_before=run_before)


def test_add_dialog_with_error(snap_compare: SnapCompare) -> None:
    sim = make_sim()
    run_before = _then(_settle(sim), "a", *"not-a-run-id", "enter")
    assert snap_compare(sim.app, terminal_size=(80, 24), run_before=run_before)


def _one_run(clock: object) -> World:
    world = World(seed=2, clock=clock, n_runs=0)  # type: ignore[arg-type]
    world.add_run((("running", 600.0),), "success", pipeline="hubspot-to-catalog")
    return world


def test_auth_failure(snap_compare: SnapCompare) -> None:
    sim = make_sim(_one_run, api_key="revoked-key")
    assert snap_compare(sim.app, terminal_size=(100, 30), run_before=_settle(sim))


def test_rate_limited(snap_compare: SnapCompare) -> None:
    faults = Faults(rate_limit_rate=1.0, rate_limit_seconds=45, retry_after_date_rate=0.0)
    sim = make_sim(_one_run, faults=faults)
    assert snap_compare(sim.app, terminal_size=(100, 30), run_before=_settle(sim))


def test_other_theme_160x48(snap_compare: SnapCompare) -> None:
    sim = make_sim(theme="textual-light")
    assert snap_compare(sim.app, terminal_size=(160, 48), run_before=_settle(sim))
