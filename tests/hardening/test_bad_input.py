"""Bad input on every path: the command line exits 2 with one line that says what is wrong
and what to do; the TUI explains inline and changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.content import Content
from textual.widgets import Input, Static

from nekt_tui.cli import main
from nekt_tui.clock import FakeClock
from nekt_tui.simulator import World
from nekt_tui.ui.app import INTERVAL_STEPS
from nekt_tui.ui.screens.add_dialog import AddDialog
from tests.conftest import forbid_app, isolate

from .conftest import make_rig

RID = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
HOSTILE = "\x1b]0;pwned\x07[@click=app.quit]x[/] \x1b[2J\u202e"


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No NEKT_* from the environment, a key (so only the input is wrong), no app start."""
    isolate(tmp_path, monkeypatch)
    monkeypatch.setenv("NEKT_API_KEY", "sk-test-bad-input")

    async def no_api(*_args: object, **_kwargs: object) -> int:
        raise AssertionError("no request may be made on bad input")

    forbid_app(monkeypatch, "the app must not start on bad input")
    monkeypatch.setattr("nekt_tui.headless.run_status", no_api)
    monkeypatch.setattr("nekt_tui.headless.run_wait", no_api)
    return tmp_path


def exit_code(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exc:
        return int(exc.code or 0)


def one_line(capsys: pytest.CaptureFixture[str]) -> str:
    out = capsys.readouterr()
    lines = [line for line in out.err.splitlines() if line.strip()]
    assert len(lines) == 1, out.err
    assert "Traceback" not in out.err and not out.out
    assert lines[0].startswith("nekt-tui")
    return lines[0]


BAD_ARGS = [
    # invalid IDs, on every path
    (["not-an-id"], "not a run ID"),
    (["3c90c3cc-0d44-4b50-8888"], "not a run ID"),
    (["status", "3c90c3cc-0d44-4b50-8888"], "not a run ID"),
    (["status", "https://app.nekt.ai/runs/"], "not a run ID"),
    (["wait", "not-an-id"], "not a run ID"),
    (["wait", RID, "nope"], "not a run ID"),
    (["status"], "RUN_ID"),
    # unknown flags
    (["--frobnicate"], "unrecognized arguments"),
    (["status", RID, "--frobnicate"], "unrecognized arguments"),
    (["wait", RID, "--exit-code"], "unrecognized arguments"),
    # bad intervals and timeouts
    (["--interval", "inf"], "--interval"),
    (["--interval", "nan"], "--interval"),
    (["--interval", "-2"], "--interval"),
    (["--interval", "0.1"], "interval must be"),
    (["wait", RID, "--interval", "0"], "--interval"),
    (["wait", RID, "--interval", "soon"], "--interval"),
    (["wait", RID, "--interval", "inf"], "--interval"),
    (["wait", RID, "--timeout", "nan"], "--timeout"),
    (["wait", RID, "--timeout", "0"], "--timeout"),
    # themes, bells, URLs
    (["--theme", "no-such-theme"], "unknown theme"),
    (["--theme", "[red]x"], "unknown theme"),
    (["--bell", "loud"], "--bell"),
    (["--api-url", "not a url"], "not an http(s) URL"),
    (["status", RID, "--api-url", "ftp://api.nekt.ai"], "not an http(s) URL"),
    (["wait", RID, "--api-url", "http://api.nekt.ai"], "https://"),
]


@pytest.mark.parametrize(("argv", "words"), BAD_ARGS)
def test_bad_command_line_exits_2_with_one_line(
    isolated: Path, capsys: pytest.CaptureFixture[str], argv: list[str], words: str
) -> None:
    assert exit_code(argv) == 2
    assert words in one_line(capsys)


BAD_ENV = [
    ("NEKT_TUI_THEME", "no-such-theme", "unknown theme"),
    ("NEKT_TUI_BELL", "loud", "bell must be one of"),
    ("NEKT_TUI_INTERVAL", "fast", "interval must be a number"),
    ("NEKT_TUI_INTERVAL", "inf", "interval must be"),
    ("NEKT_API_URL", "http://example.com", "API URL 'http://example.com'"),
]


@pytest.mark.parametrize(
    ("argv", "name", "value", "words"),
    [
        (argv, name, value, words)
        for argv in ([], ["status", RID], ["wait", RID])
        for name, value, words in BAD_ENV
        if not (argv and name == "NEKT_TUI_THEME")  # the theme is a setting of the app only
    ],
)
def test_bad_environment_exits_2_with_one_line(
    isolated: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    name: str,
    value: str,
    words: str,
    argv: list[str],
) -> None:
    monkeypatch.setenv(name, value)
    assert exit_code(argv) == 2
    assert words in one_line(capsys)


def test_hostile_bad_id_is_quoted_safely(
    isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for argv in ([HOSTILE], ["status", HOSTILE], ["wait", HOSTILE]):
        assert exit_code(argv) == 2
        line = one_line(capsys)
        assert "\x1b" not in line and "\u202e" not in line and "\x07" not in line


# ---- the TUI -------------------------------------------------------------------------------


def two_runs(clock: FakeClock) -> World:
    world = World(seed=12, clock=clock, n_runs=0)
    world.add_run((("running", 3600.0),), "success")
    world.add_run((("queued", 3600.0),), "success")
    return world


GARBAGE = [
    "https://app.nekt.ai/runs/",
    f"{RID[:-1]}g",
    HOSTILE,
    "x" * 5000,
    f"{RID} 3c90c3cc-0d44-4b50-8888",  # a good ID next to a broken one: nothing added
]


async def test_add_dialog_garbage_is_explained_inline_and_adds_nothing() -> None:
    rig = make_rig(two_runs)
    async with rig.app.run_test(size=(120, 30)) as pilot:
        await rig.advance(pilot, 1)
        before = list(rig.app.model.rows)
        saved = [s.run_id for s in rig.app.store.entries()]
        asked = len(rig.world.requests)
        for text in GARBAGE:
            await pilot.press("a")
            dialog = rig.app.screen
            assert isinstance(dialog, AddDialog)
            dialog.query_one(Input).value = text
            await pilot.press("enter")
            assert rig.app.screen is dialog, text  # still open, saying why
            message = dialog.query_one("#add-message", Static)
            said = str(message.render())
            assert message.has_class("error") and said.strip(), text
            assert "\x1b" not in said and "\u202e" not in said
            await pilot.press("escape")
            assert not isinstance(rig.app.screen, AddDialog) and rig.app.is_running
        await rig.advance(pilot, 1)
        assert list(rig.app.model.rows) == before
        assert [s.run_id for s in rig.app.store.entries()] == saved
        scheduler = rig.app.scheduler
        assert scheduler is not None and list(scheduler.watched) == before
        assert {r.run_id for r in list(rig.world.requests)[asked:]} <= set(before)
    await rig.client.aclose()


async def test_empty_add_hostile_filter_and_interval_bounds_change_nothing() -> None:
    rig = make_rig(two_runs)
    async with rig.app.run_test(size=(120, 30)) as pilot:
        await rig.advance(pilot, 1)
        before = list(rig.app.model.rows)
        # An empty add: refused or cancelled, nothing added.
        await pilot.press("a", "enter")
        if isinstance(rig.app.screen, AddDialog):
            await pilot.press("escape")
        assert list(rig.app.model.rows) == before and rig.app.is_running

        # A filter that is markup: shown literally, matches nothing, does nothing.
        await pilot.press("slash")
        rig.app.main.query_one("#filter", Input).value = "[@click=app.quit]x[/] [red"
        await pilot.pause()
        await pilot.press("enter")
        assert rig.app.is_running and rig.app.model.view == []
        subtitle = rig.app.widgets.watch_list.border_subtitle
        # A plain str subtitle would be read as markup: what the user sees is its plain text.
        shown = subtitle if isinstance(subtitle, Content) else Content.from_markup(subtitle or "")
        assert "[@click=app.quit]x[/] [red" in shown.plain
        await pilot.press("slash", "escape")
        assert len(rig.app.model.view) == 2

        # Faster or slower than the fastest or slowest step: stays there.
        scheduler = rig.app.scheduler
        assert scheduler is not None
        await pilot.press(*["plus"] * (len(INTERVAL_STEPS) + 1))
        assert scheduler.interval == INTERVAL_STEPS[0]
        await pilot.press(*["minus"] * (len(INTERVAL_STEPS) + 1))
        assert scheduler.interval == INTERVAL_STEPS[-1]
        assert scheduler.waiting_interval >= scheduler.interval
        assert list(rig.app.model.rows) == before and rig.app.is_running
    await rig.client.aclose()


async def test_filter_with_an_unknown_status_is_explained_and_changes_nothing() -> None:
    rig = make_rig(two_runs)
    async with rig.app.run_test(size=(120, 30), notifications=True) as pilot:
        await rig.advance(pilot, 1)
        shown = list(rig.app.model.view)
        await pilot.press("slash", *"status:bogus")
        await pilot.pause()
        said = "\n".join(
            [n.message for n in rig.app.toasts]
            + [str(w.render()) for w in rig.app.main.query(Static)]
        )
        assert "bogus" in said and "unknown" in said.lower()
        assert list(rig.app.model.view) == shown
    await rig.client.aclose()


@pytest.mark.parametrize("argv", [["status", RID], ["wait", RID]])
def test_non_ascii_key_is_one_line_exit_2_never_a_traceback(
    isolated: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
) -> None:
    monkeypatch.setenv("NEKT_API_KEY", "sk-tëst-key")
    assert exit_code(argv) == 2
    line = one_line(capsys)
    assert "HTTP header cannot carry" in line and "tëst" not in line
