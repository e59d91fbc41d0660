"""The bounded store of log lines behind the panel.

Lines are kept raw and cleaned on demand (an LRU cache), so opening a huge log costs one
pass of cheap checks, and an append costs time proportional to the lines appended. Lines
are numbered absolutely from the start of the log: when the cap drops the oldest lines,
numbers, matches and levels of the kept lines stay valid.
"""

from __future__ import annotations

from array import array
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from rich.cells import cell_len

from nekt_tui.logview.levels import Level, LevelMap, line_facts, may_be_error
from nekt_tui.logview.sgr import CleanLine, clean_line, is_simple
from nekt_tui.watch.log_delta import split_lines

DEFAULT_CAP = 500_000


class LogDeltaLike(Protocol):
    """The engine's log delta: `reset` replaces everything, `replace_last` regrows a line."""

    @property
    def reset(self) -> bool: ...

    @property
    def lines(self) -> tuple[str, ...]: ...

    @property
    def replace_last(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class Change:
    """What one update did: lines from absolute index `start` on are new or changed."""

    reset: bool
    start: int
    dropped: int  # how many old lines this update pushed out under the cap


def split_log(text: str | None) -> list[str]:
    """Split a `parsed_log` into lines exactly as the engine's log deltas do."""
    return split_lines(text)[0] if text else []


def line_width(raw: str) -> int:
    """Display width in cells of `raw` once cleaned."""
    return len(raw) if is_simple(raw) else cell_len(clean_line(raw).text)


class LineStore:
    """The kept lines of one log, at most `cap` of them, oldest dropped first."""

    def __init__(self, cap: int = DEFAULT_CAP, *, cache_size: int = 4_096) -> None:
        if cap < 1:
            raise ValueError("the line cap must be at least 1")
        self.cap = cap
        self._cache_size = cache_size
        self._raw: list[str] = []
        self._widths = array("l")
        self._facts = bytearray()  # 0 = not computed, else 0x80 | line_facts
        self._first = 0
        self._max_width = 0
        self._clean: OrderedDict[int, CleanLine] = OrderedDict()
        self.levels = LevelMap(self.facts)

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
        return self._first + len(self._raw)

    def __len__(self) -> int:
        return len(self._raw)

    @property
    def max_width(self) -> int:
        """The widest kept line seen so far, in cells (never shrinks on drops)."""
        return self._max_width

    def raw(self, i: int) -> str:
        """The raw text of absolute line i."""
        return self._raw[i - self._first]

    def raw_slice(self, start: int, end: int) -> list[str]:
        """A copy of the raw lines `start:end` (absolute), safe to hand to a thread."""
        lo = max(start, self._first) - self._first
        return self._raw[lo : max(lo, end - self._first)]

    def raw_lines(self) -> Sequence[str]:
        """All kept raw lines (read-only view; do not keep across updates)."""
        return self._raw

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
        line = clean_line(self._raw[i - self._first])
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
            raw = self._raw[k]
            # Not through the render cache: a scan over every line would only churn it.
            f = 0x80 | line_facts(raw if is_simple(raw) else clean_line(raw).text)
            self._facts[k] = f
        return f & 0x7F

    def level(self, i: int) -> Level:
        """The level of absolute line i, traceback blocks included."""
        return self.levels.level(i)

    def next_error(self, after: int | None = None) -> int | None:
        """The first line of the next run of error lines after line `after` (None: from the
        top), so a traceback block counts once."""
        first = self._first
        start = first if after is None else max(first, after + 1)
        level, raw = self.level, self._raw
        for i in range(start, self.end):
            line = raw[i - first]
            if not may_be_error(line if is_simple(line) else clean_line(line).text):
                continue
            if level(i) is Level.ERROR and (i == first or level(i - 1) is not Level.ERROR):
                return i
        return None

    # --- writing -----------------------------------------------------------------------

    def reset(self, lines: Iterable[str] = ()) -> Change:
        """Replace everything with `lines`."""
        self._raw = []
        self._widths = array("l")
        self._facts = bytearray()
        self._first = 0
        self._max_width = 0
        self._clean.clear()
        self.levels.reset()
        dropped = self._add(list(lines))
        return Change(reset=True, start=self._first, dropped=dropped)

    def extend(self, lines: Sequence[str]) -> Change:
        """Append lines; returns where the new lines start."""
        start = self.end
        dropped = self._add(lines)
        return Change(reset=False, start=max(start, self._first), dropped=dropped)

    def replace_last(self, line: str) -> None:
        """Replace the newest line (a partial line that grew)."""
        if not self._raw:
            self._add([line])
            return
        last = self.end - 1
        self._raw[-1] = line
        width = line_width(line)
        self._widths[-1] = width
        self._max_width = max(self._max_width, width)
        self._facts[-1] = 0
        self._clean.pop(last, None)
        self.levels.truncate(last)

    def apply(self, delta: LogDeltaLike) -> Change:
        """Apply an engine delta."""
        if delta.reset:
            return self.reset(delta.lines)
        lines = delta.lines
        start = self.end
        if delta.replace_last and lines:
            start = max(self._first, start - 1) if self._raw else start
            self.replace_last(lines[0])
            lines = lines[1:]
        dropped = self._add(lines)
        return Change(reset=False, start=max(start, self._first), dropped=dropped)

    def _add(self, lines: Sequence[str]) -> int:
        """Append `lines`, then drop the oldest if over the cap; returns lines dropped."""
        if not lines:
            return 0
        target = self.cap - self.cap // 10  # drop in batches so drops are rare
        before = self._first
        if len(lines) > self.cap:
            # Lines that would be dropped straight away are never stored.
            skip = len(lines) - target
            self._drop(len(self._raw))
            self._first += skip
            self.levels.reset(self._first)
            lines = lines[skip:]
        widths = [line_width(line) for line in lines]
        self._raw.extend(lines)
        self._widths.extend(widths)
        self._facts.extend(bytes(len(lines)))
        self._max_width = max(self._max_width, max(widths))
        if len(self._raw) > self.cap:
            self._drop(len(self._raw) - target)
        return self._first - before

    def _drop(self, n: int) -> None:
        if n <= 0:
            return
        del self._raw[:n]
        del self._widths[:n]
        del self._facts[:n]
        self._first += n
        self.levels.drop_front(self._first)
        for key in [k for k in self._clean if k < self._first]:
            del self._clean[key]
