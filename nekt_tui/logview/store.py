"""The bounded store of log lines behind the panel.

The text is kept in a few large chunks plus an array of line offsets (see `text`); a
line's string is sliced out when it is drawn or searched. When the store mirrors a run's
log (`load_text`, then `follow_text` on every poll), its one chunk *is* the run's
`parsed_log` string, so holding the log costs the panel its offsets (about 20 bytes a
line), not a second copy of the text. Lines are cleaned on demand (an LRU cache), so
opening a huge log costs one pass of cheap checks, and an append costs time proportional
to the lines appended. Lines are numbered absolutely from the start of the log: when the
cap drops the oldest lines, numbers, matches and levels of the kept lines stay valid.
"""

from __future__ import annotations

from array import array
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from nekt_tui.logview.errors import ErrorIndex, hint_lines
from nekt_tui.logview.levels import Level, LevelMap, line_facts
from nekt_tui.logview.sgr import CleanLine, clean_line, is_simple
from nekt_tui.logview.text import Indexed, Lines, index_lines, index_text, line_width, slice_chunk
from nekt_tui.watch.log_delta import TAIL_CHARS, split_lines

DEFAULT_CAP = 500_000
_MERGE_BELOW = 1 << 16  # appended chunks smaller than this are merged into one

__all__ = ["DEFAULT_CAP", "Change", "LineStore", "LogDeltaLike", "line_width", "split_log"]


class LogDeltaLike(Protocol):
    """The engine's log delta: `reset` replaces everything, `replace_last` regrows a line."""

    @property
    def reset(self) -> bool: ...

    @property
    def lines(self) -> tuple[str, ...]: ...

    @property
    def replace_last(self) -> bool: ...

    @property
    def text(self) -> str | None:
        """For a reset not yet split into lines, the log string it was made from."""
        ...


@dataclass(frozen=True, slots=True)
class Change:
    """What one update did: lines from absolute index `start` on are new or changed."""

    reset: bool
    start: int
    dropped: int  # how many old lines this update pushed out under the cap
    regrown: bool = False  # line `start` was there before and changed (a partial line grew)


def split_log(text: str | None) -> list[str]:
    """Split a `parsed_log` into lines exactly as the engine's log deltas do."""
    return split_lines(text)[0] if text else []


class LineStore:
    """The kept lines of one log, at most `cap` of them, oldest dropped first."""

    def __init__(self, cap: int = DEFAULT_CAP, *, cache_size: int = 4_096) -> None:
        if cap < 1:
            raise ValueError("the line cap must be at least 1")
        self.cap = cap
        self._cache_size = cache_size
        self._clean: OrderedDict[int, CleanLine] = OrderedDict()
        self.levels = LevelMap(self.facts)
        self.errors = ErrorIndex(self)
        self._clear()

    def _clear(self) -> None:
        # Line k of the store (absolute line first + k) is text[_starts[k]:_ends[k]] of the
        # chunk whose base (its offset in one space over all chunks) is the last <= start.
        self._chunks: list[str] = []
        self._bases: list[int] = []
        self._starts = array("q")
        self._ends = array("q")
        self._widths = array("L")
        self._facts = bytearray()  # 0 = not computed, else 0x80 | line_facts
        self._first = 0
        self._max_width = 0
        self._source: str | None = None  # the log text mirrored (then the only chunk)
        self._partial = False  # the source's last line has no newline yet
        self._clean.clear()
        self.levels.reset()
        self.errors.reset()

    # --- reading -----------------------------------------------------------------------

    @property
    def first(self) -> int:
        """Absolute index of the oldest kept line (= lines dropped so far)."""
        return self._first

    @property
    def dropped(self) -> int:
        """How many older lines the cap has dropped."""
        return self._first

    @property
    def end(self) -> int:
        """Absolute index one past the newest line (= total lines seen)."""
        return self._first + len(self._starts)

    def __len__(self) -> int:
        return len(self._starts)

    @property
    def max_width(self) -> int:
        """The widest kept line seen so far, in cells (never shrinks on drops)."""
        return self._max_width

    @property
    def source(self) -> str | None:
        """The log text this store mirrors (`load_text`), None once fed lines instead."""
        return self._source

    def chunk_count(self) -> int:
        """How many strings hold the kept text (one when mirroring a log)."""
        return len(self._chunks)

    def raw(self, i: int) -> str:
        """The raw text of absolute line i."""
        k = i - self._first
        if not 0 <= k < len(self._starts):
            raise IndexError(i)
        return slice_chunk(self._chunks, self._bases, self._starts[k], self._ends[k])

    def raw_slice(self, start: int, end: int) -> Lines:
        """The raw lines `start:end` (absolute) as a snapshot, safe to hand to a thread."""
        lo = max(start, self._first) - self._first
        hi = max(lo, end - self._first)
        return Lines(self._chunks, self._bases, self._starts[lo:hi], self._ends[lo:hi])

    def raw_lines(self) -> Lines:
        """All kept raw lines (a snapshot)."""
        return self.raw_slice(self._first, self.end)

    def width(self, i: int) -> int:
        """Display width of absolute line i."""
        return self._widths[i - self._first]

    def clean(self, i: int) -> CleanLine:
        """Absolute line i made safe to show, with its SGR spans (cached)."""
        cache = self._clean
        line = cache.get(i)
        if line is not None:
            cache.move_to_end(i)
            return line
        line = clean_line(self.raw(i))
        cache[i] = line
        if len(cache) > self._cache_size:
            cache.popitem(last=False)
        return line

    def text(self, i: int) -> str:
        """The shown text of absolute line i."""
        return self.clean(i).text

    def facts(self, i: int) -> int:
        """The packed level facts of absolute line i (see `levels.line_facts`)."""
        k = i - self._first
        f = self._facts[k]
        if not f:
            raw = self.raw(i)
            # Not through the render cache: a scan over every line would only churn it.
            f = 0x80 | line_facts(raw if is_simple(raw) else clean_line(raw).text)
            self._facts[k] = f
        return f & 0x7F

    def level(self, i: int) -> Level:
        """The level of absolute line i, traceback blocks included."""
        return self.levels.level(i)

    def is_error_start(self, i: int) -> bool:
        """Whether line i is an error line after one that is not (a block's first line)."""
        level = self.levels.level
        return level(i) is Level.ERROR and (i == self._first or level(i - 1) is not Level.ERROR)

    def error_candidates(self, start: int, end: int) -> list[int]:
        """Lines in `start:end` (absolute) that may start an error, by a cheap filter."""
        first = self._first
        lo, hi = max(start, first) - first, min(end, self.end) - first
        found = hint_lines(self._chunks, self._bases, self._starts, self._ends, lo, hi)
        return [first + k for k in found]

    def next_error(self, after: int | None = None) -> int | None:
        """The first line of the next run of error lines after line `after` (None: from the
        top), so a traceback block counts once. O(log n) once the index has caught up."""
        return self.errors.next_after(after)

    # --- writing: mirroring a log text -------------------------------------------------

    def load_text(self, text: str | None) -> Change:
        """Replace everything with the lines of the log `text`, keeping `text` itself."""
        self._clear()
        text = text or ""
        self._source = text
        self._chunks, self._bases = [text], [0]
        indexed = index_text(text, 0, 0)
        self._partial = indexed.partial
        dropped = self._append(indexed)
        self.errors.reset(self._first)  # scanned when first asked, not on opening
        return Change(reset=True, start=self._first, dropped=dropped)

    def sync(self, text: str | None, delta: LogDeltaLike | None) -> Change | None:
        """Apply the engine's `delta`, which it computed from the run's log `text`.

        While the store mirrors the log the delta starts from, the new lines are taken
        from `text` (checked equal to the delta's), so the store holds the run's current
        string and lets the previous poll's go. A delta that does not start where the store
        is (a different log was loaded) is applied as it is. `delta` None: the log did not
        change, but the run's new string is held instead of the equal old one.
        """
        text = text or ""
        if delta is not None and not delta.reset and text and text is self._source:
            # This very log was loaded already (the run was selected after the poll that
            # made the delta) and ends with the delta's lines: applying them would repeat them.
            n = len(delta.lines)
            if 0 < n <= self.end - self.first and all(
                self.raw(self.end - n + i) == line for i, line in enumerate(delta.lines)
            ):
                return None
        if delta is None:
            old = self._source
            if old is not None and len(text) == len(old) and self._growth(text) is not None:
                self._chunks[0] = self._source = text
            return None
        if delta.reset:
            change = self.load_text(text)
            if text and delta.text is text:
                # The delta is this very string, not yet split: its lines are the ones
                # just indexed, and splitting 200,000 lines again would cost more than the log.
                return change
            lines = delta.lines
            if self.end == len(lines) and (not lines or self.raw(self.end - 1) == lines[-1]):
                return change
            return self.reset(lines)
        growth = self._growth(text)
        if growth is not None:
            pos, regrow = growth
            if regrow == delta.replace_last and split_log(text[pos:]) == list(delta.lines):
                return self.follow_text(text)
        return self.apply(delta)

    def _growth(self, text: str) -> tuple[int, bool] | None:
        """Where `text` goes on from the mirrored log (the start of the partial last line,
        or the old end) and whether that line regrows; None if `text` is not that log."""
        old = self._source
        if old is None or len(self._chunks) != 1:
            return None
        n = len(old)
        tail = old[-TAIL_CHARS:]
        if len(text) < n or not text.startswith(tail, n - len(tail)):
            return None
        if self._partial and self._starts:
            return self._starts[-1], True
        return n, False

    def follow_text(self, text: str | None) -> Change | None:
        """The log is now `text`: append what it grew by, in O(growth), or reset when it
        was rewritten. None when nothing changed. Decided as the engine's `LogTracker`
        decides: the old log's last characters must still be where they were."""
        text = text or ""
        growth = self._growth(text)
        if growth is None:
            return self.load_text(text)
        # The same log, maybe grown: hold the new string and let the old one go.
        n = len(self._source or "")
        self._chunks[0] = self._source = text
        if len(text) == n:
            return None
        old_end = self.end
        pos, regrown = growth
        if regrown:
            # The partial last line is indexed again, from its start, with what followed.
            self._forget_last()
        indexed = index_text(text, pos, 0)
        self._partial = indexed.partial
        dropped = self._append(indexed)
        start = old_end - 1 if regrown else old_end
        self.errors.changed(start, old_end)
        return Change(reset=False, start=max(start, self._first), dropped=dropped, regrown=regrown)

    def _forget_last(self) -> None:
        last = self.end - 1
        del self._starts[-1], self._ends[-1], self._widths[-1], self._facts[-1]
        self._clean.pop(last, None)
        self.levels.truncate(last)

    # --- writing: lines (engine deltas) ------------------------------------------------

    def reset(self, lines: Iterable[str] = ()) -> Change:
        """Replace everything with `lines`."""
        self._clear()
        chunk, indexed = index_lines(list(lines), 0)
        self._chunks, self._bases = [chunk], [0]
        dropped = self._append(indexed)
        self.errors.reset(self._first)
        return Change(reset=True, start=self._first, dropped=dropped)

    def extend(self, lines: Sequence[str]) -> Change:
        """Append lines; returns where the new lines start."""
        start = self.end
        dropped = self._add_lines(lines)
        self.errors.changed(start, start)
        return Change(reset=False, start=max(start, self._first), dropped=dropped)

    def replace_last(self, line: str) -> None:
        """Replace the newest line (a partial line that grew)."""
        if not self._starts:
            self.extend([line])
            return
        old_end = self.end
        self._forget_last()
        self._add_lines([line])
        self.errors.changed(old_end - 1, old_end)

    def apply(self, delta: LogDeltaLike) -> Change:
        """Apply an engine delta."""
        if delta.reset:
            return self.reset(delta.lines)
        lines = delta.lines
        start = self.end
        regrown = False
        if delta.replace_last and lines:
            regrown = bool(self._starts)
            start = start - 1 if regrown else start
            self.replace_last(lines[0])
            lines = lines[1:]
        before = self._first
        self.extend(lines)
        dropped = self._first - before
        return Change(reset=False, start=max(start, self._first), dropped=dropped, regrown=regrown)

    def _add_lines(self, lines: Sequence[str]) -> int:
        """Append `lines` as a chunk of their own (or merged into a small last one)."""
        if not lines:
            return 0
        self._source = None  # no longer a mirror of one log text
        chunks, bases = self._chunks, self._bases
        if chunks and len(chunks[-1]) < _MERGE_BELOW:
            # Many small polls would otherwise leave one tiny string per poll.
            base = bases[-1] + len(chunks[-1]) + 1
            chunk, indexed = index_lines(lines, base)
            chunks[-1] = chunks[-1] + "\n" + chunk
        else:
            base = bases[-1] + len(chunks[-1]) + 1 if chunks else 0
            chunk, indexed = index_lines(lines, base)
            chunks.append(chunk)
            bases.append(base)
        return self._append(indexed)

    def _append(self, indexed: Indexed) -> int:
        """Take newly indexed lines, then drop the oldest if over the cap; returns how many
        lines were dropped."""
        n = len(indexed)
        if not n:
            return 0
        before = self._first
        self._starts.extend(indexed.starts)
        self._ends.extend(indexed.ends)
        self._widths.extend(indexed.widths)
        self._facts.extend(bytes(n))
        self._max_width = max(self._max_width, max(indexed.widths))
        if len(self._starts) > self.cap:
            self._drop(len(self._starts) - (self.cap - self.cap // 10))  # in batches
        return self._first - before

    def _drop(self, n: int) -> None:
        if n <= 0:
            return
        del self._starts[:n], self._ends[:n], self._widths[:n], self._facts[:n]
        self._first += n
        self.levels.drop_front(self._first)
        self.errors.drop_front(self._first)
        for key in [k for k in self._clean if k < self._first]:
            del self._clean[key]
        # Let go of chunks no kept line is in any more.
        keep_from = self._starts[0]
        while len(self._bases) > 1 and self._bases[1] <= keep_from:
            del self._chunks[0], self._bases[0]
