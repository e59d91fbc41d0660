"""The status panel: everything the API said about the selected run, and its history."""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from textual.content import Content

from nekt_tui.api.enums import RunStatus
from nekt_tui.api.errors import (
    AnswerTooLargeError,
    AuthenticationError,
    InvalidRunIdError,
    RunNotFoundError,
)
from nekt_tui.sanitize import sanitize
from nekt_tui.ui import timefmt
from nekt_tui.ui.state.connection import Connection, ConnKind
from nekt_tui.ui.state.model import Row
from nekt_tui.ui.status_style import look
from nekt_tui.ui.widgets.content_view import ContentView
from nekt_tui.ui.widgets.row_text import pace_text
from nekt_tui.watch.provenance import DETAIL, EXPAND

if TYPE_CHECKING:
    from nekt_tui.api.models import Run
    from nekt_tui.watch.provenance import Provenance

Part = str | tuple[str, str] | Content
LABEL_WIDTH = 11


def enum_text(value: object) -> str:
    """An open-enum field as text: the known value, or the sanitised unknown one."""
    if value is None:
        return ""
    if isinstance(value, enum.Enum):
        return str(value.value)
    return sanitize(str(value), single_line=True)


def problem_text(row: Row, now: datetime) -> str | None:
    """What went wrong with the run's latest poll, in a few words; None when nothing did.

    `slow: waiting 45s for its answer`, `not found`, `server error, next try 14:03:12`,
    `answer too large (over 256 MB): not read`. The app's header and the log panel say
    the same words (see `NektCore.run_problem`).
    """
    if row.slow_since is not None:
        waited = timefmt.compact((now - row.slow_since).total_seconds())
        return f"slow: waiting {waited} for its answer"
    error = row.error
    if error is None:
        return None
    if isinstance(error, AnswerTooLargeError):
        return f"answer too large (over {error.limit_bytes / (1 << 20):g} MB): not read"
    if isinstance(error, AuthenticationError):
        return "the API key was refused"
    if isinstance(error, (RunNotFoundError, InvalidRunIdError)):
        return error.short
    if row.next_retry is not None:
        return f"{error.short}, next try {timefmt.moment(row.next_retry, now)}"
    return error.short


def status_part(status: RunStatus | str | None, *, bold: bool = False) -> tuple[str, str]:
    """A status as a (symbol + label, style) part in the status palette."""
    shown = look(status)
    style = f"$status-{shown.key}" + (" bold" if bold else "")
    return (f"{shown.symbol} {shown.label or 'not fetched yet'}", style)


def line(label: str, *parts: Part) -> Content:
    """One `label  value` line; values are plain text or already-built parts."""
    return Content.assemble((label.ljust(LABEL_WIDTH), "$text-muted"), *parts, end="\n")


def when(dt: datetime | None, now: datetime) -> Part:
    """A time as local time plus relative, or an em dash when absent."""
    if dt is None:
        return ("—", "$text-muted")
    relative = timefmt.ago(dt, now)  # "" for an odd date: no "2914000d ago"
    return Content.assemble(
        timefmt.local(dt, now), (f" ({relative})" if relative else "", "$text-muted")
    )


def duration(run: Run, now: datetime) -> str:
    """The run's duration, or how long it has been going."""
    if run.duration_seconds is not None:
        return timefmt.span(run.duration_seconds)
    if run.started_at is None:
        return "not started"
    if run.ended_at is not None:
        seconds = timefmt.between(run.started_at, run.ended_at)
        return timefmt.NONE if seconds is None else timefmt.span(seconds)
    seconds = timefmt.between(run.started_at, now)
    return timefmt.NONE if seconds is None else timefmt.span(seconds) + " so far"


def trigger_text(run: Run) -> str:
    """`cron 0 3 * * * (Europe/Paris)`, `event (rule any)`, `manual`: all sanitised."""
    kind = enum_text(run.trigger_type) or (enum_text(run.trigger.type) if run.trigger else "")
    bits = [kind] if kind else []
    trig = run.trigger
    if trig is not None:
        if trig.cron_expression:
            bits.append(sanitize(trig.cron_expression, single_line=True))
        if trig.cron_timezone:
            bits.append(f"({sanitize(trig.cron_timezone, single_line=True)})")
        if trig.event_rule is not None:
            bits.append(f"rule {enum_text(trig.event_rule)}")
    return " ".join(bits) or "—"


def who_text(run: Run, prov: Provenance | None = None) -> str:
    """Who triggered the run: a user's name and email, a token's description, or an ID.

    A user named by another source than the detail says so ("(from expand)"); a user
    known only by ID says why (`prov.user_problem`). Never the token value (the model
    does not even keep it in its dump)."""
    by = run.triggered_by
    parts: list[str] = []
    if isinstance(by, int):
        why = prov.user_problem if prov is not None else None
        parts.append(f"user #{by}" + (f" ({sanitize(why, single_line=True)})" if why else ""))
    elif by is not None:
        name = sanitize(by.full_name, single_line=True)
        email = sanitize(by.email, single_line=True) if by.email else ""
        who = f"{name} <{email}>" if name and email else name or email or "a user"
        origin = prov.user if prov is not None else None
        if origin is not None and origin.source != DETAIL:
            the = "" if origin.source == EXPAND else "the "
            who += f" (from {the}{origin.source})"
        parts.append(who)
    token = run.triggered_by_token
    if token is not None:
        if token.description:
            parts.append(f"API token “{sanitize(token.description, single_line=True)}”")
        elif token.id:
            parts.append(f"API token {sanitize(token.id, single_line=True)[:8]}")
    return ", via ".join(parts) or "—"


def money(value: Decimal | None) -> str | None:
    """`$0.12` for a cost."""
    return None if value is None else f"${value:,.2f}"


def conn_problem(conn: Connection | None, *, short: bool = False) -> str | None:
    """Why no run can have data now (the key refused, no key), or None; `short` for a
    heading."""
    if conn is None:
        return None
    if conn.kind is ConnKind.AUTH:
        if short:
            return "API key refused"
        return "the API key was refused: press K to use another key, R to retry this one"
    if conn.kind is ConnKind.NO_KEY:
        return "no API key" if short else "no API key: press K to enter one"
    return None


def status_content(row: Row | None, now: datetime, conn: Connection | None = None) -> Content:
    """The status panel's text for a row (or a hint when nothing is selected)."""
    if row is None:
        return Content.assemble(("No run selected. ", "$text-muted"), "Press a to add runs.")
    run = row.run
    problem = problem_text(row, now)
    headline = problem
    if run is None and problem is None:
        problem = conn_problem(conn)
        headline = conn_problem(conn, short=True)
    # The heading names the pipeline even when a label names the row in the list.
    heading = row.pipeline_title
    if row.status is None and headline is not None:
        # Not "not fetched yet": the polls were answered (or not) and that is news.
        first: Part = (f"! {headline}", "$text-warning bold")
    else:
        first = status_part(row.status, bold=True)
    out: list[Content] = [Content.assemble(first, "  ", (heading, "bold"), end="\n")]
    if row.failure is not None:
        # Why it failed, before anything else: the cause is what the on-call reads first.
        out.append(Content.assemble((row.failure, "$text-error"), end="\n"))
    if row.label:
        out.append(line("Label", (sanitize(row.label, single_line=True), "bold")))
    out.append(line("ID", row.run_id))
    if run is None:
        out.append(line("Data", _data_state(row, now, problem)))
        if row.saved_status is not None:
            out.append(
                line("Last seen", status_part(row.saved_status), ("  (saved)", "$text-muted"))
            )
    else:
        if run.number is not None:
            out.append(line("Run", f"#{run.number}"))
        out += [
            line("Created", when(run.created_at, now)),
            line("Started", when(run.started_at, now)),
            line("Ended", when(run.ended_at, now)),
            line("Duration", duration(run, now)),
            line("Trigger", trigger_text(run)),
            line("By", who_text(run, row.provenance)),
        ]
        if run.full_sync is not None:
            out.append(line("Full sync", "yes" if run.full_sync else "no"))
        costs = [
            f"{name} {text}"
            for name, text in (
                ("extract/load", money(run.el_cost_usd)),
                ("transformation", money(run.transformation_cost_usd)),
            )
            if text is not None
        ]
        if run.credit_charge_status is not None:
            costs.append(f"credits {enum_text(run.credit_charge_status)}")
        if costs:
            out.append(line("Costs", " · ".join(costs)))
        out.append(line("Data", _data_state(row, now, problem)))
    if row.error is not None:
        out.append(line("Problem", (sanitize(str(row.error), single_line=True), "$text-error")))
    out += pace_lines(row)
    out.append(
        Content.assemble(("History", "$text-muted"), (" (newest first)", "$text-muted"), end="\n")
    )
    if not row.history:
        out.append(Content.assemble(("  no changes seen yet", "$text-muted"), end="\n"))
    for change in reversed(row.history):
        if change.old is None:
            step: list[Part] = [("first seen ", "$text-muted"), status_part(change.new)]
        else:
            step = [status_part(change.old), " → ", status_part(change.new)]
        out.append(
            Content.assemble(
                "  ", (timefmt.local(change.at, now), "$text-muted"), "  ", *step, end="\n"
            )
        )
    return Content("").join(out)


def pace_lines(row: Row) -> list[Content]:
    """The line saying the bandwidth budget polls this run less often (none if not)."""
    text = pace_text(row)
    if text is None:
        return []
    return [line("Polling", (text, "$text-warning"), ("  (max_bandwidth)", "$text-muted"))]


def _data_state(row: Row, now: datetime, problem: str | None) -> Part:
    if row.paused:
        return ("paused (p resumes)", "$text-warning")
    if row.slow_since is not None and problem is not None:
        return (problem, "$text-warning")
    fresh = row.fresh_at
    if fresh is None and problem is not None:
        return (f"no data: {problem}", "$text-warning")
    if row.stale and fresh is not None:
        return (f"stale: last fresh data {timefmt.ago(fresh, now)}", "$text-warning")
    if fresh is None:
        return ("not fetched yet", "$text-muted")
    if isinstance(row.status, RunStatus) and row.status.is_terminal:
        # A finished run never changes: how fresh its data is does not matter, and a line
        # that does not tick every second lets an idle screen stay still.
        return f"final, fetched {timefmt.local(fresh, now)}"
    return f"fetched {timefmt.ago(fresh, now)}"


class RunTextPanel(ContentView, can_focus=True):
    """A scrollable panel with one text built from the selected row.

    The text is rebuilt on data changes and on the 1 s tick, but redrawn only when its
    text or colours changed (relative times move every second). A longer text (one more
    history line per status change) only moves the scroll range: the screen is not laid
    out again.
    """

    TITLE = ""

    def __init__(
        self,
        now: Callable[[], datetime],
        *,
        conn: Callable[[], Connection] | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id, classes="panel")
        self._now = now
        self._conn = conn
        self._row: Row | None = None
        self._shown: tuple[str, tuple[object, ...]] | None = None
        self.border_title = self.TITLE

    @property
    def conn(self) -> Connection | None:
        """The app's connection state, when the panel was given it."""
        return self._conn() if self._conn is not None else None

    def build(self, row: Row | None, now: datetime) -> Content:
        """The panel's text for this row at this time."""
        raise NotImplementedError

    def show(self, row: Row | None) -> None:
        """Show this row (None: nothing selected); redraws only when the text changed."""
        self._row = row
        self.refresh_text()

    def refresh_text(self) -> None:
        """Rebuild the text; redraw only if it changed."""
        content = self.build(self._row, self._now())
        # Content's == compares text only; a colour change must redraw too.
        key = (content.plain, tuple(content.spans))
        if key != self._shown:
            self._shown = key
            self.set_content(content)


class StatusPanel(RunTextPanel):
    """The selected run's status, times, trigger, costs and transition history."""

    TITLE = "Status"

    def build(self, row: Row | None, now: datetime) -> Content:
        """`status_content` for the row."""
        return status_content(row, now, self.conn)
