"""The app's view of the API as a whole, and the polling settings the header shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from nekt_tui.api.errors import NektError


class ConnKind(str, Enum):  # not StrEnum: Python 3.10 has none
    """Where the app stands with the API (a str, so it reads and compares as its name)."""

    CONNECTING = "connecting"
    LIVE = "live"
    #: Rate limited until `Connection.until`.
    RATE_LIMITED = "rate_limited"
    #: The key was refused.
    AUTH = "auth"
    NO_KEY = "no_key"
    #: The host cannot be reached (since `Connection.since`).
    UNREACHABLE = "unreachable"

    def __str__(self) -> str:
        return str(self.value)


@dataclass
class Connection:
    """The app's view of the API as a whole: `kind`, and what goes with it."""

    kind: ConnKind = ConnKind.CONNECTING
    until: datetime | None = None
    since: datetime | None = None
    message: str = ""
    #: What stops every run (a refused key, the host down), for panels that name it.
    error: NektError | None = None


@dataclass
class Polling:
    """Polling settings shown in the header."""

    interval: float
    waiting_interval: float
    all_paused: bool = False
    paused_runs: int = 0
    runs: int = 0
