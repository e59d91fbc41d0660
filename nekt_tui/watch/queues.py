"""The scheduler's two timing heaps, with lazy deletion so every operation is O(log n)."""

from __future__ import annotations

import heapq
import itertools

from nekt_tui.watch.runstate import Watched


class DueQueue:
    """Runs ordered by next due time. Rescheduling a run supersedes its older entry."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, int, Watched]] = []  # (due, seq, gen, run)
        self._seq = itertools.count()
        self._dead = 0  # entries known to be superseded

    def __len__(self) -> int:
        return len(self._heap) - self._dead

    def schedule(self, run: Watched, due: float) -> bool:
        """Plan the run's next poll at `due`; True when it is now the earliest."""
        self.unschedule(run)
        run.due = due
        heapq.heappush(self._heap, (due, next(self._seq), run.gen, run))
        self._compact()
        return self._heap[0][3] is run

    def unschedule(self, run: Watched) -> None:
        """Forget the run's planned poll, if any (also on unwatch)."""
        if run.due is not None:
            self._dead += 1
            run.due = None
        run.gen += 1

    def pop_due(self, now: float) -> Watched | None:
        """The run whose poll is due at `now`, taken off the queue; None if none is."""
        heap = self._heap
        while heap:
            due, _, gen, run = heap[0]
            if run.gen != gen:
                heapq.heappop(heap)
                self._dead -= 1
                continue
            if due > now:
                return None
            heapq.heappop(heap)
            run.due = None
            run.gen += 1
            return run
        return None

    def next_due(self) -> float | None:
        """The earliest planned poll time, or None."""
        self.pop_due(float("-inf"))  # only drops superseded entries from the top
        return self._heap[0][0] if self._heap else None

    def _compact(self) -> None:
        if self._dead > 1024 and self._dead * 2 > len(self._heap):
            self._heap = [e for e in self._heap if e[3].gen == e[2]]
            heapq.heapify(self._heap)
            self._dead = 0


class StaleQueue:
    """Pending staleness checks: at most one useful entry per run (the earliest)."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Watched]] = []
        self._seq = itertools.count()

    def arm(self, run: Watched, at: float, *, earlier_only: bool = True) -> bool:
        """Check the run at `at` (unless an earlier check is pending); True if now first."""
        if earlier_only and run.stale_check is not None and run.stale_check <= at:
            return False
        run.stale_check = at
        heapq.heappush(self._heap, (at, next(self._seq), run))
        return self._heap[0][2] is run

    def pop_expired(self, now: float) -> Watched | None:
        """A run whose current check time has come, taken off; None when none has."""
        heap = self._heap
        while heap and heap[0][0] <= now:
            at, _, run = heapq.heappop(heap)
            if run.stale_check == at:
                run.stale_check = None
                return run
        return None

    def next_check(self) -> float | None:
        """The earliest pending check time (superseded entries included), or None."""
        return self._heap[0][0] if self._heap else None
