"""Time, injected: the engine, the simulator and the UI read time only through a Clock."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import Sized
from datetime import datetime, timedelta, timezone
from typing import Protocol


class Clock(Protocol):
    """A source of time that can also wait."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes backwards (for scheduling)."""
        ...

    def now(self) -> datetime:
        """The current wall-clock time, timezone-aware (UTC)."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait for `seconds` of this clock's time."""
        ...


class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        return time.monotonic()

    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


class FakeClock:
    """A clock that moves only when told to, so tests can run an hour in milliseconds.

    `sleep()` parks the caller until `advance()` moves time past its deadline. `advance()`
    wakes sleepers one deadline at a time, in order, and settles the event loop between
    them so that the work each wake-up starts finishes at that instant.

    `settle()` runs the loop until nothing is ready to run (every task is waiting on this
    clock, on I/O or on something that only the test can do), so a test that advances the
    clock sees the consequences without counting loop iterations. On a loop that does not
    expose its ready queue it falls back to `settle_rounds` iterations.
    """

    def __init__(
        self,
        start: datetime | None = None,
        *,
        settle_rounds: int = 20,
        max_settle_rounds: int = 100_000,
    ) -> None:
        self._wall0 = start or datetime(2026, 1, 15, 12, 0, tzinfo=timezone.utc)
        self._t = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()
        self._settle_rounds = settle_rounds
        self._max_settle_rounds = max_settle_rounds

    def monotonic(self) -> float:
        return self._t

    def now(self) -> datetime:
        return self._wall0 + timedelta(seconds=self._t)

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self._t + seconds, next(self._seq), fut))
        await fut

    @property
    def next_deadline(self) -> float | None:
        """The earliest time a sleeper is waiting for, if any."""
        self._drop_cancelled()
        return self._sleepers[0][0] if self._sleepers else None

    def _drop_cancelled(self) -> None:
        while self._sleepers and self._sleepers[0][2].done():
            heapq.heappop(self._sleepers)

    async def settle(self) -> None:
        """Let every task that can run without time passing run, until none is ready."""
        ready = getattr(asyncio.get_running_loop(), "_ready", None)
        if not isinstance(ready, Sized):
            for _ in range(self._settle_rounds):
                await asyncio.sleep(0)
            return
        # After our own `sleep(0)` resumes, the loop's ready queue holds only what other
        # tasks scheduled: when it is empty twice in a row, nothing can run until time
        # moves (or I/O arrives, which a FakeClock test does not use).
        quiet = 0
        for _ in range(self._max_settle_rounds):
            await asyncio.sleep(0)
            quiet = quiet + 1 if len(ready) == 0 else 0
            if quiet >= 2:
                return
        # A task that never stops yielding keeps the loop busy: give up rather than hang.

    async def advance(self, seconds: float) -> None:
        """Move time forward by `seconds`, waking each sleeper at its own deadline."""
        target = self._t + seconds
        await self.settle()
        while True:
            self._drop_cancelled()
            if not self._sleepers or self._sleepers[0][0] > target:
                break
            deadline, _, fut = heapq.heappop(self._sleepers)
            self._t = max(self._t, deadline)
            if not fut.done():
                fut.set_result(None)
            await self.settle()
        self._t = target
        await self.settle()
