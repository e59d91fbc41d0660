"""What the UI knows about each watched run, and the filtered, sorted view of them.

Plain Python (no widgets), so the list's logic is tested without a screen and a poll
costs O(changed rows), not O(all rows).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise
from operator import attrgetter
from typing import TYPE_CHECKING

from nekt_tui.api.enums import RunStatus, UnknownValue
from nekt_tui.api.errors import NektError
from nekt_tui.logview.digest import failure_digest
from nekt_tui.sanitize import sanitize
from nekt_tui.ui.state.names import clean_name
from nekt_tui.ui.state.status import STATUS_LABELS, UNKNOWN, attention_rank, look
from nekt_tui.ui.timefmt import is_odd

if TYPE_CHECKING:
    from nekt_tui.api.models import Run
    from nekt_tui.watch.bandwidth import Pacing
    from nekt_tui.watch.provenance import Provenance

StatusValue = RunStatus | UnknownValue

SORTS: tuple[str, ...] = ("added", "status", "pipeline", "started")
SORT_LABELS = {
    "added": "order added",
    "status": "status (failures first)",
    "pipeline": "pipeline",
    "started": "started (newest first)",
}

#: Status changes kept per run (newest): what the status panel lists. A run whose status
#: flaps for days must not grow without end.
HISTORY_KEPT = 50

#: The fewest characters of a run ID shown: what users know runs by (git shows 7).
SHORT_ID_MIN = 8

#: Longest label kept: a name for the list's first column, not a note.
LABEL_MAX = 60


def clean_label(text: str | None) -> str | None:
    """What the user typed as a label, made safe to show and save; None when blank.

    Any whitespace (a pasted tab or newline too) is one space, escape sequences go and
    other control characters become visible (as for server text); cut to `LABEL_MAX`.
    """
    spaced = " ".join((text or "").split())
    cleaned = " ".join(sanitize(spaced, single_line=True).split())[:LABEL_MAX].rstrip()
    return cleaned or None


@dataclass(frozen=True, slots=True)
class Transition:
    """One status change as the app saw it."""

    at: datetime
    old: StatusValue | None
    new: StatusValue


@dataclass(eq=False)
class Row:
    """One watched run: its latest data, its problems and its history."""

    run_id: str
    seq: int
    label: str | None = None
    saved_status: StatusValue | None = None
    run: Run | None = None
    error: NektError | None = None
    stale: bool = False
    last_success: datetime | None = None
    paused: bool = False
    history: list[Transition] = field(default_factory=list)
    #: When the first unanswered request for a slow run was sent (None: not slow).
    slow_since: datetime | None = None
    #: When the engine polls a failed run again (None: unknown, or only by hand).
    next_retry: datetime | None = None
    #: How much of the ID tells this run apart from every other watched one (see
    #: `WatchModel`): 8 characters, more when another watched ID shares them.
    short_len: int = 8
    #: Why a failed run failed: its log's last error, in one line (`failure_digest`).
    failure: str | None = None
    #: The follow rule that added the run (None: added by the user), shown as a marker.
    followed_by: str | None = None
    #: True until the first fetched status was compared with the saved one.
    awaiting_first: bool = True
    #: Bumped on every change, so a renderer can tell the row changed.
    version: int = 0
    #: Where the poll engine says when the run was last fetched (unchanged answers make
    #: no event, so the row alone would look staler than it is).
    fresh_source: Callable[[str], datetime | None] | None = field(default=None, repr=False)
    #: Where the poll engine says how the bandwidth budget paces the run (see `pacing`).
    pace_source: Callable[[str], Pacing | None] | None = field(default=None, repr=False)
    #: Where the run's log, pipeline and user came from, or why they are not available.
    provenance: Provenance | None = None
    _name: str | None = None
    _search: str | None = None
    #: `pipeline_name` and the run it was read from: sorting 10,000 rows by pipeline
    #: sanitised every name on every sort.
    _pipeline: tuple[Run | None, str | None] | None = field(default=None, repr=False)
    #: The log the digest was read from: read again only when the log changes.
    _digested: str | None = field(default=None, repr=False)

    @property
    def fresh_at(self) -> datetime | None:
        """When the API last answered for this run."""
        if self.fresh_source is not None:
            at = self.fresh_source(self.run_id)
            if at is not None:
                return at
        return self.last_success

    @property
    def pacing(self) -> Pacing | None:
        """How the bandwidth budget paces this run (large answers); None: not paced."""
        return None if self.pace_source is None else self.pace_source(self.run_id)

    @property
    def status(self) -> StatusValue | None:
        """The latest known status: fetched, else the one saved last session."""
        return self.run.status if self.run is not None else self.saved_status

    @property
    def name(self) -> str:
        """The display name, sanitised: the label, else the pipeline name, else the short ID."""
        if self._name is None:
            # The user's label wins: they set it on purpose, the slug is what the API says.
            label = sanitize(self.label, single_line=True) if self.label else ""
            self._name = label or self.pipeline_name or self.short_id
        return self._name

    @property
    def pipeline_name(self) -> str | None:
        """The pipeline slug (or the flat shape's name), sanitised; None before a fetch.

        A flat run's source/transformation/destination may be an ID: an ID is never shown
        as the name (the slug, once known from the run list or a pipeline list, is)."""
        run = self.run
        cached = self._pipeline
        if cached is not None and cached[0] is run:
            return cached[1]
        raw = run.name if run is not None else None
        if run is not None and raw and _is_uuid(raw):
            named = (run.source, run.transformation, run.destination)
            raw = next((n for n in named if n and not _is_uuid(n)), None)
        name = clean_name(raw) if raw else None
        self._pipeline = (run, name)
        return name

    @property
    def short_id(self) -> str:
        """The shortest start of the ID (8 characters at least) no other watched run has."""
        return self.run_id[: self.short_len]

    @property
    def number(self) -> str:
        """`#42` when the API gives a run number, else the short ID."""
        if self.run is not None and self.run.number is not None:
            return f"#{self.run.number}"
        return self.short_id

    @property
    def title(self) -> str:
        """How toasts name the run: `pipe-x #42` (the label, when set, instead of `pipe-x`)."""
        return self._titled(self.name)

    @property
    def pipeline_title(self) -> str:
        """`pipe-x #42` whatever the label: the status panel's heading."""
        return self._titled(self.pipeline_name or self.short_id)

    def _titled(self, name: str) -> str:
        if self.run is not None and self.run.number is not None:
            return f"{name} #{self.run.number}"
        if name == self.short_id:
            return name
        return f"{name} {self.short_id}"

    @property
    def search_text(self) -> str:
        """Lower-case text the filter matches against: label, pipeline, ID and status."""
        if self._search is None:
            parts = (self.name, self.pipeline_name or "", self.run_id, look(self.status).full)
            self._search = " ".join(parts).lower()
        return self._search

    def touch(self) -> None:
        """Mark the row changed (drops cached text)."""
        self.version += 1
        self._name = None
        self._search = None

    def set_run(self, run: Run, at: datetime) -> None:
        """Fresh data arrived."""
        self.run = run
        self.error = None
        self.stale = False
        self.slow_since = None
        self.next_retry = None
        self.last_success = at
        if run.status != RunStatus.FAILED:
            self.failure = self._digested = None
        elif run.parsed_log is not self._digested:
            # Once per log: a failed run's log rarely changes, and the search reads it
            # backwards from its end.
            self._digested = run.parsed_log
            self.failure = failure_digest(run.parsed_log)
        self.touch()


def _is_uuid(text: str) -> bool:
    """`text` is a UUID (an ID, not a name)."""
    if len(text) != 36:
        return False
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


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


def _sort_key(mode: str, row: Row) -> tuple[object, ...]:
    if mode == "status":
        rank: float = attention_rank(row.status)
        if row.error is not None or row.slow_since is not None:
            # A run whose polls fail (not found, refused, too large) needs attention as
            # much as a failure: right after the failures, not with the unfetched.
            rank = min(rank, 0.5)
        return (rank, row.seq)
    if mode == "pipeline":
        # The pipeline, not the label: this order is for seeing a pipeline's runs side by
        # side, and a label would scatter them (the label is in the first column anyway).
        number = row.run.number if row.run is not None and row.run.number is not None else 0
        return ((row.pipeline_name or row.short_id).lower(), number, row.seq)
    if mode == "started":
        started = row.run.started_at if row.run is not None else None
        if started is not None and is_odd(started):
            started = None  # a zero time or a year 9999 is no start to sort by
        # Newest first; runs that have not started go last, in the order added.
        return (started is None, -started.timestamp() if started else 0.0, row.seq)
    return (row.seq,)


@dataclass
class Filter:
    """A parsed filter: words that must all appear, and optionally a set of statuses."""

    words: tuple[str, ...] = ()
    statuses: frozenset[str] = frozenset()

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

    def matches(self, row: Row) -> bool:
        """Whether the row passes."""
        if self.statuses:
            shown = look(row.status)
            unknown = shown.key == UNKNOWN.key and UNKNOWN.label in self.statuses
            if shown.full.lower() not in self.statuses and not unknown:
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
        if self.sort != "added":
            rows = sorted(rows, key=lambda row: _sort_key(self.sort, row))
        self.view = [row.run_id for row in rows]
        self._index = {run_id: i for i, run_id in enumerate(self.view)}

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
