"""The one status palette: symbol, label and theme variable for every run status.

Colours are theme variables (`$status-running`, ...) derived from the active theme in
`status_variables`, so every Textual theme gets a matching palette, a theme may override
any of them, and under NO_COLOR the symbols still carry the meaning.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.color import Color

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


# Which generated theme colour each status takes when the theme does not set its own.
_DERIVED = {
    "status-running": "text-primary",
    "status-success": "text-success",
    "status-failed": "text-error",
    "status-cancelling": "text-warning",
}


# On a 16-colour terminal (TERM=screen, TERM=xterm) a theme colour becomes the nearest of
# 16: the soft reds and greens of most themes are nearest to white or grey there, and
# failed would look like success. There the colours are the standard palette's own, so
# the console sends the terminal's red and green: bright ones on a dark background,
# plain ones on a light background (bright yellow on white cannot be read).
_ANSI_DARK = {
    "status-failed": "#ff5555",
    "status-success": "#55ff55",
    "status-running": "#55ffff",
    "status-cancelling": "#ffff55",
    "status-unknown": "#ff55ff",
    "text-error": "#ff5555",
    "text-success": "#55ff55",
    "text-warning": "#ffff55",
}
_ANSI_LIGHT = {
    "status-failed": "#aa0000",
    "status-success": "#00aa00",
    "status-running": "#0000aa",
    "status-cancelling": "#aa5500",
    "status-unknown": "#aa00aa",
    "text-error": "#aa0000",
    "text-success": "#00aa00",
    "text-warning": "#aa5500",
}
#: Rich's names of the colour systems with 16 colours only.
SIXTEEN_COLOURS = ("standard", "windows")


def status_variables(variables: dict[str, str], *, sixteen: bool = False) -> dict[str, str]:
    """Fill in the `status-*` CSS variables from the theme's generated colours.

    A theme that defines a `status-*` variable keeps it. Muted statuses are blends of the
    theme's foreground and background, so they stay readable on light and dark themes.
    `sixteen` (a terminal of 16 colours) uses the standard palette's red, green, ... for
    the statuses and the error, success and warning text, whatever the theme says.
    """
    out = dict(variables)
    if sixteen:
        background = _parse(variables.get("background"), Color(18, 18, 18))
        out.update(_ANSI_DARK if background.brightness < 0.5 else _ANSI_LIGHT)
    for name, source in _DERIVED.items():
        out.setdefault(name, variables.get(source, variables.get("foreground", "white")))
    fg = Color.parse(variables.get("foreground", "#e0e0e0"))
    bg = Color.parse(variables.get("background", "#121212"))
    out.setdefault("status-pending", fg.blend(bg, 0.35).hex)
    out.setdefault("status-queued", fg.blend(bg, 0.25).hex)
    out.setdefault("status-canceled", fg.blend(bg, 0.5).hex)
    out.setdefault("status-none", fg.blend(bg, 0.55).hex)
    out.setdefault("nekt-dim", fg.blend(bg, 0.4).hex)
    magenta = Color.parse("#c061cb")
    out.setdefault("status-unknown", magenta.blend(fg, 0.2).hex)
    # Line-drawn rows need solid colours (no alpha): blend them here, once per theme.
    accent = _parse(variables.get("accent"), fg)
    out.setdefault("nekt-cursor", bg.blend(accent, 0.45).hex)
    out.setdefault("nekt-cursor-blur", bg.blend(fg, 0.15).hex)
    for key in STATUS_KEYS:
        colour = _parse(out.get(f"status-{key}"), fg)
        out.setdefault(f"status-{key}-flash", bg.blend(colour, 0.4).hex)
    return out


def _parse(value: str | None, fallback: Color) -> Color:
    try:
        return Color.parse(value) if value else fallback
    except Exception:  # a theme value that is not a plain colour ("auto 80%")
        return fallback
