"""Keeping a log: ctrl+s saves (default name, never a silent overwrite), c/m/C copy."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, Static

from nekt_tui.ui.widgets.log_panel import LogPanel
from nekt_tui.ui.widgets.log_save import SaveLogScreen
from tests.logview.host import RUN_A, LogHost, make_run, numbered, screen_rows


def _files(directory: Path) -> list[Path]:
    return list(directory.iterdir())


RAW_LOG = "first\r\n\x1b[31mred\x1b[0m line\nlast, no newline"


async def test_ctrl_s_then_raw_saves_the_whole_log_as_returned(tmp_path: Path) -> None:
    async with LogHost(line_cap=2, save_dir=tmp_path).run_test(size=(100, 20)) as pilot:
        panel = pilot.app.query_one(LogPanel)
        panel.select(RUN_A, make_run(RAW_LOG, number=42))
        await pilot.pause()
        assert panel.view.store.dropped == 1  # the panel keeps 2 lines, the file gets all
        await pilot.press("ctrl+s")
        screen = pilot.app.screen
        assert isinstance(screen, SaveLogScreen)
        assert screen.query_one(Input).value == "pipe-x-42.log"
        await pilot.press("ctrl+r", "enter")  # raw (plain text is the default)
        await pilot.pause()
        assert not isinstance(pilot.app.screen, SaveLogScreen)
        assert (tmp_path / "pipe-x-42.log").read_bytes() == RAW_LOG.encode()


async def test_default_name_falls_back_to_the_short_id(tmp_path: Path) -> None:
    async with LogHost(save_dir=tmp_path).run_test(size=(100, 20)) as pilot:
        panel = pilot.app.query_one(LogPanel)
        panel.select(RUN_A, make_run("x"))
        await pilot.pause()
        await pilot.press("ctrl+s")
        assert pilot.app.screen.query_one(Input).value == f"pipe-x-{RUN_A[:8]}.log"


async def test_saving_never_overwrites_without_asking(tmp_path: Path) -> None:
    target = tmp_path / "pipe-x-7.log"
    target.write_text("precious")
    async with LogHost(save_dir=tmp_path).run_test(size=(100, 20)) as pilot:
        panel = pilot.app.query_one(LogPanel)
        panel.select(RUN_A, make_run("new log\n", number=7))
        await pilot.pause()
        await pilot.press("ctrl+s", "enter")
        await pilot.pause()
        screen = pilot.app.screen
        assert isinstance(screen, SaveLogScreen)  # still asking
        problem = str(screen.query_one("#save-log-problem", Static).render())
        assert "exists" in problem and "enter again to overwrite" in problem
        assert target.read_text() == "precious"
        await pilot.press("enter")  # the user confirms
        await pilot.pause()
        assert target.read_text() == "new log\n"


async def test_changing_the_name_after_the_warning_needs_a_new_confirmation(
    tmp_path: Path,
) -> None:
    (tmp_path / "a.log").write_text("a")
    (tmp_path / "b.log").write_text("b")
    async with LogHost(save_dir=tmp_path).run_test(size=(100, 20)) as pilot:
        panel = pilot.app.query_one(LogPanel)
        panel.select(RUN_A, make_run("log"))
        await pilot.pause()
        await pilot.press("ctrl+s", "ctrl+u", *"a.log", "enter")
        await pilot.press("ctrl+u", *"b.log", "enter")  # warned about a.log, not b.log
        await pilot.pause()
        assert isinstance(pilot.app.screen, SaveLogScreen)
        assert (tmp_path / "a.log").read_text() == "a"
        assert (tmp_path / "b.log").read_text() == "b"


async def test_escape_cancels_the_save(tmp_path: Path) -> None:
    async with LogHost(save_dir=tmp_path).run_test(size=(100, 20)) as pilot:
        panel = pilot.app.query_one(LogPanel)
        panel.select(RUN_A, make_run("log"))
        await pilot.pause()
        await pilot.press("ctrl+s", "escape")
        await pilot.pause()
        assert not isinstance(pilot.app.screen, SaveLogScreen)
        assert not _files(tmp_path)


async def test_nothing_to_save_in_the_flat_shape(tmp_path: Path) -> None:
    async with LogHost(save_dir=tmp_path).run_test(size=(100, 20)) as pilot:
        panel = pilot.app.query_one(LogPanel)
        panel.select(RUN_A, make_run(None))
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(pilot.app.screen, SaveLogScreen)
        assert not _files(tmp_path)


async def test_copy_visible_matches_and_whole_log() -> None:
    lines = [*numbered(30), "\x1b[31mhit\x1b[0m one", *numbered(30, 30), "hit two"]
    async with LogHost().run_test(size=(80, 12)) as pilot:
        panel = pilot.app.query_one(LogPanel)
        panel.select(RUN_A, make_run("\n".join(lines)))
        await pilot.pause()
        await pilot.press("c")
        assert pilot.app.clipboard == "\n".join(r for r in screen_rows(panel.view))
        assert pilot.app.clipboard.endswith("hit two")
        await pilot.press("slash", *"hit", "enter")
        await pilot.press("m")
        assert pilot.app.clipboard == "hit one\nhit two"
        await pilot.press("C")
        clip = pilot.app.clipboard
        assert clip.splitlines()[0] == "line 0" and len(clip.splitlines()) == len(lines)
        assert "\x1b" not in clip  # cleaned, not raw escapes


async def test_selecting_after_a_poll_does_not_repeat_its_lines() -> None:
    from nekt_tui.watch.log_delta import LogTracker

    tracker = LogTracker()
    old, new = "a\nb\n", "a\nb\nc\nd\n"
    tracker.update(RUN_A, old)
    delta = tracker.update(RUN_A, new)
    run = make_run(new)
    async with LogHost().run_test(size=(100, 20)) as pilot:
        panel = pilot.app.query_one(LogPanel)
        # The row is selected between the engine's update and the frame that applies it.
        panel.select(RUN_A, run)
        panel.update_run(RUN_A, run, delta)
        await pilot.pause()
        store = panel.view.store
        assert [store.raw(i) for i in range(store.end)] == ["a", "b", "c", "d"]
