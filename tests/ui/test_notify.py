"""A run failing in the app, inside tmux: the desktop notification reaches the terminal
(the bytes the driver was given) and the notify command runs with the run in its
environment; with `notify = "off"` neither happens."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from nekt_tui.alerts.terminal import passthrough
from nekt_tui.api.models import RunStatus
from nekt_tui.clock import FakeClock
from nekt_tui.config import Config
from nekt_tui.simulator import World
from nekt_tui.ui.app import NektApp
from nekt_tui.ui.factory import build_app
from nekt_tui.ui.state.store import StoredRun
from tests.alerts.helpers import env_writer, written

from .conftest import RUN_A, RUN_B, Sim, make_sim

SECRET = "sk-live-do-not-leak-0123456789"
#: A label the user typed, with what a paste can carry.
LABEL = "nightly;load\x1b]0;retitled\x07"


def _failing(clock: object) -> World:
    """Two runs, running now, that fail 10 s and 11 s later."""
    world = World(seed=3, clock=clock, n_runs=0)  # type: ignore[arg-type]
    world.add_run((("running", 10.0),), "failed", ago=5, run_id=RUN_A)
    world.add_run((("running", 11.0),), "failed", ago=5, run_id=RUN_B)
    return world


@pytest.fixture
def in_tmux_in_wezterm(monkeypatch: pytest.MonkeyPatch) -> None:
    """The environment of nekt-tui in tmux, in a WezTerm window, with the key set."""
    for name in ("KITTY_WINDOW_ID", "LC_TERMINAL", "WT_SESSION", "VTE_VERSION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TMUX", "/tmp/tmux-1000/default,4242,0")
    monkeypatch.setenv("TERM", "tmux-256color")
    monkeypatch.setenv("TERM_PROGRAM", "tmux")
    monkeypatch.setenv("WEZTERM_PANE", "0")
    monkeypatch.setenv("NEKT_API_KEY", SECRET)


def _terminal(app: NektApp) -> list[str]:
    """From now on, every string the app writes to its terminal driver."""
    sent: list[str] = []
    driver: Any = app._driver
    original = driver.write

    def write(data: str) -> None:
        sent.append(data)
        original(data)

    driver.write = write
    return sent


async def _until_failed(sim: Sim, pilot: Any, run_ids: list[str]) -> None:
    for _ in range(15):
        await sim.advance(pilot, 1)
        if all(sim.app.model.rows[r].status is RunStatus.FAILED for r in run_ids):
            return
    raise AssertionError("the runs did not fail")


@pytest.mark.usefixtures("in_tmux_in_wezterm")
async def test_a_failing_run_notifies_the_desktop_and_runs_the_command(tmp_path: Path) -> None:
    cmd, out = env_writer(tmp_path)
    first, second = RUN_A, RUN_B
    saved = [StoredRun(first, LABEL, None), StoredRun(second, None, None)]
    sim = make_sim(_failing, notify_cmd=(str(cmd),), saved=saved)
    async with sim.app.run_test(size=(120, 40)) as pilot:
        sent = _terminal(sim.app)
        await _until_failed(sim, pilot, [first, second])
        await sim.app.notifier.drain()
        rows = [sim.app.model.rows[r] for r in (first, second)]
    written_text = "".join(sent)
    for row in rows:
        assert row.failure  # the demo's failure has a traceback: the digest is its cause
        # WezTerm shows OSC 777 (title and body); inside tmux it is wrapped for passthrough.
        title = f"nekt-tui: {row.title} failed".replace(";", ",")
        osc = f"\x1b]777;notify;{title};running → failed — {row.failure.replace(';', ',')}\x07"
        assert passthrough(osc) in written_text
    # The label's escape sequence never reaches the terminal, nor the title it asked for.
    assert "retitled" not in written_text and "\x1b]0;" not in written_text
    envs = {e["NEKT_RUN_ID"]: e for e in written(out)}
    assert sorted(envs) == sorted([first, second])
    for row in rows:
        env = envs[row.run_id]
        assert env["NEKT_STATUS"] == "failed" and env["NEKT_PREVIOUS_STATUS"] == "running"
        assert env["NEKT_ERROR"] == row.failure
        assert env["NEKT_PIPELINE"] == row.pipeline_name
        assert env["NEKT_STARTED_AT"].endswith("Z") and env["NEKT_ENDED_AT"].endswith("Z")
        assert SECRET not in "".join(env.values()) and "NEKT_API_KEY" not in env
    assert envs[first]["NEKT_LABEL"] == "nightly;load"  # one printable line
    assert envs[second]["NEKT_LABEL"] == ""


@pytest.mark.usefixtures("in_tmux_in_wezterm")
async def test_notify_off_sends_nothing_and_runs_nothing(tmp_path: Path) -> None:
    cmd, out = env_writer(tmp_path)
    sim = make_sim(_failing, notify="off", notify_cmd=(str(cmd),))
    async with sim.app.run_test(size=(120, 40)) as pilot:
        sent = _terminal(sim.app)
        await _until_failed(sim, pilot, sim.world.run_ids)
        await sim.app.notifier.drain()
        toasts = [t.message for t in sim.app.toasts]
    written_text = "".join(sent)
    assert "\x1bPtmux;" not in written_text and "]777;" not in written_text
    assert written(out) == []
    assert any("→ failed" in m for m in toasts)  # the screen still says it


async def test_a_missing_command_is_one_toast(tmp_path: Path) -> None:
    sim = make_sim(_failing, notify_cmd=(str(tmp_path / "notify-slack.sh"),))
    async with sim.app.run_test(size=(120, 40), notifications=True) as pilot:
        await _until_failed(sim, pilot, sim.world.run_ids)
        await sim.app.notifier.drain()
        await sim.advance(pilot, 1)
        said = [t for t in sim.app.toasts if "notify command" in t.message]
    assert len(said) == 1
    assert said[0].severity == "warning"
    assert "notify-slack.sh" in said[0].message and "not found" in said[0].message


def test_the_config_reaches_the_apps_notifier(tmp_path: Path) -> None:
    config = Config(notify="all", notify_cmd=("notify-send", "nekt"), state_file=tmp_path / "s")
    app = build_app(config, demo=True, initial_text=None, clock=FakeClock())
    assert app.notifier.policy == "all"
    assert app.notifier.command is not None
    assert app.notifier.command.argv == ("notify-send", "nekt")
    off = build_app(Config(notify="off", notify_cmd=("notify-send",)), demo=True, initial_text=None)
    assert off.notifier.command is None
