"""Issue 12.7: no request *starts* inside a Retry-After window, at start-up with 8+ runs.

A worker that had already taken a run (marked it in flight) when another run's 429 came
back used to send it anyway, inside the window: the runs handed out to parked workers in
the same turn of the loop, and a worker that let the loop run between taking its next run
and sending it. Requests already in flight when the 429 arrives are fine.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import pytest

from nekt_tui.api.errors import NektError, RateLimitedError
from nekt_tui.api.models import Run, RunPage
from nekt_tui.clock import FakeClock
from nekt_tui.watch.scheduler import Scheduler
from tests.watch.conftest import make_run
from tests.watch.test_sweep import ListingSource


def ids(n: int) -> list[str]:
    return [f"{i:08x}-0000-4000-8000-00000000000a" for i in range(n)]


@dataclass
class WindowedSource:
    """Answers after a per-request latency; the first request gets a 429 (Retry-After 3).

    `starts` holds (order, clock time) per request; `windows` (order received, until) per
    429, where order counts starts and receipts together: a request that starts after a
    429 was received, at the same instant, is still inside its window.
    """

    clock: FakeClock
    latencies: list[float]
    retry_after: float = 3.0
    order: int = 0
    starts: list[tuple[int, float, str]] = field(default_factory=list)
    windows: list[tuple[int, float]] = field(default_factory=list)

    async def get_run(self, run_id: str, *, patient: bool = False) -> Run:
        self.order += 1
        index = len(self.starts)
        self.starts.append((self.order, self.clock.monotonic(), run_id))
        latency = self.latencies[index % len(self.latencies)]
        if latency:
            await self.clock.sleep(latency)
        if index == 0:
            self.order += 1
            self.windows.append((self.order, self.clock.monotonic() + self.retry_after))
            raise RateLimitedError(self.retry_after)
        return make_run(run_id, "running")

    def inside(self) -> list[tuple[float, str]]:
        """Requests that started after a 429 was received and before its window ended."""
        return [
            (t, rid)
            for order, t, rid in self.starts
            for received, until in self.windows
            if order > received and t < until
        ]


@pytest.mark.parametrize("n_runs", [8, 9, 20])
@pytest.mark.parametrize("latency", ["instant", "first-instant", "mixed"])
@pytest.mark.parametrize("jitter", [0.0, 0.1])
async def test_no_request_starts_inside_the_window_at_start_up(
    n_runs: int, latency: str, jitter: float
) -> None:
    clock = FakeClock()
    rng = random.Random(n_runs)
    if latency == "instant":
        latencies = [0.0]
    elif latency == "first-instant":  # the 429 is back before the others' answers
        latencies = [0.0] + [0.2] * 50
    else:
        latencies = [0.05] + [rng.uniform(0.0, 0.3) for _ in range(50)]
    source = WindowedSource(clock, latencies)
    sched = Scheduler(source, clock=clock, jitter=jitter, rng=random.Random(1), sweep=False)
    for rid in ids(n_runs):
        sched.watch(rid)
    sched.start()
    try:
        await clock.advance(10)
    finally:
        await sched.aclose()
    assert source.windows, "no 429 was served"
    assert source.inside() == []
    # After the window, polling resumed.
    assert any(t >= 3 for _, t, _ in source.starts)


async def test_the_sweep_sends_no_next_page_inside_a_window(fake_clock: FakeClock) -> None:
    """A 429 to a poll comes back while the sweep's first page is out: its next page
    waits for the window's end like every other request."""
    clock = fake_clock
    listed = ids(10)
    alone = "a1000000-0000-4000-8000-00000000000a"  # not on any page
    pages = {
        1: RunPage(count=10, next="http://x/api/v1/runs/?page=2", results=[]),
        2: RunPage(count=10, results=[]),
    }
    pages[1].results.extend(make_run(rid, "running") for rid in listed[:5])
    pages[2].results.extend(make_run(rid, "running") for rid in listed[5:])

    def script(rid: str, t: float) -> Run | NektError:
        if rid == alone and t >= 2:
            return RateLimitedError(30)
        return make_run(rid, "running")

    source = ListingSource(clock, script, pages=lambda p, _t: pages[p], list_hold=1.0)
    sched = Scheduler(source, clock=clock, jitter=0.0, rng=random.Random(1))
    for rid in [*listed, alone]:
        sched.watch(rid)
    sched.start()
    try:
        await clock.advance(20)
    finally:
        await sched.aclose()
    limited_at = min(t for t, rid in source.calls if rid == alone and t >= 2)
    assert source.list_calls[0] == limited_at  # page 1 went out with the poll that got 429
    assert [t for t in source.list_calls if t > limited_at] == []
    assert [t for t, _ in source.calls if limited_at < t < limited_at + 30] == []
