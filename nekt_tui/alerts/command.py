"""The notify command: the user's program, run for each status change they asked for.

`notify_cmd` is an argv list (no shell ever parses it). Each change runs it once, with
the change in `NEKT_*` variables (see `Alert.env`), in the background: at most `LIMIT`
at once, the rest waiting in a bounded queue, each stopped after `TIMEOUT` seconds of
the injected clock. Its output is discarded: the screen belongs to the dashboard. The
child inherits the environment minus every `NEKT_*` variable, so `NEKT_API_KEY` never
reaches it. A command that is missing, fails or hangs is reported once per kind of
problem, not once per run; the rest goes to the debug log.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from collections import deque
from collections.abc import Callable, Mapping, Sequence

from nekt_tui.alerts.alert import Alert, one_line
from nekt_tui.clock import Clock

log = logging.getLogger(__name__)

#: Seconds a notify command may run before it is stopped.
TIMEOUT = 10.0
#: Notify commands running at once.
LIMIT = 4
#: Changes waiting for a free slot; beyond this the oldest waiting ones are dropped.
QUEUE_MAX = 64


def child_env(base: Mapping[str, str], alert: Alert) -> dict[str, str]:
    """The command's environment: `base` without any `NEKT_*` variable (the API key
    among them), plus the change's own."""
    env = {k: v for k, v in base.items() if not k.upper().startswith("NEKT_")}
    env.update(alert.env())
    return env


class CommandRunner:
    """Runs `argv` for each submitted alert, never blocking its caller.

    `report` receives one line per kind of problem (missing, failed, stopped), once.
    """

    def __init__(
        self,
        argv: Sequence[str],
        *,
        clock: Clock,
        report: Callable[[str], None],
        base_env: Mapping[str, str] | None = None,
        timeout: float = TIMEOUT,
        limit: int = LIMIT,
        queue_max: int = QUEUE_MAX,
    ) -> None:
        # `~/bin/notify-slack.sh`: no shell expands the `~` of an argv list.
        self.argv = (os.path.expanduser(argv[0]), *argv[1:]) if argv else ()
        self._clock = clock
        self._report = report
        self._base_env = base_env
        self._timeout = timeout
        self._limit = limit
        self._queue: deque[Alert] = deque(maxlen=queue_max)
        self._running: set[asyncio.Task[None]] = set()
        self._reported: set[str] = set()
        self._idle: asyncio.Event | None = None
        self._closed = False
        #: How many commands were started, ended by themselves, and stopped (for tests).
        self.started = self.finished = self.stopped = 0
        self.dropped = 0

    @property
    def name(self) -> str:
        """The command's program, as safe text."""
        return one_line(self.argv[0], 80) if self.argv else ""

    def submit(self, alert: Alert) -> None:
        """Run the command for `alert` now, or as soon as a slot is free."""
        if self._closed or not self.argv:
            return
        if len(self._queue) == self._queue.maxlen:
            self.dropped += 1
            log.warning("notify command: queue full, dropped the change of a run")
        self._queue.append(alert)
        self._pump()

    def _pump(self) -> None:
        while self._queue and len(self._running) < self._limit:
            alert = self._queue.popleft()
            task = asyncio.get_running_loop().create_task(self._run(alert))
            self._running.add(task)
            task.add_done_callback(self._done)
        if self._idle is not None and not self._running and not self._queue:
            self._idle.set()

    def _done(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        if not self._closed:
            self._pump()
        elif not self._running and self._idle is not None:
            self._idle.set()

    async def drain(self) -> None:
        """Wait until every submitted command has ended (or been stopped)."""
        while self._running or self._queue:
            self._idle = asyncio.Event()
            await self._idle.wait()

    async def aclose(self) -> None:
        """Forget the waiting changes and stop the commands still running."""
        self._closed = True
        self._queue.clear()
        for task in list(self._running):
            task.cancel()
        if self._running:
            await asyncio.gather(*self._running, return_exceptions=True)

    async def _run(self, alert: Alert) -> None:
        env = child_env(os.environ if self._base_env is None else self._base_env, alert)
        try:
            proc = await asyncio.create_subprocess_exec(
                *self.argv,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL,
                env=env,
                start_new_session=True,  # its own process group: stopped with its children
            )
        except FileNotFoundError:
            self._problem("missing", f"notify command {self.name!r} not found; check notify_cmd")
            return
        except OSError as exc:
            why = one_line(exc.strerror or type(exc).__name__, 120)
            self._problem("start", f"notify command {self.name!r} cannot be started: {why}")
            return
        self.started += 1
        waited = asyncio.ensure_future(proc.wait())
        timer = asyncio.ensure_future(self._clock.sleep(self._timeout))
        on_time = False
        try:
            await asyncio.wait({waited, timer}, return_when=asyncio.FIRST_COMPLETED)
            on_time = waited.done()
        finally:
            timer.cancel()
            if not waited.done():
                _kill(proc)
                # Killed, it exits at once. Shielded so that a cancel (the app closing)
                # still reaps it instead of leaving a zombie.
                with contextlib.suppress(asyncio.CancelledError):
                    await asyncio.shield(waited)
        if on_time:
            self._ended(proc.returncode)
        else:
            self.stopped += 1
            limit = f"{self._timeout:g} s"
            self._problem(
                "timeout", f"notify command {self.name!r} ran longer than {limit}; stopped it"
            )

    def _ended(self, code: int | None) -> None:
        self.finished += 1
        if code:
            self._problem("failed", f"notify command {self.name!r} failed (exit status {code})")

    def _problem(self, kind: str, text: str) -> None:
        log.warning("%s", text)
        if kind not in self._reported:
            self._reported.add(kind)
            self._report(f"{text} (said once; later failures go to the debug log)")


def _kill(proc: asyncio.subprocess.Process) -> None:
    """Stop the command and whatever it started (its process group)."""
    if proc.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if hasattr(os, "killpg"):
            os.killpg(proc.pid, signal.SIGKILL)
        else:  # pragma: no cover - Windows has no process groups here
            proc.kill()


__all__ = ["LIMIT", "QUEUE_MAX", "TIMEOUT", "CommandRunner", "child_env"]
