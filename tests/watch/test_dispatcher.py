"""The dispatcher alone: workers and coordinator over a run table and a gate, no facade."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest

from nekt_tui.clock import FakeClock
from nekt_tui.watch.dispatcher import Dispatcher
from nekt_tui.watch.events import Event
from nekt_tui.watch.gate import Gate
from nekt_tui.watch.outcomes import Outcomes
from nekt_tui.watch.runstate import Watched
from nekt_tui.watch.stream import EventHub
from nekt_tui.watch.table import RunTable
from tests.watch.conftest import FakeSource, constant


def ids(n: int) -> list[str]:
    return [f"{i:08x}-0000-4000-8000-000000000000" for i in range(n)]


@dataclass
class Parts:
    """A dispatcher wired to its own table and gate, as `Scheduler` wires them."""

    table: RunTable
    gate: Gate
    dispatcher: Dispatcher
    events: list[Event]

    def watch(self, run_id: str) -> Watched:
        """A run due now (what `Scheduler.watch` does without the first-poll spread)."""
        now = self.table.clock.monotonic()
        run = self.table.add(run_id, None, now)
        self.table.plan_first(run, now)
        return run


Build = Callable[..., Parts]


@pytest.fixture
async def build(clock: FakeClock) -> AsyncIterator[Build]:
    made: list[Dispatcher] = []

    def make(source: object, *, concurrency: int = 2, interval: float = 2.0) -> Parts:
        events: list[Event] = []
        hub = EventHub(events.append)
        table = RunTable(clock, hub, interval=interval, waiting_interval=5.0)
        gate = Gate(clock, hub, concurrency=concurrency, default_retry_after=30.0)
        outcomes = Outcomes(table, gate, clock, rng=random.Random(0), jitter=0.0, max_backoff=60.0)
        dispatcher = Dispatcher(source, table, gate, outcomes, clock)  # type: ignore[arg-type]
        dispatcher.start()
        made.append(dispatcher)
        return Parts(table, gate, dispatcher, events)

    yield make
    for dispatcher in made:
        await dispatcher.stop()


async def test_a_bug_in_picking_work_does_not_stop_polling(
    clock: FakeClock, build: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = FakeSource(clock, constant("running"))
    parts = build(source, concurrency=2)
    rid = ids(1)[0]
    parts.watch(rid)
    await clock.advance(1)
    real_pop = parts.table.due.pop_due
    broken = {"left": 3}

    def pop_due(now: float) -> object:
        if broken["left"]:
            broken["left"] -= 1
            raise RuntimeError("bug")
        return real_pop(now)

    monkeypatch.setattr(parts.table.due, "pop_due", pop_due)
    await clock.advance(10)
    assert broken["left"] == 0
    # Polled again within a second or two of the failures, then at its usual pace.
    assert len(source.times(rid)) >= 5
    assert source.times(rid)[-1] >= 9.0


async def test_a_bug_while_parking_loses_no_worker_and_no_run(
    clock: FakeClock, build: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = FakeSource(clock, constant("running"))
    parts = build(source, concurrency=2)
    real = parts.dispatcher.went_idle
    broken = {"left": 2}

    def went_idle() -> None:
        if broken["left"]:
            broken["left"] -= 1
            raise RuntimeError("bug")
        real()

    monkeypatch.setattr(parts.dispatcher, "went_idle", went_idle)
    await clock.settle()  # both workers fail to park once, then sleep 1 s
    assert broken["left"] == 0
    a, b = ids(2)
    parts.watch(a)
    parts.watch(b)
    await clock.advance(10)
    # Both runs polled on time from the first second on; no run stuck "in flight".
    assert source.times(a)[:2] == [1.0, 3.0] and source.times(b)[:2] == [1.0, 3.0]
    assert parts.dispatcher.in_flight == 0
    await parts.dispatcher.wait_idle()


async def test_never_more_requests_out_than_the_gate_allows(clock: FakeClock, build: Build) -> None:
    source = FakeSource(clock, constant("running"), hold=1.0)
    parts = build(source, concurrency=4)
    parts.gate.limit = 1  # as after a 429: one first, then one more per success
    for rid in ids(8):
        parts.watch(rid)
    await clock.advance(0.5)
    assert source.in_flight == 1
    await clock.advance(1.0)  # the first answer raised the limit to 2
    assert source.in_flight == 2
    await clock.advance(10)
    assert source.max_in_flight == 4 and not source.overlap


async def test_slow_runs_wait_for_the_slow_lane_and_never_take_every_slot(
    clock: FakeClock, build: Build
) -> None:
    source = FakeSource(clock, constant("running"), hold=1.0)
    parts = build(source, concurrency=4)  # one slot of the slow lane
    slow = ids(3)
    for rid in slow:
        parts.watch(rid).patient = True
    fast = parts.watch(ids(4)[3]).run_id
    await clock.advance(0.5)
    assert source.in_flight == 2  # one slow run and the fast one
    assert fast in source.in_flight_ids
    await clock.advance(3.0)
    # One after the other in the lane's one slot (each answered in time leaves it).
    assert [source.times(rid)[0] for rid in slow] == [0.0, 1.0, 2.0]


async def test_a_slot_the_sweep_waits_for_goes_to_it_before_any_due_run(
    clock: FakeClock, build: Build
) -> None:
    source = FakeSource(clock, constant("running"), hold=1.0)
    parts = build(source, concurrency=1)
    a, b = ids(2)
    parts.watch(a)
    parts.watch(b)
    await clock.advance(0.5)  # a is out, b is due
    assert not parts.dispatcher.try_slot()
    waiter = asyncio.ensure_future(parts.dispatcher.slot_freed())
    await clock.advance(0.5)  # a's answer frees the slot: b does not take it
    assert waiter.done() and source.times(b) == []
    assert parts.dispatcher.try_slot()
    await clock.advance(1.0)
    assert source.times(b) == []  # the sweep holds the only slot
    parts.dispatcher.release_slot()
    await clock.advance(0)
    assert source.times(b) == [2.0]
