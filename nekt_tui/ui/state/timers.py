"""Timers on an injected `Clock`: the app's frame and its once-a-second tick.

On the `SystemClock` they keep Textual's timer arithmetic (an interval counts from its
start and skips the beats it missed); on a `FakeClock` they fire when a test moves time,
so no test draws or ticks by hand.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from nekt_tui.clock import Clock

log = logging.getLogger(__name__)


class ClockTimers:
    """Callbacks run later, or every so often, on `clock`'s time; `stop()` cancels them.

    A callback is expected to catch its own errors (the app's do); one that escapes is
    handed to `on_error` and the timer goes on.
    """

    def __init__(
        self, clock: Clock, on_error: Callable[[BaseException], None] | None = None
    ) -> None:
        self.clock = clock
        self._on_error = on_error
        self._tasks: set[asyncio.Task[None]] = set()

    def call_later(self, delay: float, callback: Callable[[], object]) -> None:
        """Run `callback` once, `delay` seconds of the clock from now."""
        self._spawn(self._later(delay, callback))

    def call_every(self, interval: float, callback: Callable[[], object]) -> None:
        """Run `callback` every `interval` seconds of the clock, counted from now."""
        self._spawn(self._every(interval, callback))

    def stop(self) -> None:
        """Cancel every timer (the app is closing)."""
        for task in self._tasks:
            task.cancel()
        self._tasks.clear()

    @property
    def active(self) -> int:
        """How many timers are waiting."""
        return len(self._tasks)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _run(self, callback: Callable[[], object]) -> None:
        try:
            callback()
        except Exception as exc:
            if self._on_error is None:
                log.exception("a timer's callback failed")
            else:
                self._on_error(exc)

    async def _later(self, delay: float, callback: Callable[[], object]) -> None:
        await self.clock.sleep(delay)
        self._run(callback)

    async def _every(self, interval: float, callback: Callable[[], object]) -> None:
        # As Textual's interval timer: beat n is due at start + n * interval, and a beat
        # missed while the loop was busy is skipped, not run late in a burst.
        start = self.clock.monotonic()
        count = 0
        while True:
            due = start + (count + 1) * interval
            now = self.clock.monotonic()
            if due < now:
                count = int((now - start) / interval + 1)
                continue
            await self.clock.sleep(due - now)
            count += 1
            self._run(callback)
