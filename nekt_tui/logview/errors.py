"""Where errors start in a log, kept as an index so `e`/`E` answer with a bisect.

An error *start* is an error line whose previous line is not one, so a traceback block
counts once. Whether line i starts an error depends only on lines up to i (see `levels`),
so the index grows at the tail: appended lines are scanned as they arrive once the index
has caught up, and a big log opened at once is scanned lazily, a step at a time, the
first time someone asks for an error past what is scanned.
"""

from __future__ import annotations

import bisect
import time
from array import array
from collections.abc import Sequence
from typing import Protocol

from nekt_tui.logview.levels import ERROR_HINTS, HINT_LIMIT, may_be_error
from nekt_tui.logview.sgr import clean_line, is_simple
from nekt_tui.logview.text import BLOCK, all_simple


class ErrorSource(Protocol):
    """What the index reads from the store."""

    @property
    def first(self) -> int: ...

    @property
    def end(self) -> int: ...

    def error_candidates(self, start: int, end: int) -> list[int]:
        """Lines in `start:end` that may start an error (a cheap filter, ascending)."""
        ...

    def is_error_start(self, i: int) -> bool:
        """Whether line i is an error line after a line that is not."""
        ...


class ErrorIndex:
    """The error starts among lines `[source.first, scanned)`, ascending."""

    # Lines scanned by the first step of an on-demand catch-up; each next step doubles,
    # so an error near where the reader is is found without scanning far past it.
    FIRST_STEP = 256
    MAX_STEP = 64_000
    # With a time budget, steps stay small enough (a few ms at worst) to stop on time.
    SLICE_STEP = 2_048

    def __init__(self, source: ErrorSource) -> None:
        self._source = source
        self._starts = array("q")
        self.scanned = 0

    @property
    def complete(self) -> bool:
        """Whether every kept line has been scanned."""
        return self.scanned >= self._source.end

    def __len__(self) -> int:
        return len(self._starts)

    def starts(self) -> list[int]:
        """The error starts found so far (a copy)."""
        return list(self._starts)

    # --- following the store -----------------------------------------------------------

    def reset(self, first: int = 0) -> None:
        """Forget everything; the store now starts at line `first`."""
        self._starts = array("q")
        self.scanned = first

    def drop_front(self, first: int) -> None:
        """The store dropped the lines before `first`."""
        del self._starts[: bisect.bisect_left(self._starts, first)]
        # The first kept line may be inside an error block whose start was dropped: it now
        # starts what is left of it.
        known = self._starts and self._starts[0] == first
        if self.scanned > first and not known and self._source.is_error_start(first):
            self._starts.insert(0, first)
        self.scanned = max(self.scanned, first)

    def changed(self, start: int, old_end: int) -> None:
        """Lines from `start` on are new or changed (the store had `old_end` lines before).

        Scanned now when the index had caught up, so it stays complete as lines arrive;
        otherwise they wait for the scan that is still behind.
        """
        caught_up = self.scanned >= old_end
        if start < self.scanned:
            del self._starts[bisect.bisect_left(self._starts, start) :]
            self.scanned = max(start, self._source.first)
        if caught_up:
            self.advance(self._source.end - self.scanned)

    # --- scanning and asking -----------------------------------------------------------

    def advance(self, lines: int) -> None:
        """Scan up to `lines` more lines."""
        source = self._source
        start = max(self.scanned, source.first)
        end = min(source.end, start + max(0, lines))
        if end <= start:
            return
        is_start = source.is_error_start
        self._starts.extend(i for i in source.error_candidates(start, end) if is_start(i))
        self.scanned = end

    def next_after(self, after: int | None) -> int | None:
        """The first error start after line `after` (None: from the top), scanning on."""
        return self.seek(after)[1]

    def seek(self, after: int | None, budget: float | None = None) -> tuple[bool, int | None]:
        """`(True, line)` for the first error start after line `after` (None: from the
        top), or `(True, None)` when there is none, scanning on as needed.

        With a `budget` (seconds), scanning stops after about that long and returns
        `(False, None)` when it has not decided yet; ask again to go on where it stopped.
        A log full of lines that only look like errors scans at a few µs a line, so the
        UI asks in slices instead of holding the screen for a second.
        """
        source = self._source
        low = source.first if after is None else max(source.first, after + 1)
        step = self.FIRST_STEP
        cap = self.MAX_STEP if budget is None else self.SLICE_STEP
        stop_at = None if budget is None else time.perf_counter() + budget
        while True:
            k = bisect.bisect_left(self._starts, low)
            if k < len(self._starts):
                return True, self._starts[k]
            if self.complete:
                return True, None
            if stop_at is not None and time.perf_counter() >= stop_at:
                return False, None
            self.advance(step)
            step = min(2 * step, cap)


def hint_lines(
    chunks: Sequence[str],
    bases: Sequence[int],
    starts: array[int],
    ends: array[int],
    lo: int,
    hi: int,
) -> list[int]:
    """Indices in `lo:hi` of the lines whose shown text passes `may_be_error`.

    Blocks of plain ASCII lines are searched whole (lower-cased once, each hint found with
    `str.find`), so a log without errors is ruled out at C speed; other blocks are
    checked line by line on their cleaned text.
    """
    out: list[int] = []
    k = lo
    while k < hi:
        s0 = starts[k]
        j = 0 if len(bases) == 1 else bisect.bisect_right(bases, s0) - 1
        base, chunk = bases[j], chunks[j]
        limit = hi if j + 1 >= len(bases) else bisect.bisect_left(starts, bases[j + 1], k, hi)
        stop = max(k + 1, bisect.bisect_right(starts, s0 + BLOCK, k + 1, limit))
        block = chunk[s0 - base : ends[stop - 1] - base]
        if all_simple(block, crlf=True):  # a line's own trailing CR cannot hide a hint
            out.extend(_hints_in_block(block.lower(), s0, starts, k, stop))
        else:
            for i in range(k, stop):
                raw = chunk[starts[i] - base : ends[i] - base]
                if may_be_error(raw if is_simple(raw) else clean_line(raw).text):
                    out.append(i)
        k = stop
    return out


def _hints_in_block(low: str, s0: int, starts: array[int], lo: int, hi: int) -> list[int]:
    """Lines `lo:hi` (the block `low` starts at offset `s0`) with a hint near their start."""
    found: set[int] = set()
    for word in ERROR_HINTS:
        i = low.find(word)
        while i >= 0:
            k = bisect.bisect_right(starts, s0 + i, lo, hi) - 1
            line_start = starts[k] - s0
            if i + len(word) <= line_start + HINT_LIMIT:
                found.add(k)
            # One hit per line is enough: go on from the next line.
            i = low.find(word, starts[k + 1] - s0) if k + 1 < hi else -1
    return sorted(found)
