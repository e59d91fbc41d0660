"""The poll intervals `+` and `-` step through."""

from __future__ import annotations

#: Poll intervals `+` and `-` step through (seconds).
INTERVAL_STEPS = (0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0)


def _step(current: float, direction: int, steps: tuple[float, ...] = INTERVAL_STEPS) -> float:
    """The next interval step faster (-1) or slower (+1) than `current`."""
    if direction < 0:
        smaller = [s for s in steps if s < current - 1e-9]
        return smaller[-1] if smaller else steps[0]
    larger = [s for s in steps if s > current + 1e-9]
    return larger[0] if larger else steps[-1]


class IntervalLadder:
    """The (interval, waiting interval) pairs `+` and `-` move along.

    Built once from the configured pair: the configured interval is one of the steps and
    each waiting interval comes from the configured ratio (the configured pair itself is
    kept as given), so `+` then `-` always comes back to exactly where it started.
    """

    def __init__(self, interval: float, waiting: float) -> None:
        self.start = (interval, waiting)
        self.steps = tuple(sorted({*INTERVAL_STEPS, interval}))
        self.ratio = waiting / interval if interval > 0 else 2.5

    def pair(self, interval: float) -> tuple[float, float]:
        """The waiting interval that goes with `interval`."""
        if interval == self.start[0]:
            return self.start
        return interval, max(interval, round(interval * self.ratio, 1))

    def move(self, current: float, direction: int) -> tuple[float, float]:
        """The pair one step faster (-1) or slower (+1) than `current`."""
        return self.pair(_step(current, direction, self.steps))
