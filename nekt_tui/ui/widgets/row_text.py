"""The text of a watch list row's cells: fitted to a width, and what moves with time.

No widget here: the watch list draws these, and tests check them without a screen.
"""

from __future__ import annotations

from datetime import datetime

from rich.cells import cell_len, set_cell_size

from nekt_tui.api.enums import RunStatus
from nekt_tui.ui import timefmt
from nekt_tui.ui.state.model import Row


def fit(text: str, width: int) -> str:
    """Pad or cut `text` to exactly `width` cells, marking a cut with `…`."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…"


def elapsed_text(row: Row, now: datetime) -> tuple[str, bool]:
    """Elapsed time for active runs, duration for finished ones; (text, is_ticking)."""
    run = row.run
    if run is None:
        return "", False
    status = run.status
    if isinstance(status, RunStatus) and status.is_terminal:
        if run.duration_seconds is not None:
            return timefmt.span(run.duration_seconds), False
        if run.started_at is not None and run.ended_at is not None:
            seconds = timefmt.between(run.started_at, run.ended_at)
            return ("" if seconds is None else timefmt.span(seconds)), False
        return "", False
    since = run.started_at or run.created_at
    if since is not None:
        seconds = timefmt.between(since, now)  # None for an odd date: nothing to count
        return ("" if seconds is None else timefmt.span(seconds)), seconds is not None
    return "", False


def freshness_text(row: Row, now: datetime) -> tuple[str, str]:
    """How fresh the row's data is, and a style key: `dim`, `problem` or `ok`."""
    if row.paused:
        return "paused", "dim"
    if row.slow_since is not None:
        return "slow " + timefmt.compact((now - row.slow_since).total_seconds()), "problem"
    if row.error is not None:
        return row.error.short, "problem"
    if row.stale:
        since = row.fresh_at
        return ("stale " + timefmt.compact((now - since).total_seconds()) if since else "stale"), (
            "problem"
        )
    fresh = row.fresh_at
    if fresh is None:
        return "…", "dim"
    if row.run is not None and row.run.is_terminal:
        return "final", "dim"
    pacing = row.pacing
    if pacing is not None:  # polled less often for the budget: how often, and why
        every = pace_seconds(pacing.every, compact=True)
        return f"{every}·{megabytes(pacing.size, compact=True)}", "dim"
    return timefmt.compact((now - fresh).total_seconds()) + " ago", "ok"


#: Drawn after the status symbol of a run a follow rule added (a marked run shows its mark).
FOLLOWED = "»"


def follow_marker(row: Row, marked: bool) -> str | None:
    """The followed marker of a row, when it has one and no mark takes its cell."""
    return FOLLOWED if row.followed_by is not None and not marked else None


def megabytes(size: int, *, compact: bool = False) -> str:
    """A size in decimal megabytes, as a user reads it: `21 MB`, `2.5 MB` (`21MB`)."""
    mb = size / 1_000_000
    text = f"{mb:.1f}" if mb < 9.95 else f"{mb:.0f}"
    return f"{text}MB" if compact else f"{text} MB"


def pace_seconds(every: float, *, compact: bool = False) -> str:
    """How often a paced run is polled: `2.4 s` under ten seconds (whole seconds would
    read as the status interval it is paced above), else `20 s` or `3m` (`2.4s`)."""
    if every < 9.95:
        return f"{every:.1f}s" if compact else f"{every:.1f} s"
    return timefmt.compact(every) if compact else f"{round(every)} s"


def pace_text(row: Row) -> str | None:
    """Why and how often a run is polled less often: `large log: every 20 s (21 MB)`;
    None when the budget does not pace it."""
    pacing = row.pacing
    if pacing is None:
        return None
    return f"large log: every {pace_seconds(pacing.every)} ({megabytes(pacing.size)})"


def pulse_dim(row: Row, now: datetime, enabled: bool) -> bool:
    """Whether a running row's dot is in its dim phase (every other second)."""
    return enabled and row.status is RunStatus.RUNNING and int(now.timestamp()) % 2 == 1


def rfit(text: str, width: int) -> str:
    """Like `fit`, aligned right."""
    if width <= 0:
        return ""
    size = cell_len(text)
    return " " * (width - size) + text if size <= width else fit(text, width)
