"""A cron trigger for people: a plain-English reading and the next fire times.

The expression and zone come from the server, so nothing here trusts them: a bad
expression or an unknown zone becomes a short message, never an exception.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

# cron_descriptor cannot read the @-macros; croniter can.
_MACROS = {
    "@yearly": "Once a year, at 00:00 on 1 January",
    "@annually": "Once a year, at 00:00 on 1 January",
    "@monthly": "Once a month, at 00:00 on day 1",
    "@weekly": "Once a week, at 00:00 on Sunday",
    "@daily": "Once a day, at 00:00",
    "@midnight": "Once a day, at 00:00",
    "@hourly": "Once an hour, at minute 0",
}
_MAX_EXPRESSION = 120


@dataclass(frozen=True)
class CronReading:
    """What a cron trigger means and when it fires next.

    `fires` holds (time in the trigger's zone, the same instant in local time).
    """

    description: str | None
    error: str | None
    zone: tzinfo
    zone_name: str
    zone_error: str | None
    fires: tuple[tuple[datetime, datetime], ...]


def _zone(name: str | None) -> tuple[tzinfo, str, str | None]:
    if not name:
        return timezone.utc, "UTC", None
    try:
        return ZoneInfo(name), name, None
    except Exception:  # ZoneInfoNotFoundError, ValueError for path-like names, OSError
        return timezone.utc, "UTC", "unknown time zone, times shown in UTC"


def describe(expression: str) -> str:
    """The plain-English reading of a valid cron expression."""
    text = expression.strip()
    macro = _MACROS.get(text.lower())
    if macro is not None:
        return macro
    # Imported here: the first frame never needs the cron libraries (about 15 ms).
    from cron_descriptor import ExpressionDescriptor, Options

    options = Options(locale_code="en_US", use_24hour_time_format=True)
    return str(ExpressionDescriptor(text, options).get_description())


@lru_cache(maxsize=256)
def _read(expression: str, zone_name: str | None, minute: datetime, count: int) -> CronReading:
    from croniter import croniter  # imported on first use, as in `describe`

    zone, shown_zone, zone_error = _zone(zone_name)
    text = expression.strip()
    if len(text) > _MAX_EXPRESSION or not croniter.is_valid(text):
        return CronReading(None, "not a valid cron expression", zone, shown_zone, zone_error, ())
    try:
        description: str | None = describe(text)
    except Exception:  # the describer is stricter than croniter on a few forms
        description = None
    fires: list[tuple[datetime, datetime]] = []
    try:
        it = croniter(text, minute.astimezone(zone))
        for _ in range(count):
            when = it.get_next(datetime)
            fires.append((when, when.astimezone()))
    except Exception:  # e.g. 30 February: croniter gives up looking for a date
        return CronReading(description, "never fires", zone, shown_zone, zone_error, ())
    return CronReading(description, None, zone, shown_zone, zone_error, tuple(fires))


def read_cron(
    expression: str | None, zone_name: str | None, now: datetime, count: int = 3
) -> CronReading:
    """Read `expression` in `zone_name` (UTC when absent), with the next `count` fires after
    `now`. Cached per minute, since a panel redraws every second."""
    if not expression:
        zone, shown_zone, zone_error = _zone(zone_name)
        return CronReading(None, "no cron expression", zone, shown_zone, zone_error, ())
    minute = now.replace(second=0, microsecond=0)
    return _read(expression, zone_name, minute, count)
