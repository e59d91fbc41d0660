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
#: A `Retry-After` asking for longer than this (a far-future date, a huge number) is read
#: as this many seconds: one bad header must not freeze a session for good.
MAX_RETRY_AFTER = 600.0
#: Connect failures in a row, across runs and with no answer in between, that mean the
#: host itself is down (one run failing alone is that run's problem).
HOST_DOWN_AFTER = 3
#: The wait before the first probe of a host found down, doubling per failed probe.
HOST_BACKOFF_FIRST = 2.0
HOST_BACKOFF_MAX = 60.0
#: A slow run leaves the slow lane once a patient request for it is answered in less
#: than this (the client's ordinary read timeout is 10 s): it is then asked as usual.
SLOW_LANE_EXIT = 5.0
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


def slow_lane_slots(concurrency: int) -> int:
    """Request slots that slow runs may hold at once: a quarter, at least one, so that
    answers that take minutes never hold every slot."""
    return max(1, concurrency // 4)


def host_backoff(level: int) -> float:
    """Seconds before probing a host found down, after `level` (1, 2, ...) failed tries."""
    exp = min(max(level, 1) - 1, 16)
    return min(HOST_BACKOFF_MAX, HOST_BACKOFF_FIRST * 2.0**exp)


def clamp_retry_after(seconds: float | None, default: float) -> float:
    """The seconds a 429 makes every request wait: its `Retry-After` (or `default`), at
    least 1 and at most `MAX_RETRY_AFTER` (NaN and infinity included)."""
    wait = default if seconds is None else seconds
    if not wait >= 1.0:  # also NaN
        return 1.0
    return min(MAX_RETRY_AFTER, wait)


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
    "HOST_BACKOFF_FIRST",
    "HOST_BACKOFF_MAX",
    "HOST_DOWN_AFTER",
    "MAX_BACKOFF",
    "MAX_RETRY_AFTER",
    "SLOW_LANE_EXIT",
    "STALE_FACTOR",
    "backoff_delay",
    "clamp_retry_after",
    "host_backoff",
    "is_terminal",
    "jittered",
    "slow_lane_slots",
    "status_interval",
    "to_status",
]
