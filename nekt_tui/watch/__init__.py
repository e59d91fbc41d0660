"""The watch engine: watch list, poll scheduler, events and log deltas. No Textual here.

Data flows one way: a run source (the API client) → `Scheduler` → `Event`s → the UI or the
headless CLI. `WatchList` persists what is watched between sessions.
"""

from nekt_tui.watch.events import (
    AuthProblem,
    Event,
    PollFailed,
    RateLimited,
    Recovered,
    RunStale,
    RunUpdated,
    StatusChanged,
    StatusValue,
)
from nekt_tui.watch.log_delta import LogDelta, LogTracker, log_delta
from nekt_tui.watch.runstate import RunState
from nekt_tui.watch.scheduler import EventCallback, RunSource, Scheduler
from nekt_tui.watch.stream import EventStream
from nekt_tui.watch.watchlist import (
    WatchEntry,
    WatchList,
    WatchListError,
    default_state_path,
    resolve_state_path,
)

__all__ = [
    "AuthProblem",
    "Event",
    "EventCallback",
    "EventStream",
    "LogDelta",
    "LogTracker",
    "PollFailed",
    "RateLimited",
    "Recovered",
    "RunSource",
    "RunStale",
    "RunState",
    "RunUpdated",
    "Scheduler",
    "StatusChanged",
    "StatusValue",
    "WatchEntry",
    "WatchList",
    "WatchListError",
    "default_state_path",
    "log_delta",
    "resolve_state_path",
]
