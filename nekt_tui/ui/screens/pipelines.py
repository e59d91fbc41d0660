"""The pipelines board: every source and transformation with its last run, re-read at a
slow pace. Enter watches a pipeline's last run and shows it on the dashboard."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import ClassVar, cast

from textual.binding import Binding, BindingType

from nekt_tui.discover.pipelines import PipelineLister, fetch_pipelines
from nekt_tui.ui import timefmt
from nekt_tui.ui.screens.list_screen import ListScreen
from nekt_tui.ui.state.listing import (
    BOARD_SORTS,
    SORT_TITLES,
    ListRow,
    board_row,
    fetch_problem,
    next_fire_text,
    retry_delay,
    started_text,
    took_text,
)
from nekt_tui.ui.status_style import look
from nekt_tui.ui.widgets.list_table import Column

#: The board's columns (the status symbol comes first, always).
BOARD_COLUMNS = (
    Column("pipeline"),
    Column("type", 15, dim=True, min_table=60),
    Column("status", 11, status=True, min_table=100),
    Column("started", 10, right=True),
    Column("took", 9, right=True, min_table=50),
    Column("next", 11, right=True, min_table=70),
)


def board_cells(row: ListRow, now: datetime) -> Sequence[str]:
    """The text of a board row's columns."""
    return (
        row.name,
        row.detail,
        look(row.status).label if row.status is not None else "never ran",
        started_text(row, now),
        took_text(row, now),
        # A switched-off pipeline's cron fires start nothing: no time to wait for.
        "inactive" if row.active is False else next_fire_text(row.triggers, now),
    )


class PipelinesScreen(ListScreen):
    """Every pipeline, one line each: last run's status, slug, type, start, time taken and
    next trigger fire. `/` filters, `s` sorts, enter watches the last run."""

    COLUMNS = BOARD_COLUMNS
    what = "the pipelines lists"
    prefix = "board"
    default_sort = BOARD_SORTS[0]

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Back", tooltip="Back to the watch list", id="board-close"),
        Binding(
            "enter",
            "open",
            "Watch run",
            tooltip="Watch the pipeline's last run and show it in the watch list",
            id="board-open",
        ),
        Binding(
            "slash",
            "filter",
            "Filter",
            tooltip="Show only pipelines matching text or status:failed,running",
            id="board-filter",
        ),
        Binding("s", "sort", "Sort", tooltip="Sort by status or by last start", id="board-sort"),
        Binding("r", "reload", "Reload", tooltip="Read the lists again now", id="board-reload"),
    ]

    def cells(self, row: ListRow, now: datetime) -> Sequence[str]:
        """The text of each column of a row."""
        return board_cells(row, now)

    def title_text(self) -> str:
        """`Pipelines · 12 of 40 · sorted by status · read 14:03:05`."""
        listing = self.listing
        count = (
            f"{len(listing.view)} of {len(listing.rows)}"
            if listing.filtered
            else str(len(listing.rows))
        )
        when = (
            f"read {timefmt.clock_time(self.read_at)}" if self.read_at is not None else "reading…"
        )
        return f"Pipelines · {count} · sorted by {SORT_TITLES[listing.sort]} · {when}"

    async def read(self) -> None:
        """Read both lists (every page), then arm the next read."""
        source = self.source("list_pipelines")
        if source is None:
            return
        try:
            fetch = await fetch_pipelines(cast("PipelineLister", source))
        except Exception as exc:  # a 429 (raised at once), or anything unforeseen
            self.show_problem(fetch_problem(self.what, exc))
            self.schedule(retry_delay(exc, self.pace, self.session.now()))
            return
        self.read_at = self.session.now()
        if fetch.rows or not fetch.problems:
            self.listing.set_rows(board_row(row, i) for i, row in enumerate(fetch.rows))
        problems = list(fetch.problems)
        if not fetch.rows and not problems:
            problems.append("No pipelines: both lists are empty")
        self.show_problem("; ".join(problems))
        self.rows_changed()
        self.schedule(self.pace)

    def action_sort(self) -> None:
        """Sort by the next order (status, last start)."""
        sorts = BOARD_SORTS
        self.listing.set_sort(sorts[(sorts.index(self.listing.sort) + 1) % len(sorts)])
        self.rows_changed()


__all__ = ["BOARD_COLUMNS", "PipelineLister", "PipelinesScreen", "board_cells"]
