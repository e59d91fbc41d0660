"""The board and the browser from the command palette, with remapped keys, without a key,
and with the dashboard's filter hiding the run they show."""

from __future__ import annotations

from nekt_tui.clock import FakeClock
from nekt_tui.ui.app import check_keys
from nekt_tui.ui.screens.main import MainScreen
from nekt_tui.ui.screens.pipelines import PipelinesScreen
from nekt_tui.ui.screens.runs_browser import RunsBrowserScreen
from tests.app_parts import make_app

from .conftest import make_sim, until_started
from .test_pipelines_board import open_list, until_read


async def test_the_palette_opens_both_screens_and_says_their_keys() -> None:
    sim = make_sim(runs=[])
    app = sim.app
    async with app.run_test(size=(120, 30)) as pilot:
        await until_started(pilot)
        commands = {cmd.title: cmd for cmd in app.get_system_commands(app.main)}
        assert commands["Pipelines board"].help == (
            "Every pipeline with its last run: enter watches it (b)"
        )
        assert commands["Recent runs"].help.endswith("(h)")
        commands["Pipelines board"].callback()
        await until_read(pilot, 1)
        assert isinstance(app.screen, PipelinesScreen)
        await pilot.press("escape")
        commands["Recent runs"].callback()
        await until_read(pilot, 1)
        assert isinstance(app.screen, RunsBrowserScreen)


async def test_keys_of_the_board_can_be_remapped() -> None:
    sim = make_sim(runs=[])
    sim.app.set_keymap(check_keys({"pipelines": "ctrl+b", "board-sort": "o"}))
    async with sim.app.run_test(size=(120, 30)) as pilot:
        await until_started(pilot)
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(sim.app.screen, MainScreen)
        board = await open_list(pilot, "ctrl+b")
        await pilot.press("s")
        await pilot.pause()
        assert board.listing.sort == "status"
        await pilot.press("o")
        await pilot.pause()
        assert board.listing.sort == "started"


async def test_without_an_api_key_the_board_says_why_in_one_line() -> None:
    app = make_app(clock=FakeClock(), problem="No API key: press K to enter one")
    async with app.run_test(size=(120, 30)) as pilot:
        board = await open_list(pilot, "b")
        assert (
            board.problem == "the pipelines lists cannot be read: No API key: press K to enter one"
        )
        assert not board.listing.rows


async def test_a_run_the_dashboard_filter_hides_is_watched_and_the_user_told() -> None:
    sim = make_sim(runs=[])
    app = sim.app
    async with app.run_test(size=(120, 30)) as pilot:
        await sim.advance(pilot, 41)
        await pilot.press("slash", *"status:running", "enter")
        board = await open_list(pilot, "b")
        await pilot.press("slash", *"status:failed", "enter")
        await pilot.pause()
        row = board.table.selected
        assert row is not None and row.run_id is not None
        await pilot.press("enter")
        await sim.advance(pilot, 1)
        assert isinstance(app.screen, MainScreen)
        assert row.run_id in app.model
        assert any("the filter hides it" in t.message for t in app.toasts)
