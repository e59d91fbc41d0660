"""The log panel inside the whole app, read off the rendered screen: the search box shows
what is typed, another run starts unscrolled, and the footer keeps Quit and Help."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets._toast import Toast

from nekt_tui.ui.app import NektApp
from nekt_tui.ui.widgets.log_panel import LogPanel
from nekt_tui.ui.widgets.log_search import LogSearchBar

from .conftest import make_sim

_TEXT = re.compile(r'<text [^>]*clip-path="url\(#[^)]*-line-(\d+)\)"[^>]*>(.*?)</text>')


def screen_lines(app: NektApp) -> list[str]:
    """Every row of the screen as text, from the app's own screenshot (what a user sees).

    Runs of blank cells between differently styled spans are dropped by the SVG export,
    so look for words, not for column positions."""
    rows: dict[int, list[str]] = {}
    for m in _TEXT.finditer(app.export_screenshot()):
        text = html.unescape(m.group(2)).replace("\xa0", " ")
        rows.setdefault(int(m.group(1)), []).append(text)
    return ["".join(rows[k]) for k in sorted(rows)]


async def focus_log(pilot: Pilot[Any]) -> LogPanel:
    """Press tab until the log panel has the focus, as a user would."""
    app = pilot.app
    for _ in range(8):
        await pilot.press("tab")
        focused = app.focused
        if focused is not None and any(isinstance(a, LogPanel) for a in focused.ancestors):
            return app.query_one(LogPanel)
    raise AssertionError("tab never reached the log panel")


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (200, 60)])
async def test_the_search_box_shows_the_typed_text_and_the_cursor(size: tuple[int, int]) -> None:
    sim = make_sim()
    async with sim.app.run_test(size=size) as pilot:
        await sim.advance(pilot, 1)
        await focus_log(pilot)
        await pilot.press("slash", *"needle")
        box = sim.app.query_one(LogSearchBar).input
        box.cursor_blink = False  # the cursor stays drawn: no timing in the test
        await pilot.pause()
        assert box.has_focus
        lines = screen_lines(sim.app)
        row = next((line for line in lines if "needle" in line), None)
        assert row is not None, "\n".join(lines)
        assert box.content_region.height == 1
        assert "plain (ctrl+r)" in row  # the options sit beside the text, on the same row
        # The cursor: the cell after the text is drawn in the cursor's style.
        cursor = box.get_component_rich_style("input--cursor")
        segments = list(box.render_line(0))
        drawn = "".join(s.text for s in segments)
        at = drawn.index("needle") + len("needle")
        offset = 0
        for seg in segments:
            if offset <= at < offset + len(seg.text):
                assert seg.style is not None and seg.style.reverse == cursor.reverse
                assert seg.style.bgcolor == cursor.bgcolor
                break
            offset += len(seg.text)
        else:
            raise AssertionError(f"no cursor cell in {drawn!r}")
        await pilot.press("enter")  # the search runs as before
        await pilot.pause()
        assert "no matches for “needle”" in str(sim.app.query_one("#log-status").render())


@pytest.mark.parametrize("size", [(80, 24), (100, 30), (200, 60)])
async def test_quit_and_help_stay_in_the_footer_with_the_log_focused(
    size: tuple[int, int],
) -> None:
    sim = make_sim()
    async with sim.app.run_test(size=size) as pilot:
        await sim.advance(pilot, 1)
        await focus_log(pilot)
        await pilot.pause()
        footer = screen_lines(sim.app)[-1]
        assert "q Quit" in footer and "? Help" in footer, footer
        assert "/ Search" in footer, footer  # the log's own keys are there too


@pytest.mark.parametrize("size", [(80, 24), (120, 30), (200, 60)])
async def test_toasts_leave_the_log_status_line_readable(size: tuple[int, int]) -> None:
    sim = make_sim()
    async with sim.app.run_test(size=size, notifications=True) as pilot:
        await sim.advance(pilot, 1)
        await focus_log(pilot)
        for n in range(3):
            sim.app.notify(f"run {n} changed: ✔ success, a toast of some length", timeout=30)
        await pilot.pause()
        await pilot.pause()
        toasts = list(sim.app.screen.query(Toast))
        assert toasts
        status_line = sim.app.query_one("#log-status").region
        assert status_line.height == 1
        for toast in toasts:
            assert not toast.region.overlaps(status_line), (toast.region, status_line)


async def test_keys_typed_right_after_slash_go_to_the_search_box() -> None:
    """`/deploy` typed (or pasted) in one burst: every letter lands in the box; none runs
    a command of the list (`d` would remove the selected run)."""
    sim = make_sim()
    async with sim.app.run_test(size=(120, 30)) as pilot:
        await sim.advance(pilot, 1)
        await focus_log(pilot)
        runs = len(sim.app.model)
        driver = sim.app._driver
        assert driver is not None
        for key, char in [("slash", "/"), *((c, c) for c in "deploy")]:
            event = events.Key(key, char)
            event.set_sender(sim.app)
            driver.send_message(event)  # all queued before the app handles the first
        await pilot.pause()
        await pilot.pause()
        assert sim.app.query_one(LogSearchBar).input.value == "deploy"
        assert len(sim.app.model) == runs
        assert not sim.app.screen.is_modal


async def test_a_slash_typed_in_the_search_box_is_text() -> None:
    sim = make_sim()
    async with sim.app.run_test(size=(120, 30)) as pilot:
        await sim.advance(pilot, 1)
        await focus_log(pilot)
        await pilot.press("slash", *"/api/v1")
        assert sim.app.query_one(LogSearchBar).input.value == "/api/v1"
