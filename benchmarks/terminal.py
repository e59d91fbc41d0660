"""Run a full-screen app as a child process on a pseudo-terminal, as a user's terminal would.

`TerminalProcess` starts the child on a pty of a given size, drains everything it writes
(a child writing to a full pty would block), and tells when the first full frame has been
written: Textual draws its first screen as one update, every row ended by `\\r\\n`, then
moves the cursor. So the frame is complete when, after the first cursor-home, `rows - 1`
line ends and one more escape sequence have arrived.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import tempfile
import termios
import time
from collections.abc import Sequence

HOME = b"\x1b[1;1H"


def child_env(tmp: str) -> dict[str, str]:
    """A clean environment: a colour terminal, config and state in `tmp`, no Textual knobs."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TEXTUAL", "NEKT_")) and k not in ("NO_COLOR", "COLUMNS", "LINES")
    }
    env.update(
        TERM="xterm-256color",
        COLORTERM="truecolor",
        XDG_CONFIG_HOME=os.path.join(tmp, "config"),
        XDG_STATE_HOME=os.path.join(tmp, "state"),
        XDG_DATA_HOME=os.path.join(tmp, "data"),
        XDG_CACHE_HOME=os.path.join(tmp, "cache"),
    )
    return env


class TerminalProcess:
    """A child process on a pty of `cols` x `rows`."""

    def __init__(self, argv: Sequence[str], *, cols: int = 160, rows: int = 48) -> None:
        self.rows = rows
        self.argv = [str(a) for a in argv]
        self._tmp = tempfile.TemporaryDirectory(prefix="nekt-bench-")
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            list(argv),
            stdin=slave,
            stdout=slave,
            stderr=slave,
            start_new_session=True,
            env=child_env(self._tmp.name),
            close_fds=True,
        )
        os.close(slave)
        self._master = master
        self.output = bytearray()
        self.first_frame: float | None = None
        self._home_at: int | None = None

    @property
    def pid(self) -> int:
        """The child's process ID."""
        return self.process.pid

    @property
    def tmp(self) -> str:
        """A scratch directory removed with the process."""
        return self._tmp.name

    def pump(self, timeout: float) -> bool:
        """Read what the child wrote for up to `timeout` seconds; False once it has exited."""
        end = time.perf_counter() + timeout
        while True:
            left = end - time.perf_counter()
            ready, _, _ = select.select([self._master], [], [], max(0.0, left))
            if ready:
                try:
                    chunk = os.read(self._master, 1 << 16)
                except OSError:
                    return False
                if not chunk:
                    return False
                self._feed(chunk)
            if left <= 0:
                return self.process.poll() is None

    def _feed(self, chunk: bytes) -> None:
        self.output += chunk
        if self.first_frame is not None:
            return
        if self._home_at is None:
            at = self.output.find(HOME)
            if at < 0:
                return
            self._home_at = at
        frame = self.output[self._home_at :]
        last_eol = -1
        count = 0
        start = 0
        while count < self.rows - 1:
            at = frame.find(b"\r\n", start)
            if at < 0:
                return
            count += 1
            last_eol = at
            start = at + 2
        if frame.find(b"\x1b[", last_eol + 2) >= 0:
            self.first_frame = time.perf_counter()

    def wait_first_frame(self, timeout: float = 60.0) -> float:
        """Seconds from process start to the first full frame (RuntimeError on timeout)."""
        end = time.perf_counter() + timeout
        while self.first_frame is None:
            alive = self.pump(0.05)
            if self.first_frame is None and (not alive or time.perf_counter() > end):
                tail = bytes(self.output[-2000:]).decode("utf-8", "replace")
                raise RuntimeError(f"no first frame from {' '.join(self.argv[:4])}: {tail!r}")
        return self.first_frame - self.started

    def stop(self) -> None:
        """Kill the child (its own session) and clean up."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        with contextlib.suppress(OSError):
            os.close(self._master)
        self._tmp.cleanup()

    def __enter__(self) -> TerminalProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
