"""What the panel draws, row by row: the full log or a filter of it, folded when wrapping.

A view is a sequence of *items*: a log line (its absolute index), a gap where the filter
hides lines, or the marker saying older lines were dropped. `RowMap` turns items into
screen rows; when wrapping, a line takes as many rows as its width needs, kept as a
prefix sum that an append extends at the tail (never rebuilt for an append).
"""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

from nekt_tui.logview.store import LineStore

GAP = -1  # lines hidden by the filter
DROPPED = -2  # the "N older lines dropped" marker


class View(Protocol):
    """A sequence of items over a `LineStore`."""

    def count(self) -> int:
        """How many items the view has."""
        ...

    def item(self, i: int) -> int:
        """Item i: an absolute line index, `GAP` or `DROPPED`."""
        ...

    def index_of(self, line: int) -> int:
        """The item showing absolute `line`, or the nearest one."""
        ...


class FullView:
    """Every kept line, after the dropped-lines marker when the cap dropped some."""

    def __init__(self, store: LineStore) -> None:
        self.store = store

    def _base(self) -> int:
        return 1 if self.store.dropped else 0

    def count(self) -> int:
        """Kept lines plus the marker."""
        return self._base() + len(self.store)

    def item(self, i: int) -> int:
        """Item i (see `View.item`)."""
        base = self._base()
        return DROPPED if i < base else self.store.first + i - base

    def index_of(self, line: int) -> int:
        """The item of absolute `line`, clamped to what is kept."""
        store = self.store
        if not len(store):
            return 0
        line = min(max(line, store.first), store.end - 1)
        return line - store.first + self._base()


class FilterView:
    """Only the lines with a match, with `context` lines around each, merged into ranges."""

    def __init__(self, store: LineStore, context: int = 0) -> None:
        self.store = store
        self.context = max(0, context)
        self._starts: list[int] = []
        self._ends: list[int] = []  # exclusive; only the last may pass the store's end
        self._offsets: list[int] = []  # item index of each range's first line

    @property
    def is_empty(self) -> bool:
        """True when no line matches (nothing to show)."""
        return not self._starts

    @property
    def ranges(self) -> list[tuple[int, int]]:
        """The shown line ranges (start, end exclusive), clipped to the store."""
        end = self.store.end
        return [(s, min(e, end)) for s, e in zip(self._starts, self._ends, strict=True)]

    def set_matches(self, lines: Iterable[int]) -> None:
        """Rebuild from scratch for these (ascending) match lines."""
        self._starts, self._ends, self._offsets = [], [], []
        self.add_matches(lines)

    def add_matches(self, lines: Iterable[int]) -> None:
        """Add match lines that come after every line added so far."""
        ctx, first = self.context, self.store.first
        starts, ends = self._starts, self._ends
        for m in lines:
            s, e = max(first, m - ctx), m + ctx + 1
            if ends and s <= ends[-1]:  # overlapping or touching: one range
                ends[-1] = max(ends[-1], e)
                continue
            if starts:
                self._offsets.append(self._offsets[-1] + ends[-1] - starts[-1] + 1)
            else:
                self._offsets.append(self._lead(s))
            starts.append(s)
            ends.append(e)

    def _lead(self, start: int) -> int:
        """Items before the first range: the dropped marker and a gap if lines are hidden."""
        store = self.store
        return (1 if store.dropped else 0) + (1 if start > store.first else 0)

    def clip_front(self) -> None:
        """Follow the store after it dropped old lines."""
        first = self.store.first
        while self._ends and self._ends[0] <= first:
            del self._starts[0], self._ends[0]
        if self._starts:
            self._starts[0] = max(self._starts[0], first)
        starts, ends = self._starts, self._ends
        self._starts, self._ends, self._offsets = [], [], []
        for s, e in zip(starts, ends, strict=True):
            self._offsets.append(
                self._offsets[-1] + self._ends[-1] - self._starts[-1] + 1
                if self._starts
                else self._lead(s)
            )
            self._starts.append(s)
            self._ends.append(e)

    def count(self) -> int:
        """Items shown: lines of every range, gaps between, marker first."""
        if not self._starts:
            return 1 if self.store.dropped else 0
        end = self.store.end
        last_end = min(self._ends[-1], end)
        return self._offsets[-1] + last_end - self._starts[-1] + (1 if last_end < end else 0)

    def item(self, i: int) -> int:
        """Item i (see `View.item`)."""
        if self.store.dropped and i == 0:
            return DROPPED
        k = bisect.bisect_right(self._offsets, i) - 1
        if k < 0:
            return GAP
        line = self._starts[k] + i - self._offsets[k]
        return line if line < min(self._ends[k], self.store.end) else GAP

    def index_of(self, line: int) -> int:
        """The item showing `line`, or the gap standing for it when it is hidden."""
        if not self._starts:
            return 0
        k = bisect.bisect_right(self._starts, line) - 1
        if k < 0:
            return self._offsets[0]
        end = min(self._ends[k], self.store.end)
        if line < end:
            return self._offsets[k] + line - self._starts[k]
        return min(self._offsets[k] + end - self._starts[k], max(0, self.count() - 1))


class RowMap:
    """Maps screen rows to (item, fold) and back; identity when not wrapping."""

    def __init__(self) -> None:
        self.wrap_width: int | None = None
        self._prefix = array("q", [0])  # rows before item k, for k in 0..count

    def rows(self, view: View) -> int:
        """How many rows the view takes."""
        return view.count() if self.wrap_width is None else self._prefix[-1]

    def rebuild(self, view: View, width_of: Callable[[int], int], wrap_width: int | None) -> None:
        """Recompute everything (wrap toggled, width changed, view replaced)."""
        self.wrap_width = None if wrap_width is None else max(1, wrap_width)
        self._prefix = array("q", [0])
        self.update_from(view, width_of, 0)

    def update_from(self, view: View, width_of: Callable[[int], int], start: int) -> None:
        """Recompute rows for items `start` and later (they were added or changed)."""
        wrap = self.wrap_width
        if wrap is None:
            return
        start = max(0, min(start, len(self._prefix) - 1))
        del self._prefix[start + 1 :]
        total = self._prefix[start]
        tail: list[int] = []
        for i in range(start, view.count()):
            item = view.item(i)
            width = width_of(item) if item >= 0 else 1
            total += max(1, -(-width // wrap))
            tail.append(total)
        self._prefix.extend(tail)

    def locate(self, row: int) -> tuple[int, int]:
        """The item drawn on `row` and which fold of it (0 unless wrapping)."""
        if self.wrap_width is None:
            return row, 0
        k = bisect.bisect_right(self._prefix, row) - 1
        return k, row - self._prefix[k]

    def row_of(self, item: int) -> int:
        """The first row of `item`."""
        if self.wrap_width is None:
            return item
        return self._prefix[min(max(0, item), len(self._prefix) - 1)]

    def folds(self, item: int) -> int:
        """How many rows `item` takes."""
        if self.wrap_width is None or item + 1 >= len(self._prefix):
            return 1
        return self._prefix[item + 1] - self._prefix[item]


def lines_in(view: View, items: Sequence[int]) -> list[int]:
    """The absolute lines among `items` of `view` (gaps and markers left out)."""
    return [line for line in (view.item(i) for i in items) if line >= 0]
