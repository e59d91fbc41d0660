"""The log panel's keys, following, search and filter, driven with Pilot."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from nekt_tui.logview import store as store_module
from nekt_tui.logview.sgr import CleanLine
from nekt_tui.logview.store import LineStore
from nekt_tui.logview.text import Indexed
from nekt_tui.ui.widgets.log_panel import NO_LOG, NO_RUN, LogPanel
from nekt_tui.ui.widgets.log_search import LogSearchBar
from nekt_tui.ui.widgets.log_view import LogView
from nekt_tui.watch.log_delta import LogDelta, LogTracker
from tests.logview.host import RUN_A, RUN_B, LogHost, make_run, numbered, screen_rows

SIZE = (80, 12)  # the view is 11 rows high: 12 minus the status line


def status(panel: LogPanel) -> str:
    return str(panel.query_one("#log-status", Static).render())


async def _open(pilot: Pilot[None], lines: list[str], run_id: str = RUN_A) -> LogPanel:
    panel = pilot.app.query_one(LogPanel)
    panel.select(run_id, make_run("\n".join(lines) + "\n", run_id=run_id))
    await pilot.pause()
    return panel


async def _search(pilot: Pilot[None], text: str, *keys: str) -> None:
    await pilot.press("slash")
    await pilot.press(*text)
    await pilot.press(*keys, "enter")
    await pilot.pause()


async def test_opens_at_the_tail_following() -> None:
    async with LogHost().run_test(size=SIZE) as pilot:
        panel = await _open(pilot, numbered(100))
        rows = screen_rows(panel.view)
        assert rows[-1] == "line 99"
        assert status(panel) == "line 100 of 100 · following"


async def test_no_run_and_flat_shape_say_so() -> None:
    async with LogHost().run_test(size=SIZE) as pilot:
        panel = pilot.app.query_one(LogPanel)
        await pilot.pause()
        assert screen_rows(panel.view)[0] == NO_RUN
        panel.select(RUN_A, make_run(None))
        await pilot.pause()
        assert screen_rows(panel.view)[0] == NO_LOG
        assert status(panel) == NO_LOG


async def test_following_appends_and_pausing_counts_new_lines() -> None:
    async with LogHost().run_test(size=SIZE) as pilot:
        panel = await _open(pilot, numbered(50))
        run = panel.run
        assert run is not None
        panel.update_run(RUN_A, run, LogDelta(False, tuple(numbered(5, 50))))
        await pilot.pause()
        assert screen_rows(panel.view)[-1] == "line 54"
        await pilot.press("up", "up")  # scrolling up pauses
        assert not panel.view.follow
        top = screen_rows(panel.view)[0]
        panel.update_run(RUN_A, run, LogDelta(False, tuple(numbered(3, 55))))
        await pilot.pause()
        assert screen_rows(panel.view)[0] == top  # nothing moved under the reader
        assert "paused · 3 new lines" in status(panel)
        await pilot.press("end")  # back at the end: following again
        assert panel.view.follow
        assert "following" in status(panel) and "new line" not in status(panel)
        panel.update_run(RUN_A, run, LogDelta(False, ("last",)))
        await pilot.pause()
        assert screen_rows(panel.view)[-1] == "last"


async def test_f_toggles_follow() -> None:
    async with LogHost().run_test(size=SIZE) as pilot:
        panel = await _open(pilot, numbered(30))
        run = panel.run
        assert run is not None
        await pilot.press("f")
        assert not panel.view.follow
        panel.update_run(RUN_A, run, LogDelta(False, ("new",)))
        await pilot.pause()
        assert screen_rows(panel.view)[-1] == "line 29"
        assert "paused · 1 new line" in status(panel)
        await pilot.press("f")
        assert panel.view.follow
        assert screen_rows(panel.view)[-1] == "new"


async def test_replace_last_regrows_a_partial_line() -> None:
    async with LogHost().run_test(size=SIZE) as pilot:
        panel = pilot.app.query_one(LogPanel)
        run = make_run("one\ntw")
        panel.select(RUN_A, run)
        await pilot.pause()
        panel.update_run(RUN_A, run, LogDelta(False, ("two", "three"), replace_last=True))
        await pilot.pause()
        assert [r for r in screen_rows(panel.view) if r] == ["one", "two", "three"]


async def test_g_and_G_go_to_top_and_bottom() -> None:
    async with LogHost().run_test(size=SIZE) as pilot:
        panel = await _open(pilot, numbered(100))
        await pilot.press("g")
        assert screen_rows(panel.view)[0] == "line 0"
        assert "line 11 of 100 · paused" in status(panel)
        await pilot.press("G")
        assert screen_rows(panel.view)[-1] == "line 99"
        assert panel.view.follow


async def test_w_wraps_long_lines() -> None:
    async with LogHost().run_test(size=(40, 12)) as pilot:
        panel = await _open(pilot, ["short", "x" * 100, "end"])
        assert screen_rows(panel.view)[:3] == ["short", "x" * 40, "end"]  # cut: scrolls sideways
        await pilot.press("w")
        await pilot.pause()
        rows = [r for r in screen_rows(panel.view) if r]
        assert rows == ["short", "x" * 38, "x" * 38, "x" * 24, "end"]  # 2 cells: scrollbar
        assert "wrap" in status(panel)
        await pilot.press("w")
        await pilot.pause()  # the scrollbar that wrapping keeps on goes away
        assert screen_rows(panel.view)[:3] == ["short", "x" * 40, "end"]


async def test_l_shows_line_numbers() -> None:
    async with LogHost().run_test(size=SIZE) as pilot:
        panel = await _open(pilot, numbered(12))
        await pilot.press("g", "l")
        assert screen_rows(panel.view)[0] == " 1 line 0"
        await pilot.press("l")
        assert screen_rows(panel.view)[0] == "line 0"


TRACEBACK_LOG = [
    *numbered(20),
    "2024-01-01T00:00:00Z ERROR:tap:sync failed",
    "Traceback (most recent call last):",
    '  File "tap.py", line 3, in sync',
    "ValueError: bad row",
    *numbered(20, 20),
    "[error] second failure",
    *numbered(20, 40),
]


async def test_e_jumps_to_the_first_error_and_E_to_the_next() -> None:
    async with LogHost().run_test(size=SIZE) as pilot:
        panel = await _open(pilot, TRACEBACK_LOG)
        await pilot.press("e")
        assert screen_rows(panel.view)[0] == "2024-01-01T00:00:00Z ERROR:tap:sync failed"
        await pilot.press("E")  # the traceback is part of the same error: skipped
        assert screen_rows(panel.view)[0] == "[error] second failure"
        await pilot.press("E")
        assert screen_rows(panel.view)[0] == "[error] second failure"  # no more: stays


async def test_error_lines_are_drawn_in_the_error_colour() -> None:
    async with LogHost().run_test(size=(80, 30)) as pilot:
        panel = await _open(pilot, TRACEBACK_LOG)
        await pilot.press("e")
        view = panel.view
        error = view.get_component_rich_style("log-view--error").color
        plain = view.rich_style.color
        for y, expect in [(0, error), (2, error), (3, error), (4, plain)]:
            colours = {
                seg.style.color for seg in view.render_line(y) if seg.text.strip() and seg.style
            }
            assert expect in colours, y


async def test_search_highlights_counts_and_n_N_move() -> None:
    async with LogHost().run_test(size=SIZE) as pilot:
        panel = await _open(pilot, [*numbered(30), "needle one", *numbered(30, 30), "Needle two"])
        await pilot.press("g")  # search goes forward from the top line on screen
        await _search(pilot, "needle")
        assert "1/2 matches" in status(panel)  # smart case: both
        view = panel.view
        row = screen_rows(view).index("needle one")
        current = view.get_component_rich_style("log-view--match-current")
        styles = [seg.style for seg in view.render_line(row) if seg.text == "needle"]
        assert styles and styles[0] is not None and styles[0].bgcolor == current.bgcolor
        await pilot.press("n")
        assert "2/2 matches" in status(panel) and "Needle two" in screen_rows(view)
        await pilot.press("n")
        assert "1/2 matches" in status(panel)
        await pilot.press("N")
        assert "2/2 matches" in status(panel)
        await _search(pilot, "Needle")  # a capital: case-sensitive
        assert "1/1 match" in status(panel)


async def test_regex_search_and_a_bad_regex_is_explained() -> None:
    async with LogHost().run_test(size=SIZE) as pilot:
        panel = await _open(pilot, ["id=12", "id=x", "id=345"])
        await _search(pilot, r"id=\d+")
        assert "no matches" in status(panel)  # plain text by default
        await _search(pilot, r"id=\d+", "ctrl+r")
        assert "2 matches" in status(panel)
        await pilot.press("slash", "ctrl+u", "(", "enter")
        bar = panel.query_one(LogSearchBar)
        assert bar.has_class("-open")
        assert "not a valid regex" in str(bar.query_one("#log-search-error", Static).render())
        await pilot.press("escape")
        assert not bar.has_class("-open")
        assert "2 matches" in status(panel)


async def test_filter_shows_matches_with_context_and_toggles_back_in_place() -> None:
    lines = [*numbered(40), "hit A", *numbered(40, 40), "hit B", *numbered(40, 80)]
    async with LogHost().run_test(size=(80, 20)) as pilot:
        panel = await _open(pilot, lines)
        await _search(pilot, "hit", "ctrl+t")
        rows = [r for r in screen_rows(panel.view) if r]
        assert rows == ["⋯", "line 38", "line 39", "hit A", "line 40", "line 41", "⋯",
                        "line 78", "line 79", "hit B", "line 80", "line 81", "⋯"]  # fmt: skip
        assert "filter ±2" in status(panel)
        await pilot.press("left_square_bracket", "left_square_bracket")
        assert [r for r in screen_rows(panel.view) if r] == ["⋯", "hit A", "⋯", "hit B", "⋯"]
        await pilot.press("n")  # current match: hit B
        await pilot.press("F")  # back to the whole log, hit B still on screen
        assert "hit B" in screen_rows(panel.view)
        assert "line 39" not in screen_rows(panel.view)
        await pilot.press("F")
        assert "⋯" in screen_rows(panel.view)


async def test_filter_follows_new_matching_lines() -> None:
    async with LogHost().run_test(size=(80, 20)) as pilot:
        panel = await _open(pilot, ["hit 1", *numbered(10)])
        run = panel.run
        assert run is not None
        await _search(pilot, "hit", "ctrl+t", "ctrl+t", "ctrl+t")  # toggled to on
        await pilot.press("left_square_bracket", "left_square_bracket")  # no context
        panel.update_run(RUN_A, run, LogDelta(False, ("nothing", "hit 2", "nothing")))
        await pilot.pause()
        assert [r for r in screen_rows(panel.view) if r] == ["hit 1", "⋯", "hit 2", "⋯"]
        assert "2 matches" in status(panel)


async def test_threaded_search_on_a_big_log() -> None:
    async with LogHost().run_test(size=SIZE) as pilot:
        panel = pilot.app.query_one(LogPanel)
        panel.view.THREAD_SEARCH_LINES = 100
        lines = numbered(5_000)
        lines[1234] = "the needle"
        panel.select(RUN_A, make_run("\n".join(lines)))
        await pilot.pause()
        await _search(pilot, "needle")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert "1/1 match" in status(panel)
        assert "the needle" in screen_rows(panel.view)


async def test_each_run_keeps_its_place_and_search() -> None:
    async with LogHost().run_test(size=SIZE) as pilot:
        panel = await _open(pilot, numbered(100))
        await _search(pilot, "line 42")
        top_a = screen_rows(panel.view)[0]
        await _open(pilot, [f"b {i}" for i in range(100)], run_id=RUN_B)
        assert screen_rows(panel.view)[-1] == "b 99"
        assert panel.view.matches is None
        panel.select(RUN_A, make_run("\n".join(numbered(100))))
        await pilot.pause()
        assert screen_rows(panel.view)[0] == top_a
        assert "1 match" in status(panel)
        panel.update_run(RUN_B, make_run("b", run_id=RUN_B), LogDelta(True, ("b",)))
        await pilot.pause()
        assert screen_rows(panel.view)[0] == top_a  # another run's update changes nothing here


async def test_cap_shows_the_dropped_marker() -> None:
    async with LogHost(line_cap=50).run_test(size=SIZE) as pilot:
        panel = await _open(pilot, numbered(60))
        assert "older lines dropped" in status(panel)
        await pilot.press("g")
        dropped = panel.view.store.dropped
        assert dropped > 0
        rows = screen_rows(panel.view)
        assert rows[0].startswith(f"⋯ {dropped} older lines dropped")
        assert rows[1] == f"line {dropped}"
        await pilot.press("l")
        assert screen_rows(panel.view)[1] == f"{dropped + 1} line {dropped}"


async def test_clear_forgets_everything() -> None:
    async with LogHost().run_test(size=SIZE) as pilot:
        panel = await _open(pilot, numbered(10))
        panel.clear()
        await pilot.pause()
        assert screen_rows(panel.view)[0] == NO_RUN
        assert panel.run_id is None


async def test_search_bar_keeps_typed_keys_from_the_panel() -> None:
    """`n` typed into the search field is text, not 'next match'."""
    async with LogHost().run_test(size=SIZE) as pilot:
        panel = await _open(pilot, numbered(10))
        await pilot.press("slash", "n", "f")
        assert panel.query_one(Input).value == "nf"
        assert panel.view.follow
        assert isinstance(pilot.app.focused, Input)
        await pilot.press("escape")
        assert isinstance(pilot.app.focused, LogView)


async def test_filter_with_no_match_says_so() -> None:
    async with LogHost().run_test(size=SIZE) as pilot:
        panel = await _open(pilot, numbered(10))
        await _search(pilot, "absent", "ctrl+t")
        assert screen_rows(panel.view)[0] == "no line matches: F shows the whole log"
        await pilot.press("F")
        assert [r for r in screen_rows(panel.view) if r] == numbered(10)


async def test_an_append_touches_only_new_and_visible_lines(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The O(new) promise, counted rather than timed: a 1,000-line poll of a 20,000-line
    log indexes 1,000 lines and styles only the rows on screen."""
    async with LogHost().run_test(size=SIZE) as pilot:
        text = "\n".join(numbered(20_000)) + "\n"
        tracker = LogTracker()
        tracker.update(RUN_A, text)
        panel = pilot.app.query_one(LogPanel)
        panel.select(RUN_A, make_run(text))
        await pilot.pause()
        indexed: list[int] = []
        cleaned: list[int] = []
        real_index, real_clean = store_module.index_text, LineStore.clean

        def counting_index(text: str, pos: int, base: int) -> Indexed:
            result = real_index(text, pos, base)
            indexed.append(len(result))
            return result

        def counting_clean(self: LineStore, i: int) -> CleanLine:
            cleaned.append(i)
            return real_clean(self, i)

        monkeypatch.setattr(store_module, "index_text", counting_index)
        monkeypatch.setattr(LineStore, "clean", counting_clean)
        text += "\n".join(numbered(1_000, 20_000)) + "\n"
        panel.update_run(RUN_A, make_run(text), tracker.update(RUN_A, text))
        await pilot.pause()
        assert sum(indexed) == 1_000
        assert panel.view.store.source is panel.run.parsed_log  # held, not copied
        assert screen_rows(panel.view)[-1] == "line 20999"
        assert 0 < len(set(cleaned)) <= panel.view.scrollable_content_region.height


def _look_alikes(n: int) -> list[str]:
    # Every line has an error word near its start but is no error: each must be checked
    # the slow way (a few µs), so 120,000 of them take far longer than one slice.
    return [f"2024-01-01T00:00:00Z INFO error budget ok, record {i}" for i in range(n)]


async def _settle_seek(pilot: Pilot[None], panel: LogPanel) -> None:
    for _ in range(400):
        if "looking for errors" not in status(panel):
            return
        await pilot.pause(0.01)
    raise AssertionError("the error seek never ended")


async def test_e_on_a_log_slow_to_rule_out_keeps_the_app_answering_and_then_jumps() -> None:
    async with LogHost().run_test(size=SIZE) as pilot:
        panel = await _open(pilot, [*_look_alikes(120_000), "ERROR: the real one", *numbered(30)])
        await pilot.press("g")
        # Pilot's `press` waits for the app to go idle, which it does only once the seek
        # is over: start it directly, and queue a key's action behind it.
        panel.action_first_error()
        await pilot.pause(0.01)
        assert "looking for errors…" in status(panel)
        pilot.app.call_later(panel.action_toggle_wrap)
        await pilot.pause(0.01)
        assert panel.view.wrap  # handled between two slices of the scan
        assert "looking for errors…" in status(panel)
        await _settle_seek(pilot, panel)
        assert screen_rows(panel.view)[0] == "ERROR: the real one"


async def test_another_log_cancels_an_error_seek_under_way() -> None:
    async with LogHost().run_test(size=SIZE) as pilot:
        panel = await _open(pilot, [*_look_alikes(120_000), "ERROR: in the first log"])
        await pilot.press("g")
        panel.action_first_error()
        await pilot.pause(0.01)
        assert "looking for errors…" in status(panel)
        await _open(pilot, numbered(50), run_id=RUN_B)
        assert "looking for errors" not in status(panel)
        await pilot.pause(0.05)
        assert screen_rows(panel.view)[-1] == "line 49"  # still following the new log
        assert panel.view.error_cursor is None
