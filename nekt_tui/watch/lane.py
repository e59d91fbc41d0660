"""The slow lane: a few request slots for runs whose answers come slowly.

A run whose answer did not come in time is asked again with patience, which may take
minutes; such requests hold at most `policy.slow_lane_slots(concurrency)` slots, so slow
runs never hold every slot while the others wait.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping

from nekt_tui.watch import policy
from nekt_tui.watch.runstate import Watched


class SlowLane:
    """The slow lane's slots and the slow runs waiting for one (see the module docstring)."""

    def __init__(self, concurrency: int) -> None:
        self.slots = policy.slow_lane_slots(concurrency)
        self.in_flight = 0
        #: Slow runs waiting for a slot; lazy: an entry whose run left meanwhile is skipped.
        self._waiting: deque[Watched] = deque()

    def enter(self, run: Watched) -> bool:
        """Take a slot for the run; when all are taken, it waits in the lane (False)."""
        if self.in_flight >= self.slots:
            if not run.lane_waiting:
                run.lane_waiting = True
                self._waiting.append(run)
            return False
        self.in_flight += 1
        run.lane_waiting = False  # an entry of it left in the lane is stale now
        return True

    def leave(self) -> None:
        """A slow run's request is over: its slot is free."""
        self.in_flight -= 1

    def next_waiting(self, runs: Mapping[str, Watched]) -> Watched | None:
        """A slow run waiting for a slot, if one is free (still watched, not paused)."""
        if self.in_flight >= self.slots:
            return None
        while self._waiting:
            run = self._waiting.popleft()
            if not run.lane_waiting:
                continue  # taken meanwhile (refreshed): a stale entry
            run.lane_waiting = False
            if runs.get(run.run_id) is run and not run.paused:
                return run
        return None


__all__ = ["SlowLane"]
