"""The run table alone: what is due when, staleness, intervals and commands, no tasks."""

from __future__ import annotations

from dataclasses import dataclass

from nekt_tui.api.enums import RunStatus
from nekt_tui.clock import FakeClock
from nekt_tui.watch.events import Event, RunStale
from nekt_tui.watch.stream import EventHub
from nekt_tui.watch.table import RunTable
from tests.watch.conftest import RUN_A, RUN_B, RUN_C, make_run


@dataclass
class Waker:
    """Counts what the table asked of the coordinator."""

    moved: int = 0
    woken: int = 0

    def due_moved(self) -> None:
        self.moved += 1

    def wake(self) -> None:
        self.woken += 1


def make(clock: FakeClock, events: list[Event]) -> tuple[RunTable, Waker]:
    table = RunTable(clock, EventHub(events.append), interval=2.0, waiting_interval=5.0)
    waker = Waker()
    table.waker = waker
    return table, waker


def test_only_a_new_earliest_poll_moves_the_coordinators_timer(clock: FakeClock) -> None:
    table, waker = make(clock, [])
    a = table.add(RUN_A, None, 0.0)
    b = table.add(RUN_B, None, 0.0)
    table.schedule(a, 10.0)
    table.schedule(b, 20.0)  # later than a: nothing to wake for
    assert waker.moved == 1
    table.schedule(b, 5.0)
    assert waker.moved == 2
    assert table.due.pop_due(30.0) is b and table.due.pop_due(30.0) is a


def test_a_silent_run_is_reported_stale_once_after_three_intervals(clock: FakeClock) -> None:
    events: list[Event] = []
    table, _ = make(clock, events)
    run = table.add(RUN_A, None, 0.0)
    table.plan_first(run, 0.0)
    assert table.check_stale(5.9) == 6.0 and events == []
    table.check_stale(6.0)
    assert [type(e) for e in events] == [RunStale] and run.stale
    table.check_stale(100.0)
    assert len(events) == 1


async def test_while_everything_is_paused_no_run_goes_stale(clock: FakeClock) -> None:
    events: list[Event] = []
    table, waker = make(clock, events)
    run = table.add(RUN_A, None, 0.0)
    table.plan_first(run, 0.0)
    table.pause(None)
    table.check_stale(6.0)
    assert events == []
    await clock.advance(10.0)
    table.resume(None)  # the deadline now counts from the resume
    assert waker.woken >= 1
    table.check_stale(15.9)
    assert events == []
    table.check_stale(16.0)
    assert [type(e) for e in events] == [RunStale]


def test_new_intervals_keep_the_time_already_waited(clock: FakeClock) -> None:
    table, _ = make(clock, [])
    run = table.add(RUN_A, None, 0.0)
    table.plan_first(run, 0.0)
    table.polled(run)
    run.run = make_run(RUN_A, "running")
    table.schedule(run, 1.5)  # due in 1.5 s of a 2 s interval
    table.set_intervals(10.0, 5.0)
    assert run.due == 9.5
    table.set_intervals(1.0, 5.0)  # waited 0.5 s already of 1 s
    assert run.due == 0.5


def test_a_first_poll_is_never_a_candidate_for_a_listed_copy(clock: FakeClock) -> None:
    table, _ = make(clock, [])
    runs = [table.add(rid, None, 0.0) for rid in (RUN_A, RUN_B, RUN_C)]
    for run in runs:
        table.plan_first(run, 0.0)
    assert table.candidates() == 0
    table.polled(runs[0])
    assert table.candidates() == 1
    table.remove(RUN_B)  # unwatching an unpolled run forgets it too
    assert table.unpolled == 1 and table.candidates() == 1


def test_a_refreshed_run_comes_before_due_ones_unless_it_is_in_flight(
    clock: FakeClock,
) -> None:
    table, _ = make(clock, [])
    a = table.add(RUN_A, None, 0.0)
    b = table.add(RUN_B, None, 0.0)
    table.schedule(a, 0.0)
    b.in_flight = True
    table.force(b)  # its answer is on the way: nothing to do
    table.force(a)
    assert a.due is None and table.due.pop_due(1.0) is None
    assert table.next_forced() is a and table.next_forced() is None


def test_a_paused_run_is_resumed_due_now_unless_it_cannot_change(clock: FakeClock) -> None:
    table, _ = make(clock, [])
    a = table.add(RUN_A, None, 0.0)
    b = table.add(RUN_B, RunStatus.SUCCESS, 0.0)
    table.plan_first(a, 3.0)
    table.pause(RUN_A)
    table.pause(RUN_B)
    assert a.due is None
    table.resume(RUN_A)
    table.resume(RUN_B)
    assert a.due == 0.0 and b.due is None
    assert table.get(RUN_C) is None and RUN_A in table and len(table) == 2
