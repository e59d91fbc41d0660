"""Nothing lost: the watch list survives kill -9 mid-save; unusable files are set aside or
reported with their path and what is wrong, never a traceback, never silently emptied."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest
from textual.widgets import Static

from nekt_tui.cli import main
from nekt_tui.config import Config
from nekt_tui.ui.factory import build_app
from nekt_tui.watch.watchlist import WatchList
from tests.conftest import forbid_app, isolate

RID = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
KILLS = 30

# Real processes that save two different lists alternately and are killed with SIGKILL
# in the middle of a save. The saver announces each step of a save: every chunk written to
# a file in the state folder (writes are cut into chunks and flushed, so a kill leaves
# whatever a real crash would), every fsync and every rename, and waits for a go-ahead
# byte on stdin after each; the test picks one step at random and kills the saver there
# instead of answering. One parent imports nekt-tui once and forks a fresh saver per
# round, so 30 kills cost about a second. The announcing is test instrumentation around
# the OS calls; the save itself is nekt-tui's own `WatchList.save()`: of a list made in
# memory (it replaces the file), or of a loaded one (it merges with the file, under the lock
# a killed saver left behind: the kernel drops it).
SAVERS = textwrap.dedent(
    """
    import builtins, io, os, sys, uuid
    from pathlib import Path
    from nekt_tui.watch.watchlist import WatchEntry, WatchList

    path = Path(sys.argv[1])
    merging = sys.argv[2] == "merge"
    folder = str(path.parent)
    lists = [
        WatchList(path, [
            WatchEntry(str(uuid.UUID(int=(which << 64) + i, version=4)), f"list {which} #{i}")
            for i in range(1500)
        ])
        for which in (1, 2)
    ]

    def step(what):
        os.write(1, f"step {what}\\n".encode())
        if os.read(0, 1) != b"a":
            os._exit(3)

    class Chunked:
        def __init__(self, f):
            self._f = f
        def write(self, data):
            for i in range(0, len(data), 8192):
                self._f.write(data[i:i + 8192])
                self._f.flush()
                step("write")
            return len(data)
        def __enter__(self):
            return self
        def __exit__(self, *exc):
            self._f.close()
        def __getattr__(self, name):
            return getattr(self._f, name)

    def ours(file):
        return isinstance(file, (str, os.PathLike)) and os.fspath(file).startswith(folder)

    real_open, real_fdopen = builtins.open, os.fdopen
    def open_(file, mode="r", *args, **kwargs):
        f = real_open(file, mode, *args, **kwargs)
        return Chunked(f) if ours(file) and "w" in mode else f
    def fdopen(fd, mode="r", *args, **kwargs):
        f = real_fdopen(fd, mode, *args, **kwargs)
        return Chunked(f) if "w" in mode else f
    builtins.open = io.open = open_
    os.fdopen = fdopen
    for name in ("fsync", "replace", "rename"):
        def hooked(*args, _real=getattr(os, name), _name=name):
            step("before-" + _name)
            result = _real(*args)
            step("after-" + _name)
            return result
        setattr(os, name, hooked)

    while os.read(0, 1) == b"g":
        pid = os.fork()
        if pid == 0:
            n = 0
            loaded = WatchList.load(path) if merging else None
            while True:
                if loaded is None:
                    lists[n % 2].save()
                else:  # as an instance sharing the file does: its changes, merged on save
                    for rid in reversed(loaded.run_ids):
                        loaded.remove(rid)
                    for entry in lists[n % 2].entries:
                        loaded.insert(len(loaded), entry)
                    loaded.save()
                step(f"saved-{n % 2}")
                n += 1
        os.write(1, f"pid {pid}\\n".encode())
        _, status = os.waitpid(pid, 0)
        os.write(1, f"reaped {status}\\n".encode())
    """
)


def expected_lists() -> list[list[str]]:
    """The two lists the savers write, in order."""
    return [
        [str(uuid.UUID(int=(which << 64) + i, version=4)) for i in range(1500)] for which in (1, 2)
    ]


@pytest.mark.parametrize("mode", ["replace", "merge"])
def test_watch_list_survives_kill_9_at_any_moment(tmp_path: Path, mode: str) -> None:
    path = tmp_path / "state" / "watchlist.json"
    old_or_new = expected_lists()
    rng = random.Random(6)
    outcomes: set[int] = set()
    killed_at: set[str] = set()
    parent = subprocess.Popen(
        [sys.executable, "-c", SAVERS, str(path), mode],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        bufsize=0,
    )
    assert parent.stdin is not None and parent.stdout is not None
    lines = iter(parent.stdout.readline, b"")
    try:
        for round_ in range(KILLS):
            parent.stdin.write(b"g")
            # The first save makes the file; kill somewhere in the second to fourth.
            target = rng.randint(1, 3)
            pid: int | None = None
            saves, kill_at = 0, 0
            steps: list[str] = []
            for raw in lines:
                line = raw.decode().strip()
                if line.startswith("pid "):
                    pid = int(line.split()[1])
                    continue
                what = line.removeprefix("step ")
                if what.startswith("saved-"):
                    # Pick one of the steps a save takes (the first save's count; a later
                    # save may take fewer: one that ends before the pick moves the kill on
                    # to the next save, so the kill always comes).
                    if saves == 0 or saves >= target:
                        kill_at = rng.randint(1, len(steps))
                        target = max(target, saves + 1)
                    saves += 1
                    steps = []
                else:
                    steps.append(what)
                    if saves == target and len(steps) == kill_at:
                        break
                parent.stdin.write(b"a")
            else:
                raise AssertionError("the saver parent died")
            while pid is None:
                line = next(lines).decode().strip()
                pid = int(line.split()[1]) if line.startswith("pid ") else None
            os.kill(pid, signal.SIGKILL)
            killed_at.add(steps[-1])
            line = next(lines).decode()
            assert line.startswith("reaped "), line
            status = int(line.split()[1])
            assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL

            loaded = WatchList.load(path)
            where = f"round {round_}, killed at step {len(steps)} ({steps[-1]})"
            assert loaded.message is None, f"{where}: {loaded.message}"
            assert loaded.run_ids in old_or_new
            outcomes.add(old_or_new.index(loaded.run_ids))
    finally:
        parent.stdin.close()
        parent.wait(timeout=30)
        parent.stdout.close()
    # Kills landed mid-write, around the fsync and around the rename; the file was each
    # time the old list or the new one, and nothing was ever moved aside.
    assert {"write", "before-replace", "after-replace"} <= killed_at, killed_at
    assert outcomes == {0, 1}
    assert not list(path.parent.glob("*.bak*"))


# ---- unusable state file -----------------------------------------------------------------

BROKEN_STATE = [
    (b'{"version": 1, "runs": [{"run_id": "3c90c3cc-0d44', "not valid JSON"),
    (b"\xff\xfe\x00garbage", "not UTF-8"),
    (b'{"version": 99, "runs": []}', "format version 99"),
    (b'{"version": 1, "runs": [{"run_id": "not-a-uuid"}]}', "bad entry"),
    (b"[]", "not a nekt-tui watch list"),
]


@pytest.mark.parametrize(("content", "problem"), BROKEN_STATE)
async def test_broken_state_file_in_the_app_is_set_aside_and_said(
    tmp_path: Path, content: bytes, problem: str
) -> None:
    """Through the app's own entry point (`build_app`): the user is told on screen."""
    state = tmp_path / "watchlist.json"
    state.write_bytes(content)
    app = build_app(Config(api_key=None, state_file=state), demo=False, initial_text=None)
    async with app.run_test(size=(140, 30), notifications=True) as pilot:
        await pilot.pause()
        shown = "\n".join(
            [str(app.main.query_one("#notice", Static).render())] + [n.message for n in app.toasts]
        )
        assert app.is_running
    backup = state.with_name(state.name + ".bak")
    assert backup.read_bytes() == content  # kept byte for byte, never emptied
    assert str(backup) in shown and problem in shown, shown


def test_state_file_that_is_a_folder_is_set_aside(tmp_path: Path) -> None:
    state = tmp_path / "watchlist.json"
    state.mkdir()
    (state / "inside").write_text("kept")
    loaded = WatchList.load(state)
    assert loaded.message is not None and "cannot be read" in loaded.message
    assert loaded.recovered_from is not None
    assert (loaded.recovered_from / "inside").read_text() == "kept"
    loaded.add(RID)
    loaded.save()  # the new list goes where the old one was; the old one is still kept
    assert json.loads(state.read_text())["runs"][0]["run_id"] == RID


# ---- unusable config file, through the command line ----------------------------------------


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No NEKT_* from the environment; config and state in tmp_path."""
    forbid_app(monkeypatch, "the app must not start with an unusable configuration")
    return isolate(tmp_path, monkeypatch)


BROKEN_CONFIG: list[tuple[bytes | None, str]] = [
    (b"interval = [\n", "not valid TOML"),
    (b"\xff\xfe interval = 3\n", "not valid TOML"),
    (b"intervall = 3\n", "unknown setting 'intervall'"),
    (b'theme = "no-such-theme"\n', "unknown theme 'no-such-theme'"),
    (None, "cannot read config file"),  # a folder where the file should be
]


ENTRY_POINTS: list[list[str]] = [[], ["status", RID], ["wait", RID]]


@pytest.mark.parametrize(
    ("argv", "content", "problem"),
    [
        (argv, content, problem)
        for argv in ENTRY_POINTS
        for content, problem in BROKEN_CONFIG
        if not (argv and "theme" in problem)  # the theme is a setting of the app only
    ],
)
def test_broken_config_file_one_line_exit_2_never_a_traceback(
    isolated: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    content: bytes | None,
    problem: str,
) -> None:
    config = isolated / "config.toml"
    if content is None:
        config.mkdir()
    else:
        config.write_bytes(content)
    assert main(argv) == 2
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert problem in lines[0] and (str(config) in lines[0] or "theme" in problem)
    if content is not None:
        assert config.read_bytes() == content  # reported, never rewritten
