"""Fixtures shared by every test area: the seed JSON, a fake clock, the simulator.

`sim_server` starts the simulator as a real subprocess on a free loopback port (once per
session); `sim_server_factory` starts dedicated ones with their own options. Both read the
banner the server prints (URL, key, runs) with a bounded deadline; neither sleeps.
"""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from nekt_tui.clock import FakeClock
from nekt_tui.simulator import World

FIXTURES = Path(__file__).parent / "fixtures"
#: The key tests use with in-process simulators.
SIM_KEY = "sim-key-tests"
#: How long a subprocess simulator may take to print its banner.
START_DEADLINE = 30.0

_RUN_LINE = re.compile(
    r"^run (?P<id>\S+) (?P<slug>\S+) (?P<status>\S+) -> (?P<outcome>\S+) (?P<shape>\S+) "
    r"(?P<ends>.*)$"
)


@dataclass(frozen=True)
class ServedRun:
    """One run as the simulator's banner listed it."""

    id: str
    slug: str
    status: str
    outcome: str
    shape: str


@dataclass
class SimServer:
    """A simulator subprocess: where it listens, the key it accepts, the runs it serves."""

    url: str
    key: str
    runs: dict[str, ServedRun]
    process: subprocess.Popen[str]
    output: list[str] = field(default_factory=list)
    _reader: threading.Thread | None = None

    @property
    def run_ids(self) -> list[str]:
        """Every run ID the server printed, in order."""
        return list(self.runs)

    def find(self, *, slug: str | None = None, outcome: str | None = None) -> ServedRun:
        """The first run with this pipeline slug and/or eventual outcome."""
        for run in self.runs.values():
            if (slug is None or run.slug == slug) and (outcome is None or run.outcome == outcome):
                return run
        raise LookupError(f"no run with slug={slug} outcome={outcome}")

    def stop(self, timeout: float = 15.0) -> int:
        """Ctrl-C the server (kill it if it does not stop) and return its exit code."""
        proc = self.process
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=timeout)
        if self._reader is not None:
            self._reader.join(timeout=timeout)
        if proc.stdout is not None:
            proc.stdout.close()
        return proc.returncode


def start_sim_server(*args: str, module: tuple[str, ...] = ("nekt_tui.simulator",)) -> SimServer:
    """Start `python -m <module> --port 0 ARGS...` and wait for its banner."""
    cmd = [sys.executable, "-m", *module, "--port", "0", *args]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    lines: queue.Queue[str | None] = queue.Queue()
    output: list[str] = []

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            output.append(line.rstrip("\n"))
            lines.put(line.rstrip("\n"))
        lines.put(None)

    reader = threading.Thread(target=read, name="sim-server-stdout", daemon=True)
    reader.start()
    url = key = None
    runs: dict[str, ServedRun] = {}
    deadline = time.monotonic() + START_DEADLINE
    server = SimServer("", "", runs, proc, output, reader)
    while True:
        try:
            line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            line = None
        if line is None or line == "ready":
            break
        if line.startswith("listening on "):
            url = line.removeprefix("listening on ").strip()
        elif line.startswith("key: "):
            key = line.removeprefix("key: ").strip()
        elif m := _RUN_LINE.match(line):
            runs[m["id"]] = ServedRun(m["id"], m["slug"], m["status"], m["outcome"], m["shape"])
    if url is None or key is None or line != "ready":
        server.stop()
        raise RuntimeError("the simulator did not start:\n" + "\n".join(output))
    server.url, server.key = url, key
    return server


@pytest.fixture
def seed_run_json() -> dict[str, Any]:
    """The seed page's example run (nested shape)."""
    data: dict[str, Any] = json.loads((FIXTURES / "seed_run.json").read_text())
    return data


@pytest.fixture
def fake_clock() -> FakeClock:
    """A clock that moves only when the test advances it (starts 2026-01-15 12:00 UTC)."""
    return FakeClock()


@pytest.fixture
def sim_world(fake_clock: FakeClock) -> World:
    """A seeded world of 20 generated runs on the fake clock."""
    return World(seed=0, clock=fake_clock)


@pytest.fixture(scope="session")
def sim_server() -> Iterator[SimServer]:
    """The demo world served on a free loopback port for the whole session (speed 1)."""
    server = start_sim_server()
    yield server
    server.stop()


@pytest.fixture
def sim_server_factory() -> Iterator[Callable[..., SimServer]]:
    """Start simulators with their own options; each is stopped after the test."""
    started: list[SimServer] = []

    def start(*args: str, module: tuple[str, ...] = ("nekt_tui.simulator",)) -> SimServer:
        server = start_sim_server(*args, module=module)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def isolate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, state: bool = True) -> Path:
    """No NEKT_* from the environment; the config file (and, with `state`, the watch list)
    in `tmp_path`, so a test never reads or writes the user's own."""
    for name in list(os.environ):
        if name.startswith("NEKT"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("NEKT_TUI_CONFIG", str(tmp_path / "config.toml"))
    if state:
        monkeypatch.setenv("NEKT_TUI_STATE", str(tmp_path / "state.json"))
    return tmp_path


def forbid_app(monkeypatch: pytest.MonkeyPatch, why: str) -> None:
    """Fail the test if the command line opens the app (`why` says why it must not)."""

    def no_app(*_args: object, **_kwargs: object) -> None:
        raise AssertionError(why)

    monkeypatch.setattr("nekt_tui.ui.factory.build_app", no_app)


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`isolate`: the environment and the files of this test alone."""
    return isolate(tmp_path, monkeypatch)
