"""One watched run as the UI knows it (`Row`), its status changes and its label.

Split from `model.py` (which still exports every name here): plain Python, no widgets.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from nekt_tui.api.enums import RunStatus, UnknownValue
from nekt_tui.api.errors import NektError
from nekt_tui.logview.digest import failure_digest
from nekt_tui.sanitize import sanitize
from nekt_tui.ui.state.names import clean_name
from nekt_tui.ui.state.status import look

if TYPE_CHECKING:
    from nekt_tui.api.models import Run
    from nekt_tui.watch.bandwidth import Pacing
    from nekt_tui.watch.provenance import Provenance

StatusValue = RunStatus | UnknownValue

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
    #: The search text and the name, pipeline and status it was made from.
    _search: tuple[str, str | None, StatusValue | None, str] | None = field(
        default=None, repr=False
    )
    #: `pipeline_name` and the run it was read from: sorting 10,000 rows by pipeline
    #: sanitised every name on every sort.
    _pipeline: tuple[Run | None, str | None] | None = field(default=None, repr=False)
    #: The pipeline order's key, the run and short-ID length it was made from.
    _pipeline_key: tuple[Run | None, int, tuple[str, int, int]] | None = field(
        default=None, repr=False
    )
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
    def pipeline_key(self) -> tuple[str, int, int]:
        """The pipeline order's key: (pipeline, else short ID, lower case; number; order added).

        The pipeline, not the label: this order is for seeing a pipeline's runs side by
        side, and a label would scatter them (the label is in the first column anyway)."""
        run, cached = self.run, self._pipeline_key
        if cached is not None and cached[0] is run and cached[1] == self.short_len:
            return cached[2]
        number = run.number if run is not None and run.number is not None else 0
        key = ((self.pipeline_name or self.short_id).lower(), number, self.seq)
        self._pipeline_key = (run, self.short_len, key)
        return key

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
        name, pipeline, status = self.name, self.pipeline_name, self.status
        cached = self._search
        # Kept while what it is made of stays the same: a new answer rarely renames a run
        # or changes its status, and filtering 10,000 rows just polled made each text again.
        if (
            cached is None
            or cached[0] is not name
            or cached[1] is not pipeline
            or cached[2] is not status
        ):
            parts = (name, pipeline or "", self.run_id, look(status).full)
            cached = self._search = (name, pipeline, status, " ".join(parts).lower())
        return cached[3]

    def touch(self) -> None:
        """Mark the row changed (drops cached text)."""
        self.version += 1
        self._name = None

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
        # Made now, while the answer is fresh in memory: a sort by pipeline right after
        # 10,000 answers read each one again from cold memory, 30 ms with the keys held.
        _ = self.pipeline_key


def _is_uuid(text: str) -> bool:
    """`text` is a UUID (an ID, not a name)."""
    if len(text) != 36:
        return False
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True
