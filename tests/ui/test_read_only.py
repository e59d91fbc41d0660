"""Read-only mode in the app: `X` says cancelling is off and nothing but GETs reaches the
simulator; the header says read-only."""

from __future__ import annotations

import random

from textual.widgets import Static

from nekt_tui.api.models import RunStatus
from nekt_tui.cli import build_parser
from nekt_tui.clock import FakeClock
from nekt_tui.config import load_config
from nekt_tui.simulator import World
from nekt_tui.ui.app import NektApp
from nekt_tui.ui.factory import build_app
from nekt_tui.ui.screens.cancel_dialog import CancelDialog

from .conftest import RUN_A, advance

PIPE_A = "salesforce-to-catalog"


def _app(argv: list[str]) -> tuple[NektApp, World, FakeClock]:
    """The demo app as the command line builds it, on a world the test can see."""
    clock = FakeClock()
    world = World(seed=1, clock=clock, n_runs=0)
    world.add_run((("running", 600.0),), "success", pipeline=PIPE_A, run_id=RUN_A)
    args = build_parser().parse_args(argv)
    config = load_config({"read_only": args.read_only}, {}, need_key=False)
    app = build_app(
        config, demo=True, initial_text=None, clock=clock, rng=random.Random(7), world=world
    )
    return app, world, clock


def _header(app: NektApp) -> str:
    return str(app.query_one("#header", Static).render())


async def test_read_only_x_then_y_sends_nothing_and_says_so() -> None:
    app, world, clock = _app(["--read-only", "--demo"])
    async with app.run_test(size=(160, 40)) as pilot:
        await advance(pilot, clock, 1)
        assert app.model.rows[RUN_A].status is RunStatus.RUNNING
        assert "read-only" in _header(app)
        app.widgets.watch_list.select(RUN_A)
        before = len(app.toasts)

        await pilot.press("X")
        await pilot.pause()
        assert not isinstance(app.screen, CancelDialog)
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await advance(pilot, clock, 3)

        toasts = [n.message for n in app.toasts][before:]
        assert toasts == ["read-only: cancelling is off"]
        methods = {r.method for r in world.requests}
        assert methods == {"GET"}, methods  # counted at the simulator: polls only
        assert app.model.rows[RUN_A].status is RunStatus.RUNNING


async def test_without_the_flag_the_same_keys_cancel() -> None:
    """The control: the same app and keys do send the cancel when the mode is off."""
    app, world, clock = _app(["--demo"])
    async with app.run_test(size=(160, 40)) as pilot:
        await advance(pilot, clock, 1)
        assert "read-only" not in _header(app)
        app.widgets.watch_list.select(RUN_A)
        await pilot.press("X")
        await pilot.pause()
        assert isinstance(app.screen, CancelDialog)
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert [r.run_id for r in world.requests if r.method == "POST"] == [RUN_A]


async def test_a_command_that_forgot_the_mode_still_sends_nothing() -> None:
    """The client is the last word: with the session's check bypassed (a future command
    that forgets it), the cancel reaches the dialog but never the simulator."""
    app, world, clock = _app(["--read-only", "--demo"])
    async with app.run_test(size=(160, 40)) as pilot:
        await advance(pilot, clock, 1)
        app.session.read_only = False
        app.widgets.watch_list.select(RUN_A)
        await pilot.press("X")
        await pilot.pause()
        assert isinstance(app.screen, CancelDialog)
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await advance(pilot, clock, 0)
        assert {r.method for r in world.requests} == {"GET"}
        toasts = [n.message for n in app.toasts if "read-only mode" in n.message]
        assert len(toasts) == 1 and toasts[0].startswith(f"Cannot cancel {PIPE_A}"), toasts
        assert "read-only mode: POST" in toasts[0]
        assert app.is_running
