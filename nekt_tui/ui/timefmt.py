"""Short, human time text: "3m ago", "1h 02m", local clock times."""

from __future__ import annotations

from datetime import datetime, tzinfo


def compact(seconds: float) -> str:
    """One unit, rounded down: `12s`, `3m`, `2h`, `4d`."""
    s = max(0, int(seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m"
    if s < 86400:
        return f"{s // 3600}h"
    return f"{s // 86400}d"


def span(seconds: float) -> str:
    """A duration with two units: `42s`, `3m 04s`, `1h 02m`, `2d 03h`."""
    s = max(0, int(seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m {s % 60:02d}s"
    if s < 86400:
        return f"{s // 3600}h {s % 3600 // 60:02d}m"
    return f"{s // 86400}d {s % 86400 // 3600:02d}h"


def ago(then: datetime, now: datetime) -> str:
    """`3m ago`, `just now`, or `in 2m` for a time in the future."""
    delta = (now - then).total_seconds()
    if -1 < delta < 1:
        return "just now"
    if delta < 0:
        return f"in {compact(-delta)}"
    return f"{compact(delta)} ago"


def local(dt: datetime, now: datetime, zone: tzinfo | None = None) -> str:
    """Local wall time: `14:03:05` today, `2026-01-14 14:03` on another day.

    `zone` defaults to the system's local time zone (tests force TZ=UTC).
    """
    here = dt.astimezone(zone)
    today = now.astimezone(zone).date()
    if here.date() == today:
        return here.strftime("%H:%M:%S")
    return here.strftime("%Y-%m-%d %H:%M")


def clock_time(dt: datetime, zone: tzinfo | None = None) -> str:
    """`hh:mm:ss` in local time."""
    return dt.astimezone(zone).strftime("%H:%M:%S")


def clock_minutes(dt: datetime, zone: tzinfo | None = None) -> str:
    """`hh:mm` in local time."""
    return dt.astimezone(zone).strftime("%H:%M")
