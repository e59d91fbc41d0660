"""`nekt-tui serve`: the page loads, a websocket client gets the app's first frame, the key
is on no command line; a non-loopback --host needs --public (else exit 2, one line)."""

from __future__ import annotations

import asyncio
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from nekt_tui.cli import main
from tests.conftest import SimServer, isolate

#: How long the server may take to say where it listens, and the app its first frame.
DEADLINE = 30.0


@dataclass
class Served:
    """A `nekt-tui serve` subprocess and what it printed."""

    url: str
    process: subprocess.Popen[str]
    output: list[str] = field(default_factory=list)
    reader: threading.Thread | None = None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # textual-serve exits cleanly on it
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
        if self.reader is not None:
            self.reader.join(timeout=15)  # it reads to the end of the output
        if self.process.stdout is not None:
            self.process.stdout.close()


def start_serve(*args: str, env: dict[str, str]) -> Served:
    proc = subprocess.Popen(
        [sys.executable, "-m", "nekt_tui", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        env={**env, "PYTHONUNBUFFERED": "1", "COLUMNS": "200"},
    )
    lines: queue.Queue[str | None] = queue.Queue()
    served = Served("", proc)

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            served.output.append(line.rstrip("\n"))
            lines.put(line.rstrip("\n"))
        lines.put(None)

    served.reader = threading.Thread(target=read, daemon=True)
    served.reader.start()
    deadline = time.monotonic() + DEADLINE
    while True:
        try:
            line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            line = None
        if line is None:
            served.stop()
            raise AssertionError("serve did not start:\n" + "\n".join(served.output))
        if line.startswith("nekt-tui serve: listening on "):
            served.url = line.removeprefix("nekt-tui serve: listening on ").strip()
            return served


@pytest.fixture
def clean_env(tmp_path: Path) -> dict[str, str]:
    """The environment without NEKT_*, with a private config and watch list."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEKT")}
    env["NEKT_TUI_CONFIG"] = str(tmp_path / "config.toml")
    env["NEKT_TUI_STATE"] = str(tmp_path / "state.json")
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).parents[1]), env.get("PYTHONPATH", "")])
    return env


async def get_page(session: aiohttp.ClientSession, url: str) -> tuple[int, str]:
    """GET the page, trying again until the server listens (bounded)."""
    deadline = time.monotonic() + DEADLINE
    while True:
        try:
            async with session.get(url + "/") as response:
                return response.status, await response.text()
        except aiohttp.ClientConnectionError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.05)  # the server is binding its port: try again


async def first_frame(session: aiohttp.ClientSession, url: str) -> str:
    """Open the app's websocket as the page does; the screen text up to its header."""
    ws_url = url.replace("http://", "ws://") + "/ws?width=120&height=30"
    received = ""
    async with session.ws_connect(ws_url) as ws:
        deadline = time.monotonic() + DEADLINE
        while "nekt-tui" not in received:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no first frame; got {received[-500:]!r}")
            message = await ws.receive(timeout=left)
            if message.type == aiohttp.WSMsgType.BINARY:
                received += message.data.decode("utf-8", "replace")
            elif message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
                raise AssertionError(f"the app closed before its first frame: {received!r}")
        await ws.send_str('["stdin", "q"]')  # quit the app, as a user would
    return received


def command_lines(pid: int) -> list[bytes]:
    """The command lines of `pid` and every process under it (read from /proc)."""
    found = []
    for each in [pid, *descendants(pid)]:
        try:
            found.append(Path(f"/proc/{each}/cmdline").read_bytes())
        except OSError:  # it ended meanwhile
            continue
    return found


def descendants(pid: int) -> list[int]:
    """Every process under `pid` (read from /proc)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        children = parents.get(todo.pop(), [])
        found += children
        todo += children
    return found


@pytest.fixture
def served_demo(clean_env: dict[str, str]) -> Iterator[Served]:
    served = start_serve("--demo", env=clean_env)
    yield served
    served.stop()


async def test_the_page_loads_and_a_websocket_client_gets_the_first_frame(
    served_demo: Served,
) -> None:
    async with aiohttp.ClientSession() as session:
        status, page = await get_page(session, served_demo.url)
        assert status == 200
        assert served_demo.url.replace("http", "ws") + "/ws" in page
        frame = await first_frame(session, served_demo.url)
    assert "nekt-tui" in frame and "demo" in frame


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="reads /proc")
async def test_the_key_is_on_no_command_line_and_in_no_frame_or_log(
    clean_env: dict[str, str], sim_server: SimServer
) -> None:
    env = {**clean_env, "NEKT_API_KEY": sim_server.key}
    served = start_serve("--api-url", sim_server.url, env=env)
    try:
        async with aiohttp.ClientSession() as session:
            status, page = await get_page(session, served.url)
            assert status == 200
            ws_url = served.url.replace("http://", "ws://") + "/ws?width=120&height=30"
            async with session.ws_connect(ws_url) as ws:
                received = ""
                deadline = time.monotonic() + DEADLINE
                while "nekt-tui" not in received:
                    message = await ws.receive(timeout=max(0.1, deadline - time.monotonic()))
                    assert message.type == aiohttp.WSMsgType.BINARY, message
                    received += message.data.decode("utf-8", "replace")
                # The app of this tab runs now: no process under the server shows the key.
                argvs = command_lines(served.process.pid)
                assert sum(b"nekt_tui" in argv for argv in argvs) >= 2, argvs  # server, app
                assert not any(sim_server.key.encode() in argv for argv in argvs)
                await ws.send_str('["stdin", "q"]')
        assert sim_server.key not in page and sim_server.key not in received
    finally:
        served.stop()
    assert sim_server.key not in "\n".join(served.output)


def exit_code(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exc:
        return int(exc.code or 0)


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--host", "0.0.0.0"], "--host 0.0.0.0 would open the dashboard"),
        (["--host", "192.168.1.5", "--demo"], "add --public"),
        (["--public", "--demo"], "--public is for a --host other than loopback"),
        (["--host", "127.0.0.1", "--public"], "--public is for a --host"),
        (["--port", "70000", "--demo"], "--port must be 0-65535"),
        (["--theme", "nope", "--demo"], "unknown theme 'nope'"),
        (["--profile", "nope"], "unknown profile 'nope'"),
        ([], "no API key"),
    ],
)
def test_bad_serve_options_exit_2_with_one_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    words: str,
) -> None:
    isolate(tmp_path, monkeypatch)
    serving: list[Any] = []
    monkeypatch.setattr("textual_serve.server.Server.serve", lambda *a, **k: serving.append(a))
    assert exit_code(["serve", *argv]) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(err) == 1 and words in err[0], err
    assert not serving


def test_public_warns_and_the_command_carries_no_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    isolate(tmp_path, monkeypatch)
    config = tmp_path / "config.toml"
    config.write_text('[profiles.ops]\napi_key = "sk-ops-SECRET-9"\nread_only = true\n')
    config.chmod(0o600)
    servers: list[Any] = []
    monkeypatch.setattr("textual_serve.server.Server.serve", lambda self: servers.append(self))
    monkeypatch.setattr(os, "environ", dict(os.environ))  # what serve sets for its apps
    argv = ["serve", "--host", "0.0.0.0", "--public", "--port", "8123", "--profile", "ops"]
    assert exit_code(argv) == 0
    out, err = capsys.readouterr()
    assert "anyone who can reach" in err and "no login" in err
    (server,) = servers
    assert server.host == "0.0.0.0" and server.port == 8123
    assert "sk-ops-SECRET-9" not in server.command and "SECRET" not in out + err
    assert "--profile ops" in server.command and "--read-only" in server.command
    assert os.environ["NEKT_API_KEY"] == "sk-ops-SECRET-9"  # inherited by each app
    assert "0.0.0.0" not in server.public_url  # no address a browser can go to
