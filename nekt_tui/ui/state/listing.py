"""The pipelines board and the recent-runs browser without Textual: their rows, the text of
each cell, the filter and the sort.

Both screens show one `ListRow` per pipeline or run. Everything the server sent is
sanitised once, when the row is made, so a redraw costs no sanitising and no cell can
hold markup or an escape sequence.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from nekt_tui.api.enums import RunStatus, TriggerType, UnknownValue
from nekt_tui.api.errors import NektError, RateLimitedError
from nekt_tui.api.models import PipelineTrigger, Run
from nekt_tui.discover.pipelines import PipelineRow, list_problem
from nekt_tui.sanitize import sanitize
from nekt_tui.ui import timefmt
from nekt_tui.ui.cron_text import read_cron
from nekt_tui.ui.state.model import Filter
from nekt_tui.ui.state.status import STATUS_LABELS, UNKNOWN, attention_rank, look

StatusValue = RunStatus | UnknownValue

#: Longest name kept for a row (what the server sends is untrusted).
NAME_MAX = 200
#: Sort orders of the board, in the order `s` moves through them.
BOARD_SORTS = ("status", "started")
SORT_TITLES = {"status": "status (failures first)", "started": "last start (newest first)"}


@dataclass(frozen=True, slots=True)
class ListRow:
    """One pipeline (board) or run (browser), as shown.

    `key` is unique in its list (a run's ID, or a pipeline's kind and ID or slug); `name`
    and `detail` (the pipeline's type, or the run's number) are sanitised text.
    """

    key: str
    run_id: str | None
    status: StatusValue | None
    name: str
    detail: str
    started: datetime | None
    ended: datetime | None
    duration: float | None
    triggers: tuple[PipelineTrigger, ...] = ()
    order: int = 0
    #: False: the pipeline is switched off (its triggers start nothing). None: not said.
    active: bool | None = None

    @property
    def search_text(self) -> str:
        """What filter words are matched against (lower case)."""
        off = " inactive" if self.active is False else ""
        status = look(self.status).full
        return f"{self.name} {self.detail} {status} {self.run_id or ''}{off}".lower()


def clean(text: str | None) -> str:
    """Server text for one cell: no escapes, no line breaks, not too long."""
    return sanitize(text or "", single_line=True)[:NAME_MAX]


def board_row(row: PipelineRow, order: int = 0) -> ListRow:
    """The board's row of one pipeline."""
    return ListRow(
        key=f"{row.kind}:{row.item_id or row.slug}",
        run_id=row.last_run_id,
        status=row.last_status,
        name=clean(row.slug) or "?",
        detail=row.kind_label,
        started=row.last_started,
        ended=row.last_ended,
        duration=row.duration,
        triggers=row.triggers,
        order=order,
        active=row.active,
    )


def run_row(run: Run, order: int = 0) -> ListRow:
    """The browser's row of one run."""
    duration: float | None = None
    if run.duration_seconds is not None:
        duration = float(run.duration_seconds)
    elif run.started_at is not None and run.ended_at is not None:
        duration = timefmt.between(run.started_at, run.ended_at)
    number = f"#{run.number}" if run.number is not None else clean(run.id[:8])
    return ListRow(
        key=run.id.lower(),
        run_id=run.id.lower(),
        status=run.status,
        name=clean(run.name) or "—",
        detail=number,
        started=run.started_at or run.created_at,
        ended=run.ended_at,
        duration=duration,
        order=order,
    )


# ---- cell text --------------------------------------------------------------------------


def started_text(row: ListRow, now: datetime) -> str:
    """`3m ago`, or "" when the run has not started (or never ran)."""
    return timefmt.ago(row.started, now) if row.started is not None else ""


def took_text(row: ListRow, now: datetime) -> str:
    """How long the run took; for one still going, how long it has run so far."""
    if row.duration is not None:
        return timefmt.span(row.duration)
    status = row.status
    if row.started is not None and isinstance(status, RunStatus) and not status.is_terminal:
        seconds = timefmt.between(row.started, now)
        return "" if seconds is None else timefmt.span(seconds)
    return ""


def next_fire_text(triggers: Sequence[PipelineTrigger], now: datetime) -> str:
    """When the pipeline's triggers fire next: `in 12m`, `on event`, or `manual` (no cron
    or event trigger)."""
    fires: list[datetime] = []
    cron = False
    for trigger in triggers:
        if trigger.type is TriggerType.CRON or trigger.cron_expression:
            cron = True
            reading = read_cron(trigger.cron_expression, trigger.cron_timezone, now, 1)
            if reading.fires:
                fires.append(reading.fires[0][0])
    if fires:
        return timefmt.ago(min(fires), now) or "—"
    if any(t.type is TriggerType.EVENT or t.events for t in triggers):
        return "on event"
    if cron:
        return "bad cron"
    return "manual"  # no trigger, or only manual and API ones


# ---- filter and sort --------------------------------------------------------------------


def status_problem(text: str) -> str | None:
    """Why a filter cannot be used (a status no row can have), or None."""
    wrong = sorted(Filter.parse(text).statuses - set(STATUS_LABELS))
    if not wrong:
        return None
    names = ", ".join(sanitize(name, single_line=True)[:32] for name in wrong)
    return f"Unknown status {names}: use {', '.join(STATUS_LABELS)}"


def matches(parsed: Filter, row: ListRow) -> bool:
    """Whether `row` passes a filter (words and `status:` as in the watch list)."""
    if parsed.statuses:
        shown = look(row.status)
        unknown = shown.key == UNKNOWN.key and UNKNOWN.label in parsed.statuses
        if shown.full.lower() not in parsed.statuses and not unknown:
            return False
    if not parsed.words:
        return True
    text = row.search_text
    return all(word in text for word in parsed.words)


def _sort_key(mode: str, row: ListRow) -> tuple[object, ...]:
    if mode == "status":
        return (attention_rank(row.status), row.name.lower(), row.order)
    if mode == "started":
        started = row.started
        stamp = 0.0
        if started is not None and not timefmt.is_odd(started):
            stamp = -started.timestamp()
        return (started is None, stamp, row.order)
    return (row.order,)


class Listing:
    """Rows with a filter and a sort; `view` is what the table shows, in order."""

    def __init__(self, sort: str = "loaded") -> None:
        self.rows: list[ListRow] = []
        self.view: list[ListRow] = []
        self.sort = sort
        self.filter_text = ""
        self._filter = Filter()
        self._index: dict[str, int] = {}

    def set_rows(self, rows: Iterable[ListRow]) -> None:
        """Replace every row (a new look at the list)."""
        self.rows = list(rows)
        self.rebuild()

    def set_filter(self, text: str) -> str | None:
        """Show only matching rows; a filter naming an unknown status changes nothing and
        returns why."""
        problem = status_problem(text)
        if problem is None:
            self.filter_text = text
            self._filter = Filter.parse(text)
            self.rebuild()
        return problem

    def set_sort(self, mode: str) -> None:
        """Order the rows by `mode` (`status`, `started`, or `loaded`)."""
        self.sort = mode
        self.rebuild()

    def rebuild(self) -> None:
        """Filter and sort again."""
        shown = [row for row in self.rows if matches(self._filter, row)]
        if self.sort != "loaded":
            shown.sort(key=lambda row: _sort_key(self.sort, row))
        self.view = shown
        self._index = {row.key: i for i, row in enumerate(shown)}

    def index_of(self, key: str) -> int | None:
        """Where the row with `key` is shown (None: hidden or gone)."""
        return self._index.get(key)

    @property
    def filtered(self) -> bool:
        """Whether a filter hides rows."""
        return bool(self._filter)


def fetch_problem(what: str, exc: BaseException) -> str:
    """One line for a list that could not be read at all (`what`: "the runs list"): the
    error may quote the server, so the line is sanitised."""
    return sanitize(_problem(what, exc), single_line=True)


def _problem(what: str, exc: BaseException) -> str:
    if isinstance(exc, RateLimitedError):
        wait = exc.retry_after
        when = f"after {timefmt.clock_time(exc.until)}" if exc.until is not None else "later"
        if exc.until is None and wait is not None:
            when = f"in {timefmt.span(wait)}"
        return f"{what}: rate limited by the API; trying again {when}"
    if isinstance(exc, NektError):
        return list_problem(what, exc)
    return f"{what} could not be read ({type(exc).__name__}); the watch list is unaffected"


def retry_delay(exc: BaseException, interval: float, now: datetime) -> float:
    """Seconds to wait before the next look: the interval, or a 429's whole window."""
    if isinstance(exc, RateLimitedError):
        wait = exc.retry_after
        if exc.until is not None:
            wait = max(wait or 0.0, (exc.until - now).total_seconds())
        return max(interval, wait or 0.0)
    return interval
