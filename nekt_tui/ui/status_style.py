"""Status colours for the theme: the `status-*` CSS variables, derived from the active theme.

What each status is called and how it ranks lives in `nekt_tui.ui.state.status` (no
Textual there); it is re-exported here for the widgets.
"""

from __future__ import annotations

from textual.color import Color

from nekt_tui.ui.state.status import LABEL_CELLS as LABEL_CELLS
from nekt_tui.ui.state.status import STATUS_KEYS as STATUS_KEYS
from nekt_tui.ui.state.status import STATUS_LABELS as STATUS_LABELS
from nekt_tui.ui.state.status import UNKNOWN as UNKNOWN
from nekt_tui.ui.state.status import StatusLook as StatusLook
from nekt_tui.ui.state.status import as_status as as_status
from nekt_tui.ui.state.status import attention_rank as attention_rank
from nekt_tui.ui.state.status import look as look
from nekt_tui.ui.state.status import status_text as status_text

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
