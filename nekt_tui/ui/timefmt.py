"""Short, human time text: "3m ago", "1h 02m", local clock times.

Every function here is total: a date the server sends may be one local time cannot hold
(Go's zero time `0001-01-01T00:00:00Z` west of UTC, `9999-12-31T23:59:59Z` east of it, an
offset like `+23:59` at either end). Such a date is shown as sent and marked odd, never
raised: one bad date must not take down the screen.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta, tzinfo

#: Dates outside these years are not a real run's: shown as sent, marked odd.
SANE_YEARS = range(1970, 3000)
#: What a time that cannot be shown at all is shown as.
NONE = "—"
_FAILURES = (OverflowError, ValueError, OSError)


def is_odd(dt: datetime) -> bool:
    """Whether a server date is outside any real run's time (a zero time, a year 9999)."""
    return dt.year not in SANE_YEARS


def as_sent(dt: datetime) -> str:
    """`0001-01-01 00:00 UTC (odd date)`: the date in its own offset, never converted."""
    try:
        offset = dt.utcoffset()
        if offset is None or offset == timedelta(0):
            zone = "UTC"
        else:
            minutes = int(offset.total_seconds() // 60)
            sign = "+" if minutes >= 0 else "-"
            zone = f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
        day = f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d}"
        return f"{day} {dt.hour:02d}:{dt.minute:02d} {zone} (odd date)"
    except _FAILURES:  # a tzinfo that cannot say its offset
        return NONE


def _seconds(value: float) -> int | None:
    """Whole seconds, or None for what is not a number of seconds (inf, nan)."""
    try:
        return max(0, int(value)) if math.isfinite(value) else None
    except (TypeError, *_FAILURES):
        return None


def compact(seconds: float) -> str:
    """One unit, rounded down: `12s`, `3m`, `2h`, `4d`."""
    s = _seconds(seconds)
    if s is None:
        return NONE
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m"
    if s < 86400:
        return f"{s // 3600}h"
    return f"{s // 86400}d"


def span(seconds: float) -> str:
    """A duration with two units: `42s`, `3m 04s`, `1h 02m`, `2d 03h`."""
    s = _seconds(seconds)
    if s is None:
        return NONE
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m {s % 60:02d}s"
    if s < 86400:
        return f"{s // 3600}h {s % 3600 // 60:02d}m"
    return f"{s // 86400}d {s % 86400 // 3600:02d}h"


def between(start: datetime, end: datetime) -> float | None:
    """Seconds from `start` to `end`, or None when either is an odd date."""
    if is_odd(start) or is_odd(end):
        return None
    try:
        return (end - start).total_seconds()
    except _FAILURES:
        return None


def ago(then: datetime, now: datetime) -> str:
    """`3m ago`, `just now`, or `in 2m` for a time in the future; "" for an odd date."""
    delta = between(then, now)
    if delta is None:
        return ""
    if -1 < delta < 1:
        return "just now"
    if delta < 0:
        return f"in {compact(-delta)}"
    return f"{compact(delta)} ago"


def _here(dt: datetime, zone: tzinfo | None) -> datetime | None:
    if is_odd(dt):
        return None
    try:
        return dt.astimezone(zone)
    except _FAILURES:
        return None


def local(dt: datetime, now: datetime, zone: tzinfo | None = None) -> str:
    """Local wall time: `14:03:05` today, `2026-01-14 14:03` on another day.

    `zone` defaults to the system's local time zone (tests force TZ=UTC). An odd date is
    shown as sent (see `as_sent`).
    """
    here = _here(dt, zone)
    today = _here(now, zone)
    if here is None or today is None:
        return as_sent(dt)
    if here.date() == today.date():
        return here.strftime("%H:%M:%S")
    return here.strftime("%Y-%m-%d %H:%M")


def clock_time(dt: datetime, zone: tzinfo | None = None) -> str:
    """`hh:mm:ss` in local time (an odd date as sent)."""
    here = _here(dt, zone)
    return as_sent(dt) if here is None else here.strftime("%H:%M:%S")


def clock_minutes(dt: datetime, zone: tzinfo | None = None) -> str:
    """`hh:mm` in local time (an odd date as sent)."""
    here = _here(dt, zone)
    return as_sent(dt) if here is None else here.strftime("%H:%M")


def moment(dt: datetime, now: datetime, zone: tzinfo | None = None) -> str:
    """`14:03:12` today, `2027-03-01 14:03:12` on another day: a deadline to wait for."""
    here = _here(dt, zone)
    today = _here(now, zone)
    if here is None or today is None:
        return as_sent(dt)
    if here.date() == today.date():
        return here.strftime("%H:%M:%S")
    return here.strftime("%Y-%m-%d %H:%M:%S")
