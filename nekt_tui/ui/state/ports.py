"""What the watch session talks to: the view it reports to, and the engine without a key.

No Textual here: the app is one `SessionView`; `RecordingView` keeps what it is told
(the session's default, and the unit tests' window on it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from nekt_tui.api.enums import RunStatus, UnknownValue
from nekt_tui.api.errors import NektError
from nekt_tui.ui.state.reactions import Severity
from nekt_tui.watch.events import Event

if TYPE_CHECKING:
    from nekt_tui.watch.engine import RunSource
    from nekt_tui.watch.runstate import RunState


class SessionView(Protocol):
    """What the session tells whoever shows it (the app; a recorder in tests)."""

    def say(
        self, text: str, severity: Severity = "information", timeout: float | None = None
    ) -> None:
        """Show one line to the user."""
        ...

    def list_changed(self) -> None:
        """Rows were added or removed behind the screen's back (another instance)."""
        ...

    def on_engine_event(self, event: Event) -> None:
        """An engine event: fold it in with `WatchSession.apply` and draw it soon."""
        ...

    def report_failure(self, what: str, exc: BaseException) -> None:
        """A failure in the background: log it, say it once."""
        ...


@dataclass
class Said:
    """One line the session said."""

    text: str
    severity: Severity = "information"
    timeout: float | None = None


class Applies(Protocol):
    """What `RecordingView` hands events to (a `WatchSession`)."""

    def apply(self, event: Event) -> None:
        """Fold one engine event in."""
        ...


@dataclass
class RecordingView:
    """A view that keeps what it is told (the session's default; the unit tests read it)."""

    session: Applies | None = None
    said: list[Said] = field(default_factory=list)
    failures: list[tuple[str, BaseException]] = field(default_factory=list)
    list_changes: int = 0

    def say(
        self, text: str, severity: Severity = "information", timeout: float | None = None
    ) -> None:
        """Keep the line."""
        self.said.append(Said(text, severity, timeout))

    def list_changed(self) -> None:
        """Count it."""
        self.list_changes += 1

    def on_engine_event(self, event: Event) -> None:
        """Fold the event in at once (nothing to draw)."""
        if self.session is not None:
            self.session.apply(event)

    def report_failure(self, what: str, exc: BaseException) -> None:
        """Keep it."""
        self.failures.append((what, exc))


class NullScheduler:
    """The engine when there is no API key yet: the `Scheduler`'s commands, doing nothing."""

    auth_error: NektError | None = None
    source: RunSource | None = None

    def __init__(self, interval: float, waiting_interval: float) -> None:
        self.interval = interval
        self.waiting_interval = waiting_interval

    def __contains__(self, run_id: object) -> bool:
        return False

    def watch(self, run_id: str, last_status: RunStatus | UnknownValue | None = None) -> None:
        """Nothing is polled."""

    def unwatch(self, run_id: str) -> None:
        """Nothing was polled."""

    def pause(self, run_id: str | None = None) -> None:
        """Nothing to pause."""

    def resume(self, run_id: str | None = None) -> None:
        """Nothing to resume."""

    def refresh(self, run_id: str | None = None) -> None:
        """Nothing to poll."""

    def retry_auth(self) -> None:
        """No key to retry."""

    def state(self, run_id: str) -> RunState:
        """No run has a poll state."""
        raise KeyError(run_id)

    def set_source(self, source: RunSource) -> None:
        """Kept for when polling starts."""
        self.source = source

    def start(self) -> None:
        """Nothing to start."""

    async def aclose(self) -> None:
        """Nothing to close."""


@dataclass(frozen=True)
class PollSettings:
    """How the session polls (from the config)."""

    interval: float = 2.0
    waiting_interval: float = 5.0
    concurrency: int = 8
    #: Whether the engine may sweep the run list instead of polling runs one by one.
    run_list: bool = True
    #: Bytes per second for all polling together (0: no budget; see `watch/bandwidth.py`).
    max_bandwidth: float = 0
