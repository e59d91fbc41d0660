"""The bandwidth budget: how often a run whose answers are large may be polled.

The API has no log offsets, no conditional requests and no status-only answer, so a
running run with a 20 MB log costs 20 MB per poll: every 2 s, 10 MB/s. `Budget` spreads
`max_bandwidth` bytes per second over everything polled:

- Sizes are measured, not guessed: the bytes on the wire of each run's last answer
  (`NektClient.last_size`) and of everything received (`NektClient.received_bytes`: the
  status sweep's list pages and any other request included).
- Answers under `LARGE` bytes are "small": never delayed (their latency is the point of
  watching). What they and everything else cost in the last `WINDOW` seconds is taken off
  the budget first.
- The rest is shared among the large runs (and the sweep, when its pages are large) by
  max-min fairness: a run that needs less than an equal share at its interval keeps its
  interval; the others get equal shares, and are polled every `size / share` seconds
  (never more than `MAX_PACED`). The large ones get at least `FLOOR` of the budget in all,
  so they are still seen when small answers alone fill it.

A paced run's next poll is its paced interval after its answer (the jitter applies to the
status interval part only), so a change of status is seen within that interval plus the
answer's transfer time. `r` (refresh) still polls at once. A source without `last_size`
(a test double) is never paced. `0` means no budget at all.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

#: From this many bytes on the wire, an answer is large (paced if the budget needs it).
LARGE = 64 * 1024
#: Seconds of traffic the background rate is measured over.
WINDOW = 10.0
#: The least share of the budget the large answers get together.
FLOOR = 0.1
#: The longest a paced run waits between polls.
MAX_PACED = 600.0
#: The key of the status sweep's pages among the large runs.
SWEEP = "\0sweep"
#: The list path the sweep reads (`NektClient.last_size` keys list pages by path).
SWEEP_PATH = "/api/v1/runs/"


@dataclass(frozen=True, slots=True)
class Pacing:
    """A run polled less often than its interval to keep within the budget."""

    #: Bytes on the wire of its last answer.
    size: int
    #: Seconds between its polls now.
    every: float


class _Large:
    """A run (or the sweep) whose last answer was large."""

    __slots__ = ("base", "size")

    def __init__(self, size: int, base: float) -> None:
        self.size = size
        self.base = base


class Budget:
    """Paces the polls of runs with large answers (see the module docstring)."""

    def __init__(self, rate: float, now: Callable[[], float], *, base: float = 2.0) -> None:
        if rate < 0:
            raise ValueError("max_bandwidth must be 0 (no budget) or more bytes per second")
        self.rate = float(rate)
        self._now = now
        self._base = base
        self._large: dict[str, _Large] = {}
        # [second, bytes of everything, bytes of large answers] per second of the window:
        # a few entries, however many runs answer.
        self._window: deque[list[int]] = deque()
        self._all = 0  # bytes of everything within the window
        self._big = 0  # bytes of large answers within the window
        self._total_seen: int | None = None  # the source's `received_bytes` last read
        self._started = now()
        self._level: float | None = None  # each large run's share, bytes/s (None: stale)
        self._sweep_after = float("-inf")

    # ---- what was received -------------------------------------------------------------

    def answered(self, key: str, source: object) -> None:
        """A request for `key` (a run ID) has ended: take what it and others received."""
        if not self.rate:
            return
        sizes = getattr(source, "last_size", None)
        size = sizes(key) if callable(sizes) else None
        self._take(key, size if isinstance(size, int) else None, source)

    def listed(self, source: object, base: float) -> None:
        """A page of the run list (the status sweep, every `base` seconds) has ended."""
        if not self.rate:
            return
        sizes = getattr(source, "last_size", None)
        size = sizes(SWEEP_PATH) if callable(sizes) else None
        self._take(SWEEP, size if isinstance(size, int) else None, source)
        if SWEEP in self._large:
            self._sweep_after = self._now() + self.interval(SWEEP, base)

    def _take(self, key: str, size: int | None, source: object) -> None:
        now = self._now()
        total = getattr(source, "received_bytes", None)
        got = 0
        if isinstance(total, int):
            if self._total_seen is not None:
                got = max(0, total - self._total_seen)
            self._total_seen = total
        big = size if size is not None and size >= LARGE else 0
        got = max(got, big)
        second = int(now)
        window = self._window
        if window and window[-1][0] == second:
            window[-1][1] += got
            window[-1][2] += big
        else:
            window.append([second, got, big])
        self._all += got
        self._big += big
        self._expire(now)
        old = self._large.get(key)
        if big:
            if old is None:
                self._large[key] = _Large(big, self._base)
                self._level = None
            else:
                old.size = big
        elif old is not None and size is not None:
            del self._large[key]
            self._level = None

    def _expire(self, now: float) -> None:
        window = self._window
        while window and window[0][0] + 1 < now - WINDOW:
            _, got, big = window.popleft()
            self._all -= got
            self._big -= big
            self._level = None

    def forget(self, key: str) -> None:
        """The run is no longer watched."""
        if self._large.pop(key, None) is not None:
            self._level = None

    # ---- how often ---------------------------------------------------------------------

    def background(self) -> float:
        """Bytes per second received lately for anything but large answers."""
        now = self._now()
        self._expire(now)
        span = min(WINDOW, max(1.0, now - self._started))
        return max(0, self._all - self._big) / span

    def interval(self, key: str, base: float) -> float:
        """Seconds between polls of `key` whose status interval is `base`."""
        large = self._large.get(key)
        if large is None or not self.rate:
            return base
        if large.base != base:
            large.base = base
            self._level = None
        level = self._share()
        if level <= 0:
            return MAX_PACED
        return min(MAX_PACED, max(base, large.size / level))

    def pacing(self, key: str, base: float | None) -> Pacing | None:
        """How `key` is paced now; None when it is polled at its interval."""
        large = self._large.get(key)
        if large is None or base is None:
            return None
        every = self.interval(key, base)
        return Pacing(large.size, every) if every > base else None

    def sweep_allowed(self, now: float) -> bool:
        """May the status sweep fetch a page now (its large pages are paced too)?"""
        return now >= self._sweep_after

    def _share(self) -> float:
        """Each large run's share of the budget, bytes/s (max-min fair, water-filling)."""
        self._expire(self._now())
        if self._level is not None:
            return self._level
        free = max(self.rate * FLOOR, self.rate - self.background())
        demands = sorted(large.size / large.base for large in self._large.values())
        left = len(demands)
        level = free / left if left else free
        for demand in demands:
            if demand > level:
                break
            free -= demand  # it keeps its interval: the others share the rest
            left -= 1
            level = free / left if left else free
        self._level = level
        return level


__all__ = ["FLOOR", "LARGE", "MAX_PACED", "SWEEP", "WINDOW", "Budget", "Pacing"]
