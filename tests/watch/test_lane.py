"""The slow lane alone: a quarter of the slots at most, and slow runs wait their turn."""

from __future__ import annotations

from nekt_tui.watch.lane import SlowLane
from nekt_tui.watch.runstate import Watched
from tests.watch.conftest import RUN_A, RUN_B, RUN_C


def test_slow_runs_take_a_quarter_of_the_slots_and_the_rest_wait_in_order() -> None:
    lane = SlowLane(8)
    a, b, c = (Watched(rid, None, 0.0) for rid in (RUN_A, RUN_B, RUN_C))
    runs = {r.run_id: r for r in (a, b, c)}
    assert lane.enter(a) and lane.enter(b)
    assert not lane.enter(c) and not lane.enter(c)  # queued once
    assert lane.next_waiting(runs) is None  # no free slot
    lane.leave()
    assert lane.next_waiting(runs) is c and lane.next_waiting(runs) is None


def test_a_waiting_run_that_left_or_was_paused_gets_no_slot() -> None:
    lane = SlowLane(1)
    a, b, c = (Watched(rid, None, 0.0) for rid in (RUN_A, RUN_B, RUN_C))
    assert lane.enter(a)
    assert not lane.enter(b) and not lane.enter(c)
    c.paused = True
    lane.leave()
    assert lane.next_waiting({RUN_C: c}) is None  # b unwatched, c paused
