"""ctrl+s writes plain text by default (no escape sequence reaches the file); raw is a choice
the dialog offers and names."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Checkbox, Static

from nekt_tui.ui.widgets.log_panel import LogPanel
from nekt_tui.ui.widgets.log_save import SaveLogScreen
from tests.logview.host import RUN_A, LogHost, make_run
from tests.logview.test_save import HOSTILE


def _mode(screen: SaveLogScreen) -> str:
    return str(screen.query_one("#save-log-mode", Static).render())


async def _open_dialog(pilot: Pilot[None]) -> SaveLogScreen:
    panel = pilot.app.query_one(LogPanel)
    panel.select(RUN_A, make_run(HOSTILE, number=9))
    await pilot.pause()
    await pilot.press("ctrl+s")
    screen = pilot.app.screen
    assert isinstance(screen, SaveLogScreen)
    return screen


async def test_the_default_save_is_plain_text_and_says_so(tmp_path: Path) -> None:
    async with LogHost(save_dir=tmp_path).run_test(size=(100, 24)) as pilot:
        screen = await _open_dialog(pilot)
        assert "plain text" in _mode(screen) and "escape sequences" in _mode(screen)
        assert not screen.query_one(Checkbox).value
        await pilot.press("enter")
        await pilot.pause()
        data = (tmp_path / "pipe-x-9.log").read_bytes()
    assert b"\x1b" not in data
    assert b"\xc2\x9b" not in data and b"\xc2\x9d" not in data  # the UTF-8 of U+009B, U+009D
    assert b"\x07" not in data and b"\r" not in data
    text = data.decode()
    assert "\x9b" not in text and "\x9d" not in text
    assert "red text" in text and text.endswith("last, no newline")


async def test_the_raw_option_writes_what_the_api_sent(tmp_path: Path) -> None:
    async with LogHost(save_dir=tmp_path).run_test(size=(100, 24)) as pilot:
        screen = await _open_dialog(pilot)
        await pilot.press("ctrl+r")
        assert screen.query_one(Checkbox).value
        assert "raw" in _mode(screen) and "as the API sent it" in _mode(screen)
        await pilot.press("ctrl+r")  # and back
        assert "plain text" in _mode(screen)
        await pilot.press("ctrl+r", "enter")
        await pilot.pause()
        assert not isinstance(pilot.app.screen, SaveLogScreen)
        assert (tmp_path / "pipe-x-9.log").read_bytes() == HOSTILE.encode()


async def test_the_raw_option_can_be_clicked(tmp_path: Path) -> None:
    async with LogHost(save_dir=tmp_path).run_test(size=(100, 24)) as pilot:
        screen = await _open_dialog(pilot)
        await pilot.click(Checkbox)
        assert screen.query_one(Checkbox).value
        assert "raw" in _mode(screen)
