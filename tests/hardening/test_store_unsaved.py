"""A watch list that cannot be saved: said where and why each time the reason changes, the
changes kept in memory, and on quit one line on stderr saying what was lost, exit 1."""

from __future__ import annotations

import contextlib
import resource
import shutil
import signal
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from nekt_tui.cli import main
from nekt_tui.simulator import World
from nekt_tui.ui import factory
from nekt_tui.ui.app import NektApp
from nekt_tui.ui.state.store import EXIT_UNSAVED, RunStore
from nekt_tui.watch.watchlist import WatchEntry, WatchList
from tests.conftest import isolate
from tests.ui.conftest import make_sim, until_started

RUN_A = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
RUN_B = "11111111-2222-4333-8444-555555555555"
RUN_C = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
RUN_D = "dddddddd-1111-4222-8333-444444444444"
RUN_E = "eeeeeeee-1111-4222-8333-444444444444"
KEPT = "your changes are kept in memory until it can be"


def _world(clock: Any) -> World:
    world = World(seed=1, clock=clock, n_runs=0)
    world.add_run((("running", 600.0),), "success", pipeline="salesforce-to-catalog", run_id=RUN_A)
    return world


@contextlib.contextmanager
def file_size_limit(size: int) -> Iterator[None]:
    """Files this process writes cannot grow past `size` bytes (EFBIG, not SIGXFSZ)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    old_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, old_handler)


def errors(app: NektApp) -> list[str]:
    return [n.message for n in app.toasts if n.severity == "error"]


async def test_each_new_reason_is_said_once_and_nothing_is_lost(tmp_path: Path) -> None:
    folder = tmp_path / "state"
    path = folder / "watchlist.json"
    WatchList(path, [WatchEntry(RUN_A)]).save()
    sim = make_sim(_world, store=RunStore(WatchList.load(path)))
    app = sim.app
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await sim.advance(pilot, 0)  # the first answer's frame keeps its status (a change)
        shutil.rmtree(folder)
        folder.write_text("a file where the folder was")
        app.add_runs([RUN_B])
        app.add_runs([RUN_C])  # the same reason again: not said again
        await pilot.pause()
        in_the_way = f"watch list not saved to {path}: {folder} is a file, not a folder; {KEPT}"
        assert errors(app) == [in_the_way]
        assert app.store.watchlist.run_ids == [RUN_A, RUN_B, RUN_C]

        folder.unlink()
        folder.mkdir()
        with file_size_limit(64):
            app.add_runs([RUN_D])
        await pilot.pause()
        too_big = "File too large (the file-size limit, see ulimit -f)"
        assert errors(app) == [in_the_way, f"watch list not saved to {path}: {too_big}; {KEPT}"]
        assert app.store.unsaved() == (
            f"4 changes to the watch list were not saved to {path}: {too_big}"
        )

        app.add_runs([RUN_E])  # it can be saved again: said, and everything is written
        await pilot.pause()
        assert f"watch list saved to {path} again" in [n.message for n in app.toasts]
        assert WatchList.load(path).run_ids == [RUN_A, RUN_B, RUN_C, RUN_D, RUN_E]
        assert app.store.unsaved() is None
        assert len(errors(app)) == 2
        assert not [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No NEKT_* from the environment, no config file (the state file is given by flag)."""
    return isolate(tmp_path, monkeypatch, state=False)


def drive_app(monkeypatch: pytest.MonkeyPatch, run_ids: list[str]) -> None:
    """`nekt-tui` opens the real app headless, which adds `run_ids` and quits."""

    async def script(pilot: Pilot[Any]) -> None:
        await until_started(pilot)
        app = pilot.app
        assert isinstance(app, NektApp)
        app.add_runs(run_ids)
        app.exit()

    real = factory.build_app

    def build(*args: Any, **kwargs: Any) -> NektApp:
        app = real(*args, **kwargs)
        app.run_async = partial(app.run_async, headless=True, auto_pilot=script)  # type: ignore[method-assign]
        return app

    monkeypatch.setattr(factory, "build_app", build)


def test_quitting_with_changes_not_saved_says_so_and_exits_1(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = isolated / "not-a-folder"
    blocker.write_text("a file")
    path = blocker / "watchlist.json"  # ENOTDIR
    drive_app(monkeypatch, [RUN_B, RUN_C])
    assert main(["--state-file", str(path)]) == EXIT_UNSAVED == 1
    err = capsys.readouterr().err
    assert err == (
        f"nekt-tui: 2 changes to the watch list were not saved to {path}: "
        f"{blocker} is a file, not a folder\n"
    )


def test_quitting_with_everything_saved_exits_0_quietly(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = isolated / "state" / "watchlist.json"
    drive_app(monkeypatch, [RUN_B, RUN_C])
    assert main(["--state-file", str(path)]) == 0
    assert capsys.readouterr().err == ""
    assert WatchList.load(path).run_ids == [RUN_B, RUN_C]
