"""Two nekt-tui instances on one watch list, as real processes: no run is lost.

Each instance is a Python process driving the app's own store (`RunStore` over
`WatchList.load`) the way the app does: a change, then a save. The test tells each what to
do next over a pipe, so the interleavings are exact. A `nekt-tui wait` runs beside them
against the simulator: it never writes the list (it never even imports it).
"""

from __future__ import annotations

import fcntl
import json
import os
import select
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path
from typing import Any

from nekt_tui.simulator import World
from nekt_tui.ui.state.store import RunStore
from nekt_tui.watch.watchlist import WatchEntry, WatchList
from tests.conftest import SimServer
from tests.ui.conftest import make_sim, until_started

RUN_A = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
RUN_B = "11111111-2222-4333-8444-555555555555"
RUN_X = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
RUN_Y = "dddddddd-1111-4222-8333-444444444444"
BURST = 40

INSTANCE = textwrap.dedent(
    """
    import json, sys, uuid
    from pathlib import Path
    from nekt_tui.ui.state.store import RunStore
    from nekt_tui.watch import watchlist_io
    from nekt_tui.watch.watchlist import WatchList

    store = RunStore(WatchList.load(Path(sys.argv[1])))
    which = int(sys.argv[2])
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        cmd, *args = line.split()
        notices = []
        if cmd == "add":
            store.add(args[0])
        elif cmd == "remove":
            store.remove(args[0])
        elif cmd == "label":
            store.set_label(args[0], args[1])
        elif cmd == "lock-wait":
            watchlist_io.LOCK_WAIT = float(args[0])
        elif cmd == "burst":  # add runs one by one, saving after each, as fast as it can
            for i in range(int(args[0])):
                store.add(str(uuid.UUID(int=(which << 64) + i, version=4)))
                saved = store.save()
                notices.append(saved.notice)
        if cmd in ("add", "remove", "label"):
            saved = store.save()
            notices.append(saved.notice)
        print(json.dumps({
            "ids": [e.run_id for e in store.entries()],
            "labels": {e.run_id: e.label for e in store.entries()},
            "notices": [n for n in notices if n],
        }), flush=True)
    """
)

WAIT = textwrap.dedent(
    """
    import sys
    from nekt_tui.cli import main
    code = main(["wait", *sys.argv[1:]])
    print("watch list imported" if "nekt_tui.watch.watchlist" in sys.modules else "untouched")
    sys.exit(code)
    """
)


class Instance:
    """One instance, told what to do a line at a time."""

    def __init__(self, path: Path, which: int) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", INSTANCE, str(path), str(which)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": os.getcwd()},
        )
        assert self.answer() == {"ready": True}

    def answer(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        assert line, "the instance died"
        result: dict[str, Any] = json.loads(line)
        return result

    def send(self, command: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()

    def do(self, command: str) -> dict[str, Any]:
        self.send(command)
        return self.answer()

    def close(self) -> None:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.close()
        assert self.proc.wait(timeout=30) == 0
        self.proc.stdout.close()


def start_list(tmp_path: Path) -> Path:
    path = tmp_path / "state" / "watchlist.json"
    WatchList(path, [WatchEntry(RUN_A), WatchEntry(RUN_B, "kept")]).save()
    return path


def in_file(path: Path) -> list[str]:
    return [run["run_id"] for run in json.loads(path.read_text())["runs"]]


def test_two_instances_interleaved_lose_nothing(tmp_path: Path) -> None:
    path = start_list(tmp_path)
    a, b = Instance(path, 1), Instance(path, 2)  # both load the same list
    try:
        a.do(f"add {RUN_X}")
        seen_by_b = b.do(f"add {RUN_Y}")
        assert in_file(path) == [RUN_A, RUN_B, RUN_X, RUN_Y]
        assert seen_by_b["ids"] == [RUN_A, RUN_B, RUN_X, RUN_Y]  # B took in A's run
        seen_by_a = a.do(f"remove {RUN_X}")
        assert in_file(path) == [RUN_A, RUN_B, RUN_Y]
        assert seen_by_a["ids"] == [RUN_A, RUN_B, RUN_Y]  # and A took in B's
        # Labels: the last change wins, run by run; a removal by A is not undone by B.
        a.do(f"label {RUN_A} from-a")
        b.do(f"label {RUN_A} from-b")
        b.do(f"label {RUN_Y} y")
        final = a.do(f"label {RUN_B} b-by-a")
        assert final["ids"] == [RUN_A, RUN_B, RUN_Y]
        assert final["labels"] == {RUN_A: "from-b", RUN_B: "b-by-a", RUN_Y: "y"}
        assert all(not answer["notices"] for answer in (seen_by_a, seen_by_b, final))
    finally:
        a.close()
        b.close()
    again = WatchList.load(path)
    assert again.run_ids == [RUN_A, RUN_B, RUN_Y]
    assert [e.label for e in again] == ["from-b", "b-by-a", "y"]


def test_two_instances_saving_at_once_beside_a_wait(tmp_path: Path, sim_server: SimServer) -> None:
    path = start_list(tmp_path)
    done = next(r for r in sim_server.runs.values() if r.status == "success")
    a, b = Instance(path, 1), Instance(path, 2)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("NEKT")},
        "PYTHONPATH": os.getcwd(),
        "NEKT_API_KEY": sim_server.key,
        "NEKT_API_URL": sim_server.url,
        "NEKT_TUI_CONFIG": str(tmp_path / "no-config.toml"),
        "NEKT_TUI_STATE": str(path),
    }
    try:
        a.send(f"burst {BURST}")
        b.send(f"burst {BURST}")
        waited = subprocess.run(
            [sys.executable, "-c", WAIT, done.id, "--timeout", "60"],
            env=env,
            capture_output=True,
            text=True,
            timeout=90,
            check=False,
        )
        from_a, from_b = a.answer(), b.answer()
    finally:
        a.close()
        b.close()
    assert waited.returncode == 0, waited.stderr
    assert waited.stdout.splitlines()[-1] == "untouched"
    bursts = [str(uuid.UUID(int=(w << 64) + i, version=4)) for w in (1, 2) for i in range(BURST)]
    assert set(in_file(path)) == {RUN_A, RUN_B, *bursts}
    assert len(in_file(path)) == 2 + 2 * BURST
    assert from_a["notices"] == [] and from_b["notices"] == []
    assert WatchList.load(path).get(RUN_B) == WatchEntry(RUN_B, "kept")


def test_a_save_waits_for_the_lock_and_says_so_when_it_cannot(tmp_path: Path) -> None:
    path = start_list(tmp_path)
    b = Instance(path, 2)
    fd = os.open(path.with_name("watchlist.json.lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # another save, stuck half way
        b.do("lock-wait 0.2")
        refused = b.do(f"add {RUN_X}")
        assert in_file(path) == [RUN_A, RUN_B]  # nothing written under someone's lock
        assert refused["ids"] == [RUN_A, RUN_B, RUN_X]  # kept in memory
        (notice,) = refused["notices"]
        assert f"watch list not saved to {path}" in notice
        assert "another nekt-tui holds" in notice and "watchlist.json.lock" in notice
        # Still held: the next save does not wait again (a stuck holder would stall the
        # app's every save), and says nothing new.
        b.do("lock-wait 600")
        b.send(f"label {RUN_X} x")
        assert select.select([b.proc.stdout], [], [], 60)[0], "the save waited for the lock"
        again = b.answer()
        assert again["notices"] == [] and in_file(path) == [RUN_A, RUN_B]
        fcntl.flock(fd, fcntl.LOCK_UN)
        saved = b.do(f"add {RUN_Y}")
        assert in_file(path) == [RUN_A, RUN_B, RUN_X, RUN_Y]
        assert saved["notices"] == [f"watch list saved to {path} again"]
    finally:
        os.close(fd)
        b.close()


async def test_the_app_shows_what_another_instance_changed_when_it_saves(
    tmp_path: Path,
) -> None:
    path = start_list(tmp_path)
    sim = make_sim(World.demo, runs=[], store=RunStore(WatchList.load(path)))
    app = sim.app
    other = Instance(path, 2)
    try:
        async with app.run_test(size=(160, 40)) as pilot:
            await until_started(pilot)
            assert list(app.model.rows) == [RUN_A, RUN_B]
            other.do(f"add {RUN_Y}")
            other.do(f"remove {RUN_A}")
            other.do(f"label {RUN_B} renamed")
            app.add_runs([RUN_X])  # this instance saves: it takes in the other's changes
            await pilot.pause()
            assert list(app.model.rows) == [RUN_B, RUN_X, RUN_Y]
            assert app.model.rows[RUN_B].label == "renamed"
            scheduler = app.scheduler
            assert scheduler is not None
            assert RUN_Y in scheduler and RUN_A not in scheduler
            assert app.widgets.watch_list.border_title == "Runs 3"
    finally:
        other.close()
    assert in_file(path) == [RUN_B, RUN_Y, RUN_X]
