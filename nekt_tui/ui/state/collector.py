"""When Python's cycle collector may stop the app: young collections as usual, full ones on
the app's clock.

A full (generation 2) collection walks every live object. With 10,000 watched runs that
is some 200,000 objects (each answer is a few pydantic models), 60-200 ms with the event
loop stopped; and since every poll cycle replaces 10,000 answers, CPython started one
every few seconds (figure 9). Young collections still run as usual and free almost every
cycle of garbage; the full one runs once every `FULL_EVERY` seconds instead, from the
app's once-a-second tick, so the app stalls once in ten minutes rather than every cycle.
What the app made before its first frame is frozen (never walked), as before.

Young collections are also run by the app, after each frame of engine changes. CPython
counts the death of any tracked object against the youngest generation's count, old or
young. A poll cycle replaces 10,000 answers, whose deaths cancel their successors' births.
So the young generation grew to some 80,000 objects without reaching its threshold, and the
collection that finally came walked them all in one stall of 20-60 ms. That often fell on
a key press. Collected after each frame, and from the once-a-second tick (unchanged answers
make no frame, yet replace the engine's last), the young generations hold only what a frame
or a second brought. Each new object is walked once there, then left to the full ones.
"""

from __future__ import annotations

import gc
from collections.abc import Callable

#: Seconds between full collections (one stall, some 100 ms with 10,000 runs).
FULL_EVERY = 600.0
#: Generation 2's threshold while the app runs: never reached, so never automatic.
NEVER = 1 << 30


class CollectorPace:
    """Holds off automatic full collections while the app runs; `tick()` runs one when due.

    `start()` (after the first frame) freezes what exists and turns the collector on;
    `stop()` (at exit) gives back the thresholds and unfreezes, as the app found them.
    """

    def __init__(self, monotonic: Callable[[], float], every: float = FULL_EVERY) -> None:
        self._monotonic = monotonic
        self.every = every
        self._thresholds: tuple[int, int, int] | None = None
        self._last = 0.0
        #: Full collections this pace ran.
        self.full_collections = 0

    @property
    def running(self) -> bool:
        """Whether automatic full collections are held off."""
        return self._thresholds is not None

    def start(self) -> None:
        """Freeze what exists, hold off automatic full collections, enable the collector."""
        gc.freeze()
        if self._thresholds is None:
            young, middle, _ = self._thresholds = gc.get_threshold()
            gc.set_threshold(young, middle, NEVER)
        self._last = self._monotonic()
        gc.enable()

    def tick(self) -> None:
        """A full collection if `every` seconds passed since the last (or the start)."""
        if self._thresholds is None:
            return
        now = self._monotonic()
        if now - self._last >= self.every:
            self._last = now
            gc.collect()
            self.full_collections += 1

    def young(self) -> None:
        """Collect the two young generations now (after a frame of changes: few objects)."""
        if self._thresholds is not None:
            gc.collect(1)

    def stop(self) -> None:
        """Thresholds back as they were; what was frozen can be collected again."""
        if self._thresholds is not None:
            gc.set_threshold(*self._thresholds)
            self._thresholds = None
        gc.unfreeze()
