"""One search over a `LineStore`, kept up to date as lines arrive, are regrown or dropped."""

from __future__ import annotations

import bisect
import re
from array import array
from collections.abc import Sequence
from itertools import accumulate, islice

from nekt_tui.logview.search import ScanResult, SearchQuery, find_spans, scan
from nekt_tui.logview.store import Change, LineStore


class MatchSet:
    """The lines matching `query` in `store`, their count, and the current match.

    Lines `[store.first, scanned_end)` have been searched. A big first scan can run in a
    thread (`snapshot` then `merge`); appends are searched as they come, O(new lines).
    Match counts are kept as running totals, so "match k of n" costs a bisect, not a sum.
    """

    def __init__(self, store: LineStore, query: SearchQuery) -> None:
        self.store = store
        self.query = query
        self.pattern: re.Pattern[str] = query.compile()
        self.lines: list[int] = []  # absolute, ascending
        # _cum[k] - _cum[0] = matches on lines[:k]; _cum[0] stands for trimmed lines.
        self._cum = array("q", [0])
        self.scanned_end = store.first
        self.pending = False  # a threaded scan is running; appends wait for it
        self.current: tuple[int, int] | None = None  # (line, index of the match in it)

    # --- scanning ----------------------------------------------------------------------

    def _take(self, result: ScanResult) -> list[int]:
        """Record scan results (lines after every line recorded so far)."""
        first = self.store.first
        k = bisect.bisect_left(result.lines, first)  # lines dropped while a thread scanned
        new, counts = result.lines[k:], result.counts[k:]
        self.lines.extend(new)
        self._cum.extend(islice(accumulate(counts, initial=self._cum[-1]), 1, None))
        return new

    def scan_now(self) -> list[int]:
        """Search the lines not searched yet, here and now; returns new match lines."""
        store = self.store
        start = max(self.scanned_end, store.first)
        result = scan(self.pattern, store.raw_slice(start, store.end), start)
        self.scanned_end = store.end
        return self._take(result)

    def snapshot(self) -> tuple[Sequence[str], int, int]:
        """Start a threaded scan: the raw lines to search, their first and end index."""
        store = self.store
        start = max(self.scanned_end, store.first)
        self.pending = True
        return store.raw_slice(start, store.end), start, store.end

    def merge(self, result: ScanResult, end: int) -> list[int]:
        """Take a threaded scan's result (it covered lines up to `end`), then catch up."""
        self.pending = False
        self._take(result)
        self.scanned_end = end
        # The last scanned line may have grown since (a partial line): search it again.
        self._forget_from(end - 1)
        return self.scan_now()

    # --- following the store -----------------------------------------------------------

    def _forget_from(self, line: int) -> None:
        """Forget matches on `line` and later (they will be searched again)."""
        k = bisect.bisect_left(self.lines, line)
        if k < len(self.lines):
            del self.lines[k:], self._cum[k + 1 :]
        self.scanned_end = min(self.scanned_end, max(line, self.store.first))
        if self.current is not None and self.current[0] >= line:
            self.current = None

    def _trim_front(self) -> None:
        first = self.store.first
        k = bisect.bisect_left(self.lines, first)
        if k:
            del self.lines[:k], self._cum[:k]
        self.scanned_end = max(self.scanned_end, first)
        if self.current is not None and self.current[0] < first:
            self.current = None

    def on_change(self, change: Change) -> list[int] | None:
        """Follow an update of the store (not a reset). Returns new match lines, or None
        when nothing could be searched yet (a threaded scan is running)."""
        if change.dropped:
            self._trim_front()
        if self.pending:
            return None
        if change.start < self.scanned_end:
            self._forget_from(change.start)  # a regrown last line
        return self.scan_now()

    # --- moving between matches --------------------------------------------------------

    @property
    def count(self) -> int:
        """Total matches on the searched lines."""
        return self._cum[-1] - self._cum[0]

    def spans(self, line: int) -> list[tuple[int, int]]:
        """Where the matches are on absolute `line` (empty when none)."""
        return find_spans(self.pattern, self.store.text(line))

    def has_line(self, line: int) -> bool:
        """Whether absolute `line` holds a match."""
        return self._spans_count(line) > 0

    def _spans_count(self, line: int) -> int:
        k = bisect.bisect_left(self.lines, line)
        if k < len(self.lines) and self.lines[k] == line:
            return self._cum[k + 1] - self._cum[k]
        return 0

    def index_of_current(self) -> int | None:
        """1-based number of the current match among all matches."""
        if self.current is None:
            return None
        line, within = self.current
        k = bisect.bisect_left(self.lines, line)
        return self._cum[k] - self._cum[0] + within + 1

    def first_from(self, line: int) -> tuple[int, int] | None:
        """Make the first match on or after `line` current (wrapping to the first)."""
        if not self.lines:
            self.current = None
            return None
        k = bisect.bisect_left(self.lines, line)
        self.current = (self.lines[k % len(self.lines)], 0)
        return self.current

    def next(self) -> tuple[int, int] | None:
        """Move to the next match, wrapping around."""
        if not self.lines:
            return None
        if self.current is None:
            self.current = (self.lines[0], 0)
            return self.current
        line, within = self.current
        if within + 1 < self._spans_count(line):
            self.current = (line, within + 1)
        else:
            k = bisect.bisect_right(self.lines, line)
            self.current = (self.lines[k % len(self.lines)], 0)
        return self.current

    def previous(self) -> tuple[int, int] | None:
        """Move to the previous match, wrapping around."""
        if not self.lines:
            return None
        if self.current is None:
            target = self.lines[-1]
            self.current = (target, max(0, self._spans_count(target) - 1))
            return self.current
        line, within = self.current
        if within > 0 and self._spans_count(line):
            self.current = (line, within - 1)
        else:
            k = bisect.bisect_left(self.lines, line) - 1
            target = self.lines[k % len(self.lines)]
            self.current = (target, max(0, self._spans_count(target) - 1))
        return self.current
