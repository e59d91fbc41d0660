"""Typed, immutable events out of the watch engine. The UI and the headless CLI render these."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from nekt_tui.api.enums import RunStatus, UnknownValue
from nekt_tui.api.errors import NektError
from nekt_tui.watch.log_delta import LogDelta

if TYPE_CHECKING:
    from nekt_tui.api.models import Run
    from nekt_tui.watch.provenance import Provenance

#: A run status as the engine reports it: a known status or an unknown one kept as text.
StatusValue = RunStatus | UnknownValue


@dataclass(frozen=True, slots=True)
class RunUpdated:
    """A poll returned a run that differs from the previous one (or the first one).

    `log_delta` is None when the log did not change (or the run has no log object).
    `run` is the run assembled from every source (see `assemble.py`); `provenance` says
    where its log, pipeline and user came from and how old they are, or why they are not
    available (None when nothing was recorded, e.g. a test's hand-made event).
    """

    run_id: str
    run: Run
    previous: Run | None
    log_delta: LogDelta | None
    at: datetime
    provenance: Provenance | None = None


@dataclass(frozen=True, slots=True)
class StatusChanged:
    """The run's status differs from the last one seen.

    `old` is None on the first observation of a run watched without a known status, so a
    consumer that only wants real transitions skips `old is None`.
    """

    run_id: str
    run: Run
    old: StatusValue | None
    new: StatusValue
    at: datetime


@dataclass(frozen=True, slots=True)
class PollFailed:
    """A poll of one run failed; `next_retry` is None when it will not be retried by itself
    (not found: only a manual refresh polls it again)."""

    run_id: str
    error: NektError
    next_retry: datetime | None
    at: datetime


@dataclass(frozen=True, slots=True)
class RunStale:
    """No fresh data for a run for longer than 3 of its intervals (once per episode)."""

    run_id: str
    last_success: datetime | None
    at: datetime


@dataclass(frozen=True, slots=True)
class RateLimited:
    """The API answered 429: no request at all is sent before `until`."""

    until: datetime
    at: datetime


@dataclass(frozen=True, slots=True)
class RunSlow:
    """A run's answer did not come in time while the host answers others: it is asked again
    with a longer deadline, in a lane that never takes every request slot. `waiting_since`
    is when the first unanswered request for it was sent. Ended by its next `RunUpdated`
    (and a `Recovered("run", ...)`)."""

    run_id: str
    waiting_since: datetime
    at: datetime


@dataclass(frozen=True, slots=True)
class HostDown:
    """The API host itself cannot be reached (connect failures on every run): every poll
    waits until `until`, then one probe request goes; `Recovered("host", ...)` ends it."""

    until: datetime
    error: NektError
    at: datetime


@dataclass(frozen=True, slots=True)
class AuthProblem:
    """The API key was refused: all polling stopped (said once, not once per run)."""

    error: NektError
    at: datetime


@dataclass(frozen=True, slots=True)
class Recovered:
    """A problem ended.

    `scope` is `"run"` (a run that failed or was stale got fresh data; `run_id` set),
    `"rate_limit"` (the Retry-After window passed), `"auth"` (a request succeeded after
    an authentication problem) or `"host"` (the host answered again after `HostDown`).
    """

    scope: str
    run_id: str | None
    at: datetime


Event = (
    RunUpdated
    | StatusChanged
    | PollFailed
    | RunStale
    | RunSlow
    | HostDown
    | RateLimited
    | AuthProblem
    | Recovered
)

__all__ = [
    "AuthProblem",
    "Event",
    "HostDown",
    "PollFailed",
    "RateLimited",
    "Recovered",
    "RunSlow",
    "RunStale",
    "RunUpdated",
    "StatusChanged",
    "StatusValue",
]
