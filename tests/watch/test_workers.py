"""The scheduler's poll workers: few long-lived tasks, fair to the loop, honest `idle()`."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable

import pytest

from nekt_tui.api.models import Run
from nekt_tui.clock import FakeClock
from nekt_tui.watch import dispatcher as workers_module
from nekt_tui.watch.dispatcher import YIELD_EVERY
from nekt_tui.watch.scheduler import Scheduler
from tests.watch.conftest import FakeSource, constant, make_run

Build = Callable[..., Scheduler]


def ids(n: int) -> list[str]:
    return [f"{i:08x}-0000-4000-8000-000000000000" for i in range(n)]


class InstantSource:
    """Answers from memory without ever suspending, noting which task asked."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.tasks: set[asyncio.Task[object]] = set()

    async def get_run(self, run_id: str, *, patient: bool = False) -> Run:
        task = asyncio.current_task()
        assert task is not None
        self.tasks.add(task)
        self.calls.append(run_id)
        return make_run(run_id, "running")


async def test_polls_run_on_at_most_concurrency_long_lived_tasks(
    clock: FakeClock, make_scheduler: Build
) -> None:
    source = InstantSource()
    sched = make_scheduler(source, concurrency=3)
    for rid in ids(50):
        sched.watch(rid)
    await clock.advance(60)  # 31 rounds of 50 polls
    assert len(source.calls) == 50 * 31
    # One task per poll would be 1,550 distinct tasks.
    assert 1 <= len(source.tasks) <= 3


async def test_an_instant_source_cannot_keep_the_loop_to_itself(
    clock: FakeClock, make_scheduler: Build
) -> None:
    source = InstantSource()
    sched = make_scheduler(source, concurrency=2)
    for rid in ids(200):
        sched.watch(rid)
    seen: list[int] = []

    async def probe() -> None:
        # Another task on the loop: how far did polling get each time it ran?
        while len(source.calls) < 200:
            seen.append(len(source.calls))
            await asyncio.sleep(0)

    await asyncio.gather(probe(), clock.settle())
    steps = [b - a for a, b in itertools.pairwise(seen)]
    # Between two turns of the probe, each worker polled at most YIELD_EVERY runs: a few.
    assert YIELD_EVERY <= 8
    assert max(steps) <= 2 * YIELD_EVERY
    assert len(seen) >= 200 // (2 * YIELD_EVERY)


class SuspendingSource(InstantSource):
    """Answers after letting the loop run once, as a request over a socket does."""

    async def get_run(self, run_id: str, *, patient: bool = False) -> Run:
        await asyncio.sleep(0)
        return await super().get_run(run_id)


class CountingAsyncio:
    """`asyncio`, with the engine's own `sleep()` calls counted."""

    def __init__(self) -> None:
        self.sleeps = 0

    def __getattr__(self, name: str) -> object:
        return getattr(asyncio, name)

    async def sleep(self, delay: float) -> None:
        self.sleeps += 1
        await asyncio.sleep(delay)


@pytest.mark.parametrize(
    ("source_type", "yields"), [(InstantSource, True), (SuspendingSource, False)]
)
async def test_workers_yield_only_for_a_source_that_does_not(
    clock: FakeClock,
    make_scheduler: Build,
    monkeypatch: pytest.MonkeyPatch,
    source_type: type[InstantSource],
    yields: bool,
) -> None:
    counting = CountingAsyncio()
    monkeypatch.setattr(workers_module, "asyncio", counting)
    source = source_type()
    sched = make_scheduler(source, concurrency=2)
    for rid in ids(100):
        sched.watch(rid)
    await clock.settle()
    assert len(source.calls) == 100
    # A request that waits for I/O already lets the loop run: one more turn per poll
    # would only cost CPU.
    assert (counting.sleeps >= 100 // (2 * YIELD_EVERY)) if yields else counting.sleeps == 0


async def test_idle_waits_for_every_due_poll_of_an_instant_source(
    clock: FakeClock, make_scheduler: Build
) -> None:
    source = InstantSource()
    sched = make_scheduler(source, concurrency=2)
    for rid in ids(100):
        sched.watch(rid)
    await sched.idle()  # workers yield between polls: that is not idleness
    assert len(source.calls) == 100 and sched.in_flight == 0
    assert all(sched.state(rid).run is not None for rid in ids(100))


async def test_idle_waits_while_a_worker_holds_a_slow_request(
    clock: FakeClock, make_scheduler: Build
) -> None:
    source = FakeSource(clock, constant("running"), hold=1.0)
    sched = make_scheduler(source)
    sched.watch(ids(1)[0])
    waiter = asyncio.ensure_future(sched.idle())
    await clock.settle()
    assert not waiter.done() and sched.in_flight == 1
    await clock.advance(1.0)
    assert waiter.done() and sched.in_flight == 0


async def test_busy_workers_take_refreshed_runs_before_due_ones(
    clock: FakeClock, make_scheduler: Build
) -> None:
    source = FakeSource(clock, constant("running"), hold=1.0)
    sched = make_scheduler(source, concurrency=1)
    a, b, c = ids(3)
    for rid in (a, b, c):
        sched.watch(rid)
    await clock.advance(0.5)  # a is out; b and c are due and waiting for the worker
    sched.refresh(c)
    await clock.advance(3.0)
    assert [rid for _, rid in source.calls[:3]] == [a, c, b]


async def test_new_work_reaches_parked_workers_at_its_time(
    clock: FakeClock, make_scheduler: Build
) -> None:
    source = FakeSource(clock, constant("running"))
    sched = make_scheduler(source, interval=10.0)
    a, b = ids(2)
    sched.watch(a)
    await clock.advance(3)  # a polled at 0, next at 10; every worker is parked
    sched.watch(b)  # due now: earlier than the coordinator's timer
    await clock.advance(0)
    assert source.times(b) == [3.0]
    sched.interval = 4.0  # a, polled 3 s ago, is now due in 1 s
    await clock.advance(2)
    assert source.times(a) == [0.0, 4.0]
    assert source.times(b) == [3.0]
