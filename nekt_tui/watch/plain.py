"""Plain-text rendering for the headless commands: aligned tables and optional ANSI colour.

Colour is plain SGR generated here, only when the stream is a terminal and NO_COLOR is not
set (https://no-color.org); the text it wraps has already been sanitised.
"""

from __future__ import annotations

import enum
import math
import os
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import TextIO

from nekt_tui.api.enums import RunStatus, UnknownValue
from nekt_tui.sanitize import sanitize

_SGR = {
    "header": "1",
    "success": "32",
    "failed": "31",
    "canceled": "33",
    "cancelling": "33",
    "running": "36",
    "queued": "34",
    "pending_events": "34",
    "unknown": "35",
}


class Painter:
    """Wraps text in an SGR colour, or leaves it alone when colour is off."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    @classmethod
    def for_stream(cls, stream: TextIO, environ: Mapping[str, str] | None = None) -> Painter:
        """Colour only for a terminal, and never with NO_COLOR set or TERM=dumb."""
        env = os.environ if environ is None else environ
        if env.get("NO_COLOR") or env.get("TERM") == "dumb":
            return cls(False)
        isatty = getattr(stream, "isatty", None)
        try:
            return cls(bool(isatty and isatty()))
        except (OSError, ValueError):
            return cls(False)

    def __call__(self, text: str, style: str | None) -> str:
        code = _SGR.get(style or "")
        if not self.enabled or code is None or not text:
            return text
        return f"\x1b[{code}m{text}\x1b[0m"


def status_text(status: RunStatus | UnknownValue | str | None) -> str:
    """A status as plain, safe text."""
    return enum_text(status)


def enum_text(value: object) -> str:
    """An enum-like field (known member, unknown value or None) as plain, safe text."""
    if value is None:
        return "-"
    if isinstance(value, enum.Enum):
        return str(value.value)
    return sanitize(str(value), single_line=True) or "-"


def format_time(when: datetime) -> str:
    """A timestamp in UTC, unambiguous in logs: 2026-01-15T12:00:05Z.

    A date UTC cannot hold (0001-01-01 at +23:59, 9999-12-31 west of UTC) is shown as
    sent, marked "(odd)": the server's data, never a crash."""
    try:
        # isoformat, not strftime: "%Y" prints year 1 as "1" on glibc.
        utc = when.astimezone(timezone.utc).replace(tzinfo=None)
        return f"{utc.isoformat(timespec='seconds')}Z"
    except (OverflowError, ValueError, OSError):
        try:
            return f"{when.isoformat(timespec='seconds')} (odd)"
        except (OverflowError, ValueError):  # pragma: no cover - isoformat does not fail
            return "-"


def format_duration(seconds: float) -> str:
    """45s, 3m05s, 2h03m; "-" for a number that is not one (inf, nan)."""
    if not math.isfinite(seconds):
        return "-"
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{secs}s"


def cell_width(text: str) -> int:
    """Terminal columns `text` takes (wide East Asian characters count two)."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def table(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    styles: Sequence[Sequence[str | None]],
    paint: Painter,
) -> str:
    """Columns aligned on display width, two spaces apart; colour added after padding."""
    widths = [cell_width(h) for h in header]
    for row in rows:
        widths = [max(w, cell_width(c)) for w, c in zip(widths, row, strict=True)]
    lines = [_line(header, ["header"] * len(header), widths, paint)]
    lines += [_line(row, style, widths, paint) for row, style in zip(rows, styles, strict=True)]
    return "".join(line + "\n" for line in lines)


def _line(cells: Sequence[str], styles: Sequence[str | None], widths: list[int], p: Painter) -> str:
    parts = []
    last = len(cells) - 1
    for i, (cell, style, width) in enumerate(zip(cells, styles, widths, strict=True)):
        pad = "" if i == last else " " * (width - cell_width(cell))
        parts.append(p(cell, style) + pad)
    return "  ".join(parts)
