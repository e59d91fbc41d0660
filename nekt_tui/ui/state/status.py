"""The one status palette: symbol, label and theme variable for every run status.

Colours are theme variables (`$status-running`, ...) derived from the active theme in
`status_variables`, so every Textual theme gets a matching palette, a theme may override
any of them, and under NO_COLOR the symbols still carry the meaning.
"""

from __future__ import annotations

from dataclasses import dataclass

from nekt_tui.api.enums import RunStatus, UnknownValue
from nekt_tui.sanitize import sanitize


@dataclass(frozen=True)
class StatusLook:
    """How one status is shown: a key for styles, a symbol and a short label."""

    key: str
    symbol: str
    label: str
    #: The whole name (an unknown status's label is cut to fit a column): what filters match.
    name: str = ""

    @property
    def full(self) -> str:
        """The whole status name."""
        return self.name or self.label


_LOOKS: dict[RunStatus, StatusLook] = {
    RunStatus.PENDING_EVENTS: StatusLook("pending", "…", "pending"),
    RunStatus.QUEUED: StatusLook("queued", "◌", "queued"),
    RunStatus.RUNNING: StatusLook("running", "●", "running"),
    RunStatus.SUCCESS: StatusLook("success", "✔", "success"),
    RunStatus.FAILED: StatusLook("failed", "✖", "failed"),
    RunStatus.CANCELLING: StatusLook("cancelling", "◐", "cancelling"),
    RunStatus.CANCELED: StatusLook("canceled", "⊘", "canceled"),
}
UNKNOWN = StatusLook("unknown", "?", "unknown")
#: The statuses a filter can name (`status:failed`): every known label, and `unknown`.
STATUS_LABELS: tuple[str, ...] = (*(look.label for look in _LOOKS.values()), UNKNOWN.label)
#: A run not fetched yet.
NOT_YET = StatusLook("none", "·", "")

#: Every style key, in lifecycle order (CSS component classes are named after them).
STATUS_KEYS: tuple[str, ...] = (*(look.key for look in _LOOKS.values()), UNKNOWN.key, NOT_YET.key)

#: Widest status label shown; an unknown status's longer name is cut with `…`.
LABEL_CELLS = 16
#: Longest unknown status name kept at all (what the server sends is untrusted).
LABEL_MAX_NAME = 64

# Order for "sort by status": what needs attention first.
_ATTENTION = {
    RunStatus.FAILED: 0,
    RunStatus.CANCELLING: 1,
    RunStatus.RUNNING: 2,
    RunStatus.QUEUED: 3,
    RunStatus.PENDING_EVENTS: 4,
    RunStatus.CANCELED: 6,
    RunStatus.SUCCESS: 7,
}


def look(status: RunStatus | UnknownValue | str | None) -> StatusLook:
    """The look of a status; None is a run not fetched yet, anything unknown is `?`."""
    if status is None:
        return NOT_YET
    if isinstance(status, RunStatus):
        return _LOOKS[status]
    try:
        return _LOOKS[RunStatus(str(status))]
    except ValueError:
        # The value came from the server: shown, but sanitised and short (a cut says so).
        name = sanitize(str(status), single_line=True)[:LABEL_MAX_NAME] or UNKNOWN.label
        label = name if len(name) <= LABEL_CELLS else name[: LABEL_CELLS - 1] + "…"
        return StatusLook(UNKNOWN.key, UNKNOWN.symbol, label, name)


def attention_rank(status: RunStatus | UnknownValue | None) -> int:
    """Sort key for the status sort: failures first, finished successes last."""
    if status is None:
        return 8
    if isinstance(status, RunStatus):
        return _ATTENTION[status]
    return 5


def as_status(value: str | None) -> RunStatus | UnknownValue | None:
    """A saved status string back to a status (unknown strings stay unknown)."""
    if value is None:
        return None
    try:
        return RunStatus(value)
    except ValueError:
        return UnknownValue(value)


def status_text(status: RunStatus | UnknownValue | None) -> str:
    """Plain text of a status for toasts and history: `failed`, or the unknown value."""
    if status is None:
        return "new"
    return look(status).label
