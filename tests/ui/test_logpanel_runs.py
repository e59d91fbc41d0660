"""Moving between runs in the log panel: nothing of one run's search leaks into the next."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Static

from nekt_tui.ui.widgets.log_panel import LogPanel
from nekt_tui.ui.widgets.log_search import LogSearchBar
from tests.logview.host import RUN_A, RUN_B, LogHost, make_run, numbered, screen_rows

SIZE = (80, 12)
LONG = "start of the long line " + "x" * 300 + " needle at the far end"
LOG_A = "\n".join([*numbered(5), LONG, *numbered(5, 5)]) + "\n"
LOG_B = "\n".join(f"run b line {i} " + "y" * 200 for i in range(5)) + "\n"


def status(panel: LogPanel) -> str:
    return str(panel.query_one("#log-status", Static).render())


async def _search_far_right(pilot: Pilot[None]) -> LogPanel:
    panel = pilot.app.query_one(LogPanel)
    panel.select(RUN_A, make_run(LOG_A))
    await pilot.pause()
    await pilot.press("slash", *"needle", "enter")
    await pilot.pause()
    assert panel.view.scroll_x > 0  # the view went sideways to the match
    assert any("needle" in row for row in screen_rows(panel.view))
    return panel


async def test_another_run_starts_at_the_left_edge() -> None:
    async with LogHost().run_test(size=SIZE) as pilot:
        panel = await _search_far_right(pilot)
        panel.select(RUN_B, make_run(LOG_B, run_id=RUN_B))
        await pilot.pause()
        assert panel.view.scroll_x == 0
        rows = screen_rows(panel.view)
        assert rows[0].startswith("run b line 0 yyy")  # whole lines, not cut mid-line
        assert "match" not in status(panel)


async def test_going_back_restores_where_the_search_left_the_view() -> None:
    async with LogHost().run_test(size=SIZE) as pilot:
        panel = await _search_far_right(pilot)
        x = panel.view.scroll_x
        panel.select(RUN_B, make_run(LOG_B, run_id=RUN_B))
        await pilot.pause()
        panel.select(RUN_A, make_run(LOG_A))
        await pilot.pause()
        assert panel.view.scroll_x == x
        assert any("needle" in row for row in screen_rows(panel.view))
        assert "1 match" in status(panel)


async def test_a_run_without_a_log_yet_is_not_scrolled_sideways() -> None:
    async with LogHost().run_test(size=SIZE) as pilot:
        panel = await _search_far_right(pilot)
        panel.select(RUN_B, None)
        await pilot.pause()
        assert panel.view.scroll_x == 0
        assert screen_rows(panel.view)[0].startswith("waiting for")


async def test_a_half_typed_search_does_not_follow_to_another_run() -> None:
    async with LogHost().run_test(size=SIZE) as pilot:
        panel = pilot.app.query_one(LogPanel)
        panel.select(RUN_A, make_run(LOG_A))
        await pilot.pause()
        await pilot.press("slash", *"nee")
        bar = panel.query_one(LogSearchBar)
        assert bar.region.height == 1
        panel.select(RUN_B, make_run(LOG_B, run_id=RUN_B))  # e.g. a click in the list
        await pilot.pause()
        assert bar.region.height == 0  # closed, not left open with run A's text
        assert pilot.app.focused is panel.view
        await pilot.press("slash")  # a new search starts empty
        assert bar.input.value == ""
