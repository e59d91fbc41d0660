"""Engine events → changes to the UI model, collected until the next frame.

No Textual here: `EventReducer.apply` updates rows and the connection state and records
what the screen must do (redraw rows, flash, toast, ring); the app takes that batch once
per frame, so a burst of events costs one redraw.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal

from nekt_tui.alerts import Alert, alert_for, wants
from nekt_tui.api.enums import RunStatus
from nekt_tui.api.errors import ApiUnreachableError, NektError, RateLimitedError, SlowAnswerError
from nekt_tui.ui.state.connection import Connection, ConnKind
from nekt_tui.ui.state.model import HISTORY_KEPT, Row, StatusValue, Transition, WatchModel
from nekt_tui.ui.state.status import attention_rank, status_text
from nekt_tui.watch.events import (
    AuthProblem,
    Event,
    HostDown,
    PollFailed,
    RateLimited,
    Recovered,
    RunSlow,
    RunStale,
    RunUpdated,
    StatusChanged,
)
from nekt_tui.watch.log_delta import LogDelta

if TYPE_CHECKING:
    from nekt_tui.api.models import Run

AUTH_HELP = (
    "polling stopped. Press K to use another key now, R to retry this one, or fix it in "
    "NEKT_API_KEY / {config} and restart"
)


@dataclass
class Batch:
    """What changed since the last frame."""

    rows: set[str] = field(default_factory=set)
    transitions: list[tuple[Row, Transition]] = field(default_factory=list)
    logs: list[tuple[str, Run, LogDelta | None]] = field(default_factory=list)
    header: bool = False
    #: "While you were away" changes, set once: when every run saved with a status has
    #: been fetched (or failed).
    away_summary: list[Transition] | None = None
    #: The same changes with their rows, to name them.
    away_rows: list[tuple[Row, Transition]] = field(default_factory=list)
    #: Statuses to write to the watch list: run ID → (status, seen at).
    saved: dict[str, tuple[StatusValue, datetime]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(
            self.rows
            or self.transitions
            or self.logs
            or self.header
            or self.away_summary is not None
            or self.saved
        )


class EventReducer:
    """Applies engine events to the model and collects a `Batch` for the next frame."""

    def __init__(self, model: WatchModel, conn: Connection, config_hint: str = "the config file"):
        self.model = model
        self.conn = conn
        self._auth_help = AUTH_HELP.format(config=config_hint)
        self._batch = Batch()
        self._away_waiting: set[str] = set()
        self._away_armed = False
        self._away: list[tuple[Row, Transition]] = []

    def expect_away(self, run_ids: Iterable[str]) -> None:
        """Runs loaded with a saved status: their first fetch may be a "while you were away"."""
        self._away_waiting = set(run_ids)
        self._away_armed = bool(self._away_waiting)

    def forget(self, run_id: str) -> None:
        """A run was removed: it no longer holds up the away summary."""
        self._away_waiting.discard(run_id)
        self._check_away()

    def take(self) -> Batch:
        """The changes since the last call."""
        batch, self._batch = self._batch, Batch()
        return batch

    @property
    def pending(self) -> bool:
        """Whether anything is waiting to be drawn."""
        return bool(self._batch)

    def apply(self, event: Event) -> None:
        """Fold one event into the model and the pending batch."""
        # A poll cycle of 10,000 runs is 20,000 of these two: they skip the checks below.
        if type(event) is RunUpdated or type(event) is StatusChanged:
            row = self.model.rows.get(event.run_id)
            if row is not None:  # else removed while its answer was on the way
                self._batch.rows.add(row.run_id)
                if isinstance(event, RunUpdated):
                    self._updated(row, event)
                else:
                    self._status_changed(row, event.old, event.new, event.at)
            return
        if isinstance(event, AuthProblem):
            self._set_conn(
                ConnKind.AUTH, message=f"{event.error}; {self._auth_help}", error=event.error
            )
            return
        if isinstance(event, RateLimited):
            self._set_conn(ConnKind.RATE_LIMITED, until=event.until)
            return
        if isinstance(event, HostDown):
            # One line for the host, not a problem per run: every poll waits for `until`.
            since = self.conn.since if self.conn.kind is ConnKind.UNREACHABLE else None
            self._set_conn(
                ConnKind.UNREACHABLE, until=event.until, since=since or event.at, error=event.error
            )
            return
        if isinstance(event, Recovered) and event.run_id is None:
            ended_limit = event.scope == "rate_limit" and self.conn.kind is ConnKind.RATE_LIMITED
            ended_host = event.scope == "host" and self.conn.kind is ConnKind.UNREACHABLE
            if event.scope == "auth" or ended_limit or ended_host:
                self._set_conn(ConnKind.LIVE)
            return
        row = self.model.get(event.run_id) if event.run_id is not None else None
        if row is None:
            return  # removed while its answer was on the way
        self._batch.rows.add(row.run_id)
        if isinstance(event, RunUpdated):
            self._updated(row, event)
        elif isinstance(event, StatusChanged):
            self._status_changed(row, event.old, event.new, event.at)
        elif isinstance(event, PollFailed):
            self._failed(row, event)
        elif isinstance(event, RunSlow):
            if row.slow_since is None or event.waiting_since < row.slow_since:
                row.slow_since = event.waiting_since
            row.touch()
        elif isinstance(event, RunStale):
            row.stale = True
            row.last_success = event.last_success or row.last_success
            row.touch()
        elif isinstance(event, Recovered):
            row.error = None
            row.stale = False
            row.slow_since = None
            row.next_retry = None
            row.touch()

    def _set_conn(
        self,
        kind: ConnKind,
        *,
        until: datetime | None = None,
        since: datetime | None = None,
        message: str = "",
        error: NektError | None = None,
    ) -> None:
        self.conn.kind, self.conn.until, self.conn.since = kind, until, since
        self.conn.message, self.conn.error = message, error
        self._batch.header = True

    def _updated(self, row: Row, event: RunUpdated) -> None:
        if event.provenance is not None:
            row.provenance = event.provenance
        row.set_run(event.run, event.at)
        if self.conn.kind in (ConnKind.CONNECTING, ConnKind.UNREACHABLE):
            self._set_conn(ConnKind.LIVE)
        if row.awaiting_first and event.run.status == row.saved_status:
            row.awaiting_first = False  # no StatusChanged follows: nothing changed
            self._settled(row.run_id)
        self._batch.logs.append((row.run_id, event.run, event.log_delta))

    def _status_changed(
        self, row: Row, old: StatusValue | None, new: StatusValue, at: datetime
    ) -> None:
        first = row.awaiting_first
        row.awaiting_first = False
        transition = Transition(at, old, new)
        history = row.history
        history.append(transition)
        if len(history) > HISTORY_KEPT:
            del history[: len(history) - HISTORY_KEPT]
        row.touch()
        self._batch.saved[row.run_id] = (new, at)
        if old is None:
            pass  # the first sight of a run added without a status: not a change
        elif first:
            self._away.append((row, transition))
        else:
            self._batch.transitions.append((row, transition))
        if first:
            self._settled(row.run_id)

    def _failed(self, row: Row, event: PollFailed) -> None:
        row.error = event.error
        row.next_retry = event.next_retry
        if isinstance(event.error, SlowAnswerError):
            if row.slow_since is None:
                row.slow_since = event.at - timedelta(seconds=max(0.0, event.error.waited))
        else:
            row.slow_since = None  # an answer came, if not the run
        row.touch()
        # Before any answer one failure says the API cannot be reached; once live, one run
        # timing out is that run's problem: the engine says when the host is down.
        if isinstance(event.error, ApiUnreachableError) and self.conn.kind is ConnKind.CONNECTING:
            self._set_conn(ConnKind.UNREACHABLE, since=event.at)
        if (
            isinstance(event.error, RateLimitedError)
            and self.conn.kind is not ConnKind.RATE_LIMITED
        ):
            until = event.error.until or event.next_retry
            if until is not None:
                self._set_conn(ConnKind.RATE_LIMITED, until=until)
        self._settled(row.run_id)

    def _settled(self, run_id: str) -> None:
        if run_id in self._away_waiting:
            self._away_waiting.discard(run_id)
            self._check_away()

    def _check_away(self) -> None:
        if self._away_armed and not self._away_waiting:
            self._away_armed = False
            self._batch.away_summary = [transition for _, transition in self._away]
            self._batch.away_rows = list(self._away)


def transition_text(row: Row, transition: Transition) -> str:
    """`pipe-x #42 running → failed — KeyError: 'id'` (the name is already sanitised; a
    failure ends with why, when its log says)."""
    text = f"{row.title} {status_text(transition.old)} → {status_text(transition.new)}"
    if transition.new == RunStatus.FAILED and row.failure is not None:
        text += f" — {row.failure}"
    return text


def alerts_of(batch: Batch, policy: str = "all") -> list[Alert]:
    """The frame's status changes that the `notify` policy tells about, as alerts for the
    notifier: named as the toast names them, a failure with its digest. The "while you
    were away" changes are not among them: the user is at the screen reading them. Only
    the wanted ones are built: 10,000 runs changing at once cost 60 ms of text cleaning."""
    return [
        alert_for(row.run, t.old, t.new, name=row.title, label=row.label, failure=row.failure)
        for row, t in batch.transitions
        if row.run is not None and wants(policy, t.new)
    ]


_OUTCOME_WORDS = {
    RunStatus.SUCCESS: "succeeded",
    RunStatus.FAILED: "failed",
    RunStatus.CANCELED: "canceled",
    RunStatus.RUNNING: "started running",
    RunStatus.CANCELLING: "cancelling",
    RunStatus.QUEUED: "queued",
    RunStatus.PENDING_EVENTS: "waiting for events",
}
_OUTCOME_ORDER = [*_OUTCOME_WORDS.values(), "changed to an unknown status"]


def _outcome(new: StatusValue) -> str:
    if isinstance(new, RunStatus):
        return _OUTCOME_WORDS.get(new, "changed to an unknown status")
    return "changed to an unknown status"


def summary(transitions: Iterable[Transition]) -> str:
    """`2 succeeded, 1 failed` for a set of transitions."""
    counts: dict[str, int] = {}
    for transition in transitions:
        word = _outcome(transition.new)
        counts[word] = counts.get(word, 0) + 1
    return ", ".join(f"{counts[w]} {w}" for w in _OUTCOME_ORDER if w in counts)


#: How many runs the "while you were away" toast names; the rest are counted.
AWAY_NAMED = 3


def away_text(changes: Sequence[tuple[Row, Transition]]) -> str:
    """`While you were away: 2 succeeded, 1 failed: pipe-x #42 failed, pipe-y #7 succeeded,
    and 1 more. Press J to go to the failed runs.` Failures are named first."""
    ordered = sorted(enumerate(changes), key=lambda item: (attention_rank(item[1][1].new), item[0]))
    named = [f"{row.title} {_outcome(t.new)}" for _, (row, t) in ordered[:AWAY_NAMED]]
    rest = len(changes) - len(named)
    if rest:
        named.append(f"and {rest} more")
    text = f"While you were away: {summary(t for _, t in changes)}: {', '.join(named)}."
    if any(t.new is RunStatus.FAILED for _, t in changes):
        text += " Press J to go to the failed runs."
    return text


Severity = Literal["information", "warning", "error"]


def severity(statuses: Iterable[StatusValue]) -> Severity:
    """The toast severity for transitions to these statuses."""
    found = set(statuses)
    if RunStatus.FAILED in found:
        return "error"
    if found & {RunStatus.CANCELED, RunStatus.CANCELLING}:
        return "warning"
    return "information"


def should_ring(policy: str, statuses: Iterable[StatusValue]) -> bool:
    """Bell policy: `off`, `failures` (to failed), `terminal` (to any end state), `all`."""
    if policy == "off":
        return False
    found = list(statuses)
    if policy == "all":
        return bool(found)
    if policy == "terminal":
        return any(isinstance(s, RunStatus) and s.is_terminal for s in found)
    return RunStatus.FAILED in found


#: More transitions than this in one frame become one summary toast.
TOAST_LIMIT = 3


def toasts(batch: Batch) -> list[tuple[str, Severity, float | None]]:
    """What one frame says, as (text, severity, timeout or None for the default): each
    change, or one summary of many; and the "while you were away" summary once."""
    changes = [t for _, t in batch.transitions]
    out: list[tuple[str, Severity, float | None]]
    if len(changes) > TOAST_LIMIT:
        out = [
            (
                f"{len(changes)} runs changed: {summary(changes)}",
                severity(t.new for t in changes),
                None,
            )
        ]
    else:
        out = [(transition_text(row, t), severity([t.new]), None) for row, t in batch.transitions]
    if batch.away_summary:
        out.append((away_text(batch.away_rows), severity(t.new for t in batch.away_summary), 20))
    return out
