"""The scheduler's timing rules: how often a run is polled, and how long it backs off."""

from __future__ import annotations

import random

from nekt_tui.api.enums import RunStatus, UnknownValue

#: Back-off after errors never waits longer than this between two polls of a run.
MAX_BACKOFF = 60.0
#: A run with no fresh data for longer than this many of its intervals is stale.
STALE_FACTOR = 3.0
#: When a 429 carries no usable Retry-After, wait this long.
DEFAULT_RETRY_AFTER = 30.0
#: Fraction of an interval by which each next poll is moved at random, so runs watched
#: together drift apart instead of firing in the same millisecond forever.
DEFAULT_JITTER = 0.1
#: First polls of runs watched together are spread over this much time per waiting run
#: (capped at one interval): one new run is polled at once, a thousand over the interval.
FIRST_POLL_SPREAD = 0.005


def to_status(value: str | None) -> RunStatus | UnknownValue | None:
    """A status from text (e.g. the watch list's last status): known, unknown, or None."""
    if value is None or isinstance(value, (RunStatus, UnknownValue)):
        return value
    try:
        return RunStatus(value)
    except ValueError:
        return UnknownValue(value)


def is_terminal(status: RunStatus | UnknownValue | None) -> bool:
    """True for `success`, `failed` and `canceled`: such a run never changes again."""
    return isinstance(status, RunStatus) and status.is_terminal


def status_interval(
    status: RunStatus | UnknownValue | None, interval: float, waiting_interval: float
) -> float | None:
    """Seconds between polls for a run in `status`; None when it is not polled again.

    Active and unknown statuses (and a run not seen yet) use `interval`, waiting ones
    `waiting_interval`, terminal ones are never polled again.
    """
    if isinstance(status, RunStatus):
        if status.is_terminal:
            return None
        if status.is_waiting:
            return waiting_interval
    return interval


def jittered(seconds: float, jitter: float, rng: random.Random) -> float:
    """`seconds` moved at random by up to `jitter` of itself, either way."""
    if jitter <= 0:
        return seconds
    return seconds * (1.0 + rng.uniform(-jitter, jitter))


def backoff_delay(
    failures: int, base: float, jitter: float, rng: random.Random, cap: float = MAX_BACKOFF
) -> float:
    """Delay before the next poll after `failures` consecutive errors: base·2ⁿ, capped."""
    exp = min(failures, 32)  # 2**32 · base is far past any cap; avoids huge floats
    return min(cap, jittered(base * 2.0**exp, jitter, rng))


__all__ = [
    "DEFAULT_JITTER",
    "DEFAULT_RETRY_AFTER",
    "FIRST_POLL_SPREAD",
    "MAX_BACKOFF",
    "STALE_FACTOR",
    "backoff_delay",
    "is_terminal",
    "jittered",
    "status_interval",
    "to_status",
]
