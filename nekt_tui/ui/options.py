"""How the app looks and behaves besides its session: what the config says (no Textual)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AppOptions:
    """How the app looks and behaves, besides its session (from the config)."""

    host: str = ""
    #: The config file's profile in use (`[profiles.NAME]`), shown in the header.
    profile: str | None = None
    demo: bool = False
    #: When to ring the terminal bell: failures, changes or off.
    bell: str = "failures"
    theme: str | None = None
    #: Desktop notifications and the notify command: off, failures or all.
    notify: str = "failures"
    #: The notify command, an argv list (empty: none).
    notify_cmd: tuple[str, ...] = ()
    #: Lines the log panel keeps per run.
    log_max_lines: int = 500_000
    #: Seconds between redraws of moving text; None: only `tick()` calls (tests).
    tick_interval: float | None = 1.0
    #: Seconds between two reads of the pipelines board's and the runs browser's lists.
    list_interval: float = 30.0
