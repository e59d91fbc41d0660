"""The recent-runs browser: `GET /api/v1/runs/` page by page, the next page read when the
cursor reaches the end. Space selects runs, `a` watches the selection, enter watches one
run and shows it on the dashboard. Page 1 is read again at the board's slow pace, so new
runs appear at the top."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import ClassVar, Protocol, cast

from textual import on
from textual.binding import Binding, BindingType

from nekt_tui.api.errors import NektError
from nekt_tui.api.models import RunPage
from nekt_tui.discover.pipelines import status_of
from nekt_tui.ui import timefmt
from nekt_tui.ui.screens.list_screen import ListScreen, OpenRuns
from nekt_tui.ui.state.listing import (
    ListRow,
    fetch_problem,
    retry_delay,
    run_row,
    started_text,
    took_text,
)
from nekt_tui.ui.state.session import WatchSession
from nekt_tui.ui.state.timers import ClockTimers
from nekt_tui.ui.status_style import look
from nekt_tui.ui.widgets.list_table import Column, ListTable

#: Runs asked for per page (a server may send fewer).
PAGE_SIZE = 50


class RunLister(Protocol):
    """What the browser needs of the client (`NektClient`)."""

    async def list_runs(self, page: int = 1, page_size: int = 50) -> RunPage:
        """One page of `GET /api/v1/runs/`."""
        ...


BROWSER_COLUMNS = (
    Column("pipeline"),
    Column("run", 10, dim=True, min_table=56),
    Column("status", 11, status=True, min_table=90),
    Column("started", 10, right=True),
    Column("took", 9, right=True, min_table=50),
    Column("", 9, dim=True, min_table=40),
)


class RunsBrowserScreen(ListScreen):
    """Recent runs, newest first as the API sends them; watched ones say so."""

    COLUMNS = BROWSER_COLUMNS
    what = "the runs list"
    prefix = "browser"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Back", tooltip="Back to the watch list", id="browser-close"),
        Binding(
            "enter",
            "open",
            "Watch run",
            tooltip="Watch the run and show it in the watch list",
            id="browser-open",
        ),
        Binding(
            "space",
            "select",
            "Select",
            tooltip="Select or unselect the run and move down: a watches every selected run",
            id="browser-select",
        ),
        Binding("a", "add", "Watch selected", tooltip="Watch every selected run", id="browser-add"),
        Binding(
            "slash",
            "filter",
            "Filter",
            tooltip="Show only runs matching pipeline text or status:failed,running",
            id="browser-filter",
        ),
        Binding(
            "r", "reload", "Reload", tooltip="Read the newest runs again now", id="browser-reload"
        ),
    ]

    def __init__(
        self,
        session: WatchSession,
        timers: ClockTimers,
        list_interval: float,
        open_runs: OpenRuns,
    ) -> None:
        super().__init__(session, timers, list_interval, open_runs)
        #: Every run read so far, by ID, in the order shown.
        self.rows: dict[str, ListRow] = {}
        #: The last page read (0: none yet), and whether the API has more.
        self.page = 0
        self.more = True

    def cells(self, row: ListRow, now: datetime) -> Sequence[str]:
        """The text of each column of a row."""
        watched = row.run_id is not None and row.run_id in self.session.model
        return (
            row.name,
            row.detail,
            look(row.status).label,
            started_text(row, now),
            took_text(row, now),
            "watched" if watched else "",
        )

    def title_text(self) -> str:
        """`Recent runs · 12 of 100 · 3 selected · more below · read 14:03:05`."""
        listing = self.listing
        parts = ["Recent runs"]
        parts.append(
            f"{len(listing.view)} of {len(listing.rows)}"
            if listing.filtered
            else str(len(listing.rows))
        )
        if self.selection:
            parts.append(f"{len(self.selection)} selected")
        if self.page:
            parts.append("more below" if self.more else "all read")
        if self.read_at is not None:
            parts.append(f"read {timefmt.clock_time(self.read_at)}")
        return " · ".join(parts)

    # ---- reading ----------------------------------------------------------------------

    async def read(self) -> None:
        """Read page 1 again (new runs go on top), then arm the next read."""
        await self._read_page(1)

    async def _read_page(self, number: int) -> None:
        source = self.source("list_runs")
        if source is None:
            return
        list_runs = cast("RunLister", source).list_runs
        try:
            page = await list_runs(number, PAGE_SIZE)
        except Exception as exc:
            if number > 1 and isinstance(exc, NektError) and status_of(exc) == 404:
                self.more = False  # DRF answers 404 for a page past the last
                self.show_title()
                return
            self.show_problem(fetch_problem(self.what, exc))
            if number == 1:
                self.schedule(retry_delay(exc, self.pace, self.session.now()))
            return
        self.read_at = self.session.now()
        empty = number == 1 and not page.results and not self.rows
        self.show_problem("The runs list is empty: no run to show yet" if empty else "")
        self._merge([run_row(run) for run in page.results], on_top=number == 1)
        if number == 1:
            if not self.page:
                self.page, self.more = 1, bool(page.next and page.results)
            self.schedule(self.pace)
        else:
            self.page = number
            self.more = bool(page.next and page.results)
        self.rows_changed()

    def _merge(self, fresh: list[ListRow], *, on_top: bool) -> None:
        """Known runs are updated in place; unknown ones go on top (page 1) or below."""
        by_key = {row.key: row for row in fresh}
        known = {key: by_key.get(key, row) for key, row in self.rows.items()}
        new = {row.key: row for row in fresh if row.key not in self.rows}
        merged = {**new, **known} if on_top else {**known, **new}
        self.rows = {key: replace(row, order=i) for i, (key, row) in enumerate(merged.items())}
        self.listing.set_rows(self.rows.values())

    def next_page(self) -> None:
        """Read the next page in the background, if there is one and no read is going."""
        if self.reading or not self.more or not self.page:
            return
        self.reading = True
        self.run_worker(self._guarded(self._read_page(self.page + 1)), group=self.prefix)

    @on(ListTable.AtEnd)
    def _at_end(self) -> None:
        self.next_page()

    # ---- keys -------------------------------------------------------------------------

    def action_select(self) -> None:
        """Select or unselect the run under the cursor, then move down."""
        table = self.table
        row = table.selected
        if row is None:
            return
        if row.key in self.selection:
            self.selection.discard(row.key)
        else:
            self.selection.add(row.key)
        table.row_redraw(row.key)
        table.action_cursor(1)
        self.show_title()

    def action_add(self) -> None:
        """Watch every selected run (the cursor's run when none is selected)."""
        chosen = [key for key in self.rows if key in self.selection]
        if not chosen:
            row = self.table.selected
            chosen = [row.key] if row is not None else []
        if not chosen:
            return
        model = self.session.model
        if all(run_id in model for run_id in chosen):
            self.say("Already in the watch list")
        else:
            self.open_runs(chosen, None)
        self.selection.clear()
        self.rows_changed()


__all__ = ["BROWSER_COLUMNS", "PAGE_SIZE", "RunsBrowserScreen"]
