"""Issue 13.4, the engine's side: a far-future `Retry-After` no longer freezes the session.

Any wait a 429 asks for is capped at `MAX_RETRY_AFTER` (10 minutes), whatever the source
says; and refreshing everything (`R`) lets one request try inside the window: the
engine forgets its window and asks the source to forget its own (`clear_rate_limit()`).
A 429 to that request sets the window again.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

import pytest

from nekt_tui.api.errors import RateLimitedError
from nekt_tui.api.models import Run
from nekt_tui.clock import FakeClock
from nekt_tui.watch.events import Event, RateLimited, RunUpdated
from nekt_tui.watch.scheduler import Scheduler
from tests.watch.conftest import make_run

#: The documented cap: 10 minutes (`policy.MAX_RETRY_AFTER`).
MAX_RETRY_AFTER = 600.0
#: `Retry-After: Fri, 31 Dec 9999 23:59:59 GMT`, in seconds from 2026.
YEAR_9999 = 251_000_000_000.0


def ids(n: int) -> list[str]:
    return [f"{i:08x}-0000-4000-8000-0000000000ca" for i in range(n)]


@dataclass
class Limited:
    """Answers 429 (`retry_after`) while `limited`, else the run."""

    clock: FakeClock
    retry_after: float
    limited: bool = True
    calls: list[float] = field(default_factory=list)
    cleared: int = 0

    async def get_run(self, run_id: str, *, patient: bool = False) -> Run:
        self.calls.append(self.clock.monotonic())
        if self.limited:
            raise RateLimitedError(self.retry_after)
        return make_run(run_id, "running")

    def clear_rate_limit(self) -> None:
        self.cleared += 1


def build(source: Limited, clock: FakeClock, events: list[Event]) -> Scheduler:
    return Scheduler(
        source, clock=clock, jitter=0.0, rng=random.Random(0), on_event=events.append, sweep=False
    )


@pytest.mark.parametrize("retry_after", [YEAR_9999, 999_999_999_999.0, math.inf, math.nan])
async def test_a_far_retry_after_is_capped_at_ten_minutes(retry_after: float) -> None:
    clock = FakeClock()
    source = Limited(clock, retry_after)
    events: list[Event] = []
    sched = build(source, clock, events)
    sched.watch(ids(1)[0])
    sched.start()
    try:
        await clock.advance(1)
        limited = [e for e in events if isinstance(e, RateLimited)]
        wait = (limited[0].until - limited[0].at).total_seconds()
        assert wait == (1.0 if math.isnan(retry_after) else MAX_RETRY_AFTER)
        source.limited = False
        await clock.advance(MAX_RETRY_AFTER)
    finally:
        await sched.aclose()
    assert source.calls[1] == (1.0 if math.isnan(retry_after) else 600.0)
    assert any(isinstance(e, RunUpdated) for e in events)


async def test_refresh_all_tries_once_inside_the_window_and_a_429_sets_it_again() -> None:
    clock = FakeClock()
    source = Limited(clock, 300)
    events: list[Event] = []
    sched = build(source, clock, events)
    for rid in ids(10):
        sched.watch(rid)
    sched.start()
    try:
        await clock.advance(100)
        assert source.calls == [0.0]
        sched.refresh()  # R: still limited, one request, the window is set again
        await clock.advance(1)
        assert source.calls == [0.0, 100.0]
        assert source.cleared == 1
        assert len([e for e in events if isinstance(e, RateLimited)]) == 2
        assert sched.rate_limited_until is not None
        await clock.advance(100)
        assert source.calls == [0.0, 100.0]  # the new window holds again
        source.limited = False
        sched.refresh()  # R again: answered, the rest follow, a few more at a time
        await clock.advance(1)
    finally:
        await sched.aclose()
    assert source.cleared == 2
    assert source.calls[2] == 201.0
    assert {e.run_id for e in events if isinstance(e, RunUpdated)} == set(ids(10))
    assert sched.rate_limited_until is None
