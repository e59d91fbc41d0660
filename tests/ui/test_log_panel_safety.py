"""Hostile log text reaches the terminal inert: checked on the bytes the driver is given."""

from __future__ import annotations

import re
from typing import Any

from textual.drivers.headless_driver import HeadlessDriver

from nekt_tui.ui.widgets.log_panel import LogPanel
from tests.logview.host import RUN_A, LogHost, make_run, screen_rows
from tests.logview.hostile import HOSTILE_LINES


class CapturingDriver(HeadlessDriver):
    """A headless driver that is not treated as headless, so the app really renders to it."""

    written: list[str]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.written = []

    @property
    def is_headless(self) -> bool:
        return False

    def write(self, data: str) -> None:
        self.written.append(data)

    def flush(self) -> None:
        pass


class CapturingHost(LogHost):
    def __init__(self) -> None:
        super().__init__()
        self.driver_class = CapturingDriver


# What a Textual app itself sends: SGR, cursor moves, erase, private modes (sync output,
# cursor visibility) and OSC 22 (the mouse pointer's shape, always a plain name). Anything
# else (other OSC, DCS, ESC c, C1 controls) came from the log.
APP_SEQUENCE = re.compile(r"\x1b\[(?:[0-9;]*[mHJK]|\?[0-9;]+[hl])|\x1b\]22;[a-z-]+\x07")
FORBIDDEN_CHARS = re.compile("[\x00-\x08\x0b-\x0c\x0e-\x1a\x1c-\x1f\x7f-\x9f]")


async def test_hostile_log_writes_nothing_but_the_apps_own_sequences() -> None:
    app = CapturingHost()
    async with app.run_test(size=(160, 40), headless=False) as pilot:
        driver = app._driver
        assert isinstance(driver, CapturingDriver)
        panel = app.query_one(LogPanel)
        panel.select(RUN_A, make_run("\n".join(HOSTILE_LINES)))
        await pilot.pause()
        for keys in (("g",), ("l",), ("w",), ("slash", *"evil", "enter"), ("F",)):
            await pilot.press(*keys)
            await pilot.pause()
        output = "".join(driver.written)
    assert output, "the capturing driver saw no output"
    leftover = APP_SEQUENCE.sub("", output)
    assert "\x1b" not in leftover, repr(leftover[leftover.index("\x1b") - 20 :][:60])
    assert not FORBIDDEN_CHARS.search(leftover)
    assert "\u202e" not in output and "\u2066" not in output
    for payload in ("pwned title", "ZWNobyBwd25lZA==", "evil.example", "+q544e"):
        assert payload not in output
    assert "[@click=app.quit]quit[/]" in output  # markup shown as text, literally


async def test_hostile_lines_render_as_visible_text() -> None:
    async with LogHost().run_test(size=(160, 40)) as pilot:
        panel = pilot.app.query_one(LogPanel)
        panel.select(RUN_A, make_run("\n".join(HOSTILE_LINES)))
        await pilot.pause()
        await pilot.press("g")
        rows = screen_rows(panel.view)
        assert "after title" in rows
        assert "[bold red]markup[/] [@click=app.quit]quit[/] [link=https://x]l[/link]" in rows
        assert "tab     separated       columns" in rows
        assert any("progress 10%␍progress 20%␍overwritten?" in r for r in rows)
        assert any("bell␇" in r for r in rows)
        assert any("<U+202E>evil" in r for r in rows)
        # Clicking the literal "[@click=app.quit]" text does nothing: the app still runs.
        await pilot.click(
            panel.view, offset=(2, rows.index(next(r for r in rows if "@click" in r)))
        )
        await pilot.pause()
        assert pilot.app.is_running


async def test_sgr_colours_survive_as_styles_only() -> None:
    async with LogHost().run_test(size=(160, 40)) as pilot:
        panel = pilot.app.query_one(LogPanel)
        panel.select(RUN_A, make_run("\x1b[31;1mred bold\x1b[0m plain"))
        await pilot.pause()
        await pilot.press("g")
        segs = [s for s in panel.view.render_line(0) if s.text.strip()]
        red = next(s for s in segs if s.text == "red bold")
        assert red.style is not None and red.style.bold and red.style.color is not None
        assert red.style.color.number == 1
        assert "".join(s.text for s in segs).rstrip() == "red bold plain"
