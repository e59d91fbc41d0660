"""Drawing the log: finished rows are cached, so a repaint after an append builds only the
new rows (counted, not timed), and every change of look still reaches the screen."""

from __future__ import annotations

import pytest
from rich.style import Style
from textual.pilot import Pilot

from nekt_tui.logview.store import LineStore
from nekt_tui.ui.widgets.log_panel import LogPanel
from nekt_tui.ui.widgets.log_view import LogView
from nekt_tui.watch.log_delta import LogTracker
from tests.logview.host import RUN_A, LogHost, make_run, numbered, screen_rows

SIZE = (80, 12)  # the view is 11 rows high


class Feed:
    """A run's log growing poll by poll, as the engine hands it to the panel."""

    def __init__(self, panel: LogPanel, lines: list[str]) -> None:
        self.panel = panel
        self.text = "".join(f"{line}\n" for line in lines)
        self.tracker = LogTracker()
        self.tracker.update(RUN_A, self.text)
        panel.select(RUN_A, make_run(self.text))

    def poll(self, lines: list[str]) -> None:
        self.text += "".join(f"{line}\n" for line in lines)
        delta = self.tracker.update(RUN_A, self.text)
        self.panel.update_run(RUN_A, make_run(self.text), delta)


async def _feed(pilot: Pilot[None], lines: list[str]) -> Feed:
    feed = Feed(pilot.app.query_one(LogPanel), lines)
    await pilot.pause()
    return feed


def _styles(view: LogView, y: int, text: str) -> list[Style]:
    return [seg.style for seg in view.render_line(y) if seg.text == text and seg.style]


async def test_an_append_builds_only_the_new_rows() -> None:
    async with LogHost().run_test(size=SIZE) as pilot:
        feed = await _feed(pilot, numbered(500))
        view = feed.panel.view
        renderer = view.renderer
        built, styled = renderer.rows_built, renderer.lines_styled
        feed.poll(["line 500"])
        await pilot.pause()
        assert screen_rows(view)[-2:] == ["line 499", "line 500"]  # every row moved up
        assert renderer.rows_built - built == 1
        assert renderer.lines_styled - styled == 1
        built = renderer.rows_built
        feed.poll(numbered(3, 501))
        await pilot.pause()
        assert screen_rows(view)[-1] == "line 503"
        assert renderer.rows_built - built == 3


async def test_a_search_and_the_current_match_redraw_their_rows() -> None:
    async with LogHost().run_test(size=SIZE) as pilot:
        feed = await _feed(pilot, [*numbered(20), "needle a", "x", "needle b"])
        view = feed.panel.view
        await pilot.press("slash", *"needle", "enter")
        await pilot.pause()
        rows = screen_rows(view)
        a, b = rows.index("needle a"), rows.index("needle b")
        current = view.get_component_rich_style("log-view--match-current").bgcolor
        other = view.get_component_rich_style("log-view--match").bgcolor
        assert current != other
        assert [s.bgcolor for s in _styles(view, a, "needle")] == [current]
        assert [s.bgcolor for s in _styles(view, b, "needle")] == [other]
        await pilot.press("n")  # the highlight moves: both rows are drawn again
        assert [s.bgcolor for s in _styles(view, a, "needle")] == [other]
        assert [s.bgcolor for s in _styles(view, b, "needle")] == [current]
        await pilot.press("slash", "ctrl+u", "enter")  # search cleared: plain again
        await pilot.pause()
        assert all(s.bgcolor not in (current, other) for s in _styles(view, a, "needle a"))


async def test_line_numbers_wrap_and_scrolling_sideways_redraw_rows() -> None:
    async with LogHost().run_test(size=(40, 12)) as pilot:
        feed = await _feed(pilot, ["short", "y" * 100, "end"])
        view = feed.panel.view
        assert screen_rows(view)[:3] == ["short", "y" * 40, "end"]
        await pilot.press("l")
        assert screen_rows(view)[:3] == ["1 short", "2 " + "y" * 38, "3 end"]
        await pilot.press("l", "w")
        await pilot.pause()
        assert [r for r in screen_rows(view) if r] == ["short", "y" * 38, "y" * 38, "y" * 24, "end"]
        await pilot.press("w")
        await pilot.pause()
        view.scroll_to(x=5, animate=False, immediate=True)
        await pilot.pause()
        assert screen_rows(view)[:3] == ["", "y" * 40, ""]


async def test_a_new_theme_redraws_cached_rows() -> None:
    async with LogHost().run_test(size=SIZE) as pilot:
        feed = await _feed(pilot, ["2024-01-01T00:00:00Z ERROR boom", "fine"])
        view = feed.panel.view
        await pilot.press("g")
        before = _styles(view, 0, " ERROR boom")[0].color
        pilot.app.theme = "textual-light"
        await pilot.pause()
        after = view.get_component_rich_style("log-view--error").color
        assert after != before  # else this test would prove nothing
        assert [s.color for s in _styles(view, 0, " ERROR boom")] == [after]


async def test_levels_differ_without_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    """Under NO_COLOR the error line is bold and the warning bold and dim: a cue that is
    not a colour. Other lines are neither."""
    monkeypatch.setenv("NO_COLOR", "1")
    async with LogHost().run_test(size=SIZE) as pilot:
        assert pilot.app.no_color
        feed = await _feed(pilot, ["ERROR bad", "WARNING careful", "INFO fine"])
        view = feed.panel.view
        await pilot.press("g")
        error, warning, info = (
            _styles(view, y, t)[0]
            for y, t in enumerate(["ERROR bad", "WARNING careful", "INFO fine"])
        )
        assert error.bold and not error.dim
        assert warning.bold and warning.dim
        assert not info.bold and not info.dim


async def test_with_colour_errors_are_bold_and_warnings_not_dimmed() -> None:
    async with LogHost().run_test(size=SIZE) as pilot:
        feed = await _feed(pilot, ["ERROR bad", "WARNING careful"])
        view = feed.panel.view
        await pilot.press("g")
        assert _styles(view, 0, "ERROR bad")[0].bold
        assert not _styles(view, 1, "WARNING careful")[0].dim


async def test_e_and_E_answer_from_the_error_index(monkeypatch: pytest.MonkeyPatch) -> None:
    """The first `e` indexes the log as far as needed; after that appends are indexed as
    they come and `E` is a lookup: no line is examined again."""
    async with LogHost().run_test(size=SIZE) as pilot:
        feed = await _feed(pilot, [*numbered(3_000), "ERROR first", *numbered(20, 3_000)])
        view = feed.panel.view
        await pilot.press("e")
        assert screen_rows(view)[0] == "ERROR first"
        await pilot.press("E")  # none after it: the index is now complete
        assert view.store.errors.complete
        feed.poll(["INFO x", "ERROR second", *numbered(20, 4_000)])
        await pilot.pause()
        checked: list[int] = []
        real = LineStore.is_error_start

        def counting(self: LineStore, i: int) -> bool:
            checked.append(i)
            return real(self, i)

        monkeypatch.setattr(LineStore, "is_error_start", counting)
        await pilot.press("E")
        assert screen_rows(view)[0] == "ERROR second"
        await pilot.press("e")
        assert screen_rows(view)[0] == "ERROR first"
        assert checked == []


async def test_a_log_of_ever_new_colours_keeps_the_style_memo_bounded() -> None:
    """Each line in its own 24-bit colour: drawing them all keeps a bounded number of
    styles, and the colours still reach the screen."""
    async with LogHost().run_test(size=SIZE) as pilot:
        lines = [f"\x1b[38;2;{i % 256};{i // 256 % 256};7mline {i}\x1b[0m" for i in range(6_000)]
        feed = await _feed(pilot, lines)
        renderer = feed.panel.view.renderer
        for first in range(0, 6_000, 10):
            for line in range(first, first + 10):
                renderer.line_strip(line)
        assert len(renderer._sgr_styles) <= 4_097
        strip = renderer.line_strip(5_999)
        colours = {seg.style.color.triplet for seg in strip if seg.style and seg.style.color}
        assert (5_999 % 256, 5_999 // 256 % 256, 7) in {tuple(c) for c in colours if c}
