"""What the UI knows about each watched run, and the filtered, sorted view of them.

Plain Python (no widgets), so the list's logic is tested without a screen and a poll
costs O(changed rows), not O(all rows).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from nekt_tui.api.enums import RunStatus
from nekt_tui.sanitize import sanitize
from nekt_tui.ui.state.row import (
    HISTORY_KEPT,
    LABEL_MAX,
    SHORT_ID_MIN,
    Row,
    StatusValue,
    Transition,
    clean_label,
)
from nekt_tui.ui.state.status import STATUS_LABELS, UNKNOWN, attention_rank, look
from nekt_tui.ui.timefmt import is_odd

if TYPE_CHECKING:
    from nekt_tui.watch.bandwidth import Pacing

SORTS: tuple[str, ...] = ("added", "status", "pipeline", "started")
SORT_LABELS = {
    "added": "order added",
    "status": "status (failures first)",
    "pipeline": "pipeline",
    "started": "started (newest first)",
}


def _common(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def set_short_ids(rows: Iterable[Row]) -> int:
    """Give each row the shortest ID prefix no other row shares (at least `SHORT_ID_MIN`
    characters), like git's short hashes; returns the longest. O(n log n)."""
    ordered = sorted(rows, key=attrgetter("run_id"))
    ids = [row.run_id for row in ordered]
    # What each ID shares with the next, worked out once per pair (10,000 at start-up).
    after = [_common(a, b) for a, b in pairwise(ids)] + [0]
    longest = SHORT_ID_MIN
    before = 0
    for i, row in enumerate(ordered):
        shared = max(before, after[i])
        before = after[i]
        length = min(len(row.run_id), max(SHORT_ID_MIN, shared + 1))
        if length != row.short_len:
            row.short_len = length
            row.touch()
        longest = max(longest, length)
    return longest


#: The status order's key packs (rank, order added) into one number: numbers compare
#: several times faster than tuples, and a list sorted by status is sorted again on every
#: frame of changes (10,000 runs: 25 ms with tuples). Far above any count of runs added.
_SEQ_SPAN = float(2**40)


def _status_key(row: Row) -> float:
    run = row.run
    rank: float = attention_rank(run.status if run is not None else row.saved_status)
    if row.error is not None or row.slow_since is not None:
        # A run whose polls fail (not found, refused, too large) needs attention as
        # much as a failure: right after the failures, not with the unfetched.
        rank = min(rank, 0.5)
    return rank * _SEQ_SPAN + row.seq


def _started_key(row: Row) -> tuple[bool, float, int]:
    started = row.run.started_at if row.run is not None else None
    if started is not None and is_odd(started):
        started = None  # a zero time or a year 9999 is no start to sort by
    # Newest first; runs that have not started go last, in the order added.
    return (started is None, -started.timestamp() if started else 0.0, row.seq)


_SORT_KEYS: dict[str, Callable[[Row], Any]] = {
    "status": _status_key,
    "pipeline": attrgetter("pipeline_key"),  # kept per row (see `Row.pipeline_key`)
    "started": _started_key,
}


@dataclass
class Filter:
    """A parsed filter: words that must all appear, and optionally a set of statuses."""

    words: tuple[str, ...] = ()
    statuses: frozenset[str] = frozenset()
    #: Whether each status seen passes: 10,000 rows share a handful of statuses.
    _passes: dict[StatusValue | None, bool] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def parse(cls, text: str) -> Filter:
        """`status:failed,running word` or `is:failed`; words match label, pipeline, ID, status."""
        words: list[str] = []
        statuses: set[str] = set()
        for token in text.lower().split():
            key, sep, value = token.partition(":")
            if sep and key in ("status", "is"):
                # A bare `status:` is a filter being typed: it asks nothing yet.
                statuses.update(v for v in value.split(",") if v)
            else:
                words.append(token)
        return cls(tuple(words), frozenset(statuses))

    def __bool__(self) -> bool:
        return bool(self.words or self.statuses)

    def _status_passes(self, status: StatusValue | None) -> bool:
        shown = look(status)
        unknown = shown.key == UNKNOWN.key and UNKNOWN.label in self.statuses
        return shown.full.lower() in self.statuses or unknown

    def matches(self, row: Row) -> bool:
        """Whether the row passes."""
        if self.statuses:
            status = row.status
            passes = self._passes.get(status)
            if passes is None:
                passes = self._passes[status] = self._status_passes(status)
            if not passes:
                return False
        if not self.words:
            return True  # no search text to build (10,000 of them after a poll cycle)
        text = row.search_text
        return all(word in text for word in self.words)


class WatchModel:
    """Every watched run by ID, and the visible order after filter and sort."""

    def __init__(self) -> None:
        self.rows: dict[str, Row] = {}
        self.sort = SORTS[0]
        self.filter_text = ""
        self._filter = Filter()
        self.view: list[str] = []
        self._index: dict[str, int] = {}
        #: Each shown run's sort key at the last `rebuild_view` (see `order_moved`).
        self._keys: dict[str, Any] = {}
        self._seq = 0
        #: Given to every row (see `Row.fresh_at`).
        self.fresh_source: Callable[[str], datetime | None] | None = None
        #: Given to every row (see `Row.pacing`).
        self.pace_source: Callable[[str], Pacing | None] | None = None
        #: How many watched rows are paused, kept by `set_paused`/`remove`/`restore` so
        #: the header does not count 2,000 rows on every redraw.
        self.paused_runs = 0
        #: The longest short ID shown (the list's ID column is this wide).
        self.short_len = SHORT_ID_MIN
        self._short_dirty = False
        #: Runs marked for a bulk command, by ID (kept through filters and sorts).
        self.marks: set[str] = set()

    def __len__(self) -> int:
        return len(self.rows)

    def __contains__(self, run_id: object) -> bool:
        return run_id in self.rows

    def get(self, run_id: str) -> Row | None:
        """The row of `run_id`, if watched."""
        return self.rows.get(run_id)

    def add(
        self, run_id: str, label: str | None = None, saved_status: StatusValue | None = None
    ) -> Row:
        """Watch a run (at the end of the order added); an already watched run is kept."""
        row = self.rows.get(run_id)
        if row is None:
            self._seq += 1
            row = Row(run_id, self._seq, label=label, saved_status=saved_status)
            row.fresh_source = self.fresh_source
            row.pace_source = self.pace_source
            self.rows[run_id] = row
            self._short_dirty = True
        return row

    def remove(self, run_id: str) -> Row | None:
        """Stop watching; returns the row so it can be restored."""
        row = self.rows.pop(run_id, None)
        if row is not None and row.paused:
            self.paused_runs -= 1
        self.marks.discard(run_id)
        self._short_dirty = True
        return row

    def toggle_mark(self, run_id: str) -> bool:
        """Mark or unmark a watched run; whether it is now marked."""
        if run_id in self.marks or run_id not in self.rows:
            self.marks.discard(run_id)
            return False
        self.marks.add(run_id)
        return True

    def marked(self) -> list[str]:
        """The marked runs, in the order added (shown or hidden by the filter)."""
        return [run_id for run_id in self.rows if run_id in self.marks]

    def finished(self) -> list[str]:
        """The runs that ended (succeeded, failed or canceled), in the order added."""
        return [
            row.run_id
            for row in self.rows.values()
            if isinstance(row.status, RunStatus) and row.status.is_terminal
        ]

    def set_paused(self, row: Row, paused: bool) -> None:
        """Pause or resume one watched row (keeps `paused_runs` right)."""
        if row.paused != paused and row.run_id in self.rows:
            self.paused_runs += 1 if paused else -1
        row.paused = paused

    def restore(self, row: Row) -> None:
        """Put back a removed row, in its old place in the order added."""
        if row.run_id not in self.rows and row.paused:
            self.paused_runs += 1
        self.rows[row.run_id] = row
        self.rows = dict(sorted(self.rows.items(), key=lambda item: item[1].seq))
        self._short_dirty = True

    def set_filter(self, text: str) -> str | None:
        """Show only rows matching `text` (see `Filter.parse`).

        A filter naming a status no run can have changes nothing: it returns why instead
        (an unknown status from the server counts as one a run can have).
        """
        parsed = Filter.parse(text)
        wrong: list[str] = []
        if parsed.statuses - set(STATUS_LABELS):
            # Only a status the app does not know needs a look at every row's status.
            seen = {
                look(row.status).full.lower()
                for row in self.rows.values()
                if row.status is not None
            }
            wrong = sorted(parsed.statuses - set(STATUS_LABELS) - seen)
        if wrong:
            names = ", ".join(sanitize(name, single_line=True)[:32] for name in wrong)
            return f"Unknown status {names}: use {', '.join(STATUS_LABELS)}"
        self.filter_text = text
        self._filter = parsed
        return None

    def cycle_sort(self) -> str:
        """Move to the next sort mode and return it."""
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        return self.sort

    @property
    def filtered(self) -> bool:
        """Whether a filter is active."""
        return bool(self._filter)

    def order_depends_on_data(self) -> bool:
        """Whether a poll result can move a row (sort or filter looks at run data)."""
        return self.sort != "added" or bool(self._filter)

    def rebuild_view(self) -> None:
        """Recompute the visible order: O(n log n), done on structure changes, not per row."""
        if self._short_dirty:
            self._short_dirty = False
            self.short_len = set_short_ids(self.rows.values())
        rows: Iterable[Row] = self.rows.values()
        if self._filter:
            rows = [row for row in rows if self._filter.matches(row)]
        key = _SORT_KEYS.get(self.sort)
        if key is not None:
            keys = self._keys = {row.run_id: key(row) for row in rows}
            rows = sorted(rows, key=lambda row: keys[row.run_id])
        else:
            self._keys = {}
        self.view = [row.run_id for row in rows]
        self._index = {run_id: i for i, run_id in enumerate(self.view)}

    def order_moved(self, run_ids: Iterable[str]) -> bool:
        """Whether new data for these runs changes the view: a row's sort key moved, or
        the filter now hides or shows it. Most answers move nothing (a log grew, a time
        passed), and sorting 10,000 runs on every frame of them held keys for 25 ms."""
        key = _SORT_KEYS.get(self.sort)
        if key is None and not self._filter:
            return False
        rows, keys, index, flt = self.rows, self._keys, self._index, self._filter
        for run_id in run_ids:
            row = rows.get(run_id)
            if row is None:
                continue
            if flt and flt.matches(row) != (run_id in index):
                return True
            if key is not None and run_id in index and key(row) != keys.get(run_id):
                return True
        return False

    def index_of(self, run_id: str) -> int | None:
        """Position of a run in the visible order, if shown."""
        return self._index.get(run_id)

    def next_failed(self, after: int) -> str | None:
        """The next failed run shown after view position `after` (wrapping), or None."""
        view = self.view
        for step in range(1, len(view) + 1):
            run_id = view[(after + step) % len(view)]
            row = self.rows.get(run_id)
            if row is not None and row.status is RunStatus.FAILED:
                return run_id
        return None


# The run's own parts (`row.py`) are imported from here too.
__all__ = [
    "HISTORY_KEPT",
    "LABEL_MAX",
    "SHORT_ID_MIN",
    "SORTS",
    "SORT_LABELS",
    "Filter",
    "Row",
    "StatusValue",
    "Transition",
    "WatchModel",
    "clean_label",
    "set_short_ids",
]
