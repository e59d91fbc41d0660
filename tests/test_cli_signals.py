"""SIGTERM and SIGHUP end the app cleanly: the terminal is restored (main screen, cursor
shown, mouse reporting off), the watch list saved, and the exit code is 128 + signal."""

from __future__ import annotations

import errno
import fcntl
import json
import os
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

RID = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
#: Bounds, not waits: each loop below ends as soon as what it waits for is there.
FIRST_FRAME_DEADLINE = 60.0
EXIT_DEADLINE = 30.0
#: Drawn once the first frame is on the screen (the footer's first binding).
FIRST_FRAME = b"Quit"


def read_some(fd: int, timeout: float) -> bytes | None:
    """What the pty has within `timeout` (b"" if nothing yet); None once it is closed."""
    ready, _, _ = select.select([fd], [], [], timeout)
    if not ready:
        return b""
    try:
        return os.read(fd, 65536)
    except OSError as exc:  # EIO: every writer of the pty's other end has gone
        if exc.errno == errno.EIO:
            return None
        raise


def run_and_signal(argv: list[str], env: dict[str, str], sig: signal.Signals) -> tuple[int, bytes]:
    """Start nekt-tui in a 100x30 pty, wait for its first frame, send `sig`, collect the rest."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, "-m", "nekt_tui", *argv],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=True,
        close_fds=True,
    )
    os.close(slave)
    output = bytearray()
    try:
        deadline = time.monotonic() + FIRST_FRAME_DEADLINE
        while FIRST_FRAME not in output:
            chunk = read_some(master, max(0.0, deadline - time.monotonic()))
            assert chunk is not None and time.monotonic() < deadline, (
                f"no first frame: {bytes(output[-2000:])!r}"
            )
            output += chunk
        proc.send_signal(sig)
        deadline = time.monotonic() + EXIT_DEADLINE
        while time.monotonic() < deadline:
            chunk = read_some(master, max(0.0, deadline - time.monotonic()))
            if chunk is None:
                break
            output += chunk
        code = proc.wait(timeout=EXIT_DEADLINE)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=EXIT_DEADLINE)
        os.close(master)
    return code, bytes(output)


def assert_terminal_restored(output: bytes) -> None:
    tail = output[output.rindex(b"\x1b[?1049h") :]  # from the last switch to the app screen
    for restore in (b"\x1b[?1049l", b"\x1b[?25h", b"\x1b[?1000l"):
        assert restore in tail, (restore, tail[-400:])
    assert b"\x1b[?25l" not in tail[tail.rindex(b"\x1b[?25h") :]  # the cursor stays shown
    assert b"Traceback" not in output


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("NEKT", "TEXTUAL"))}
    base.update(
        TERM="xterm-256color",
        NEKT_TUI_CONFIG=str(tmp_path / "config.toml"),
        NEKT_TUI_STATE=str(tmp_path / "state.json"),
        NEKT_TUI_LOG=str(tmp_path / "debug.log"),
    )
    return base


def test_sigterm_restores_the_terminal_and_exits_143(tmp_path: Path, env: dict[str, str]) -> None:
    code, output = run_and_signal(["--demo"], env, signal.SIGTERM)
    assert code == 143, output[-600:]
    assert_terminal_restored(output)
    # The log file was written from inside the running app (Textual did not take it).
    assert "SIGTERM" in (tmp_path / "debug.log").read_text()


def test_sighup_saves_the_watch_list_restores_the_terminal_and_exits_129(
    tmp_path: Path, env: dict[str, str]
) -> None:
    env.update(NEKT_API_KEY="sk-test-signals", NEKT_API_URL="http://127.0.0.1:9")
    code, output = run_and_signal([RID], env, signal.SIGHUP)
    assert code == 129, output[-600:]
    assert_terminal_restored(output)
    saved = json.loads((tmp_path / "state.json").read_text())
    assert RID in json.dumps(saved)
