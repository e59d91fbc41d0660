"""What the pipelines board and the recent-runs browser share: their layout (a title line,
one problem line, a filter box, the table, the footer), the slow re-read of their list on
the app's injected clock, and the way back to the dashboard with a run selected.

Neither screen imports the app: it is handed the session, the app's timers and one
callback, `open_runs(run_ids, show)` (watch these runs; with `show`, go back to the
dashboard with that run selected).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from datetime import datetime
from typing import Any, ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Input, Static

from nekt_tui.sanitize import sanitize
from nekt_tui.ui.state.listing import Listing, ListRow
from nekt_tui.ui.state.session import WatchSession
from nekt_tui.ui.state.timers import ClockTimers
from nekt_tui.ui.widgets.keys_footer import KeysFooter
from nekt_tui.ui.widgets.list_table import Column, ListTable

OpenRuns = Callable[[Sequence[str], str | None], None]


def list_source(session: WatchSession) -> object | None:
    """The client the lists are read with: the engine's (a key typed with K replaced the
    first), else the session's; None before there is one."""
    scheduler = session.scheduler
    source = scheduler.source if session.polling_live else session.source
    return source or session.source


def list_pace(session: WatchSession, list_interval: float) -> float:
    """Seconds between two reads of a list: `list_interval`, never less than the watch
    list's own interval."""
    return max(list_interval, session.polling().interval)


class ListFilter(Input):
    """A list's filter box; escape clears it and goes back to the table."""

    def on_key(self, event: events.Key) -> None:
        """Escape clears the filter."""
        if event.key == "escape":
            event.stop()
            self.value = ""
            screen = self.screen
            if isinstance(screen, ListScreen):
                screen.close_filter()


class ListScreen(Screen[None]):
    """A list of pipelines or runs over the watch session, re-read every `pace` seconds.

    Subclasses give `COLUMNS`, `cells`, `what` (for messages) and `read()`, the work of
    one look at the list; `schedule(delay)` arms the next.
    """

    COLUMNS: ClassVar[tuple[Column, ...]] = ()
    #: `-narrow` below 100 columns (tighter toasts, as on the dashboard).
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-medium")]  # noqa: RUF012
    BINDINGS: ClassVar[list[BindingType]] = []
    #: The list's name in messages ("the pipelines lists").
    what = "the list"
    #: The CSS id prefix of the screen's parts.
    prefix = "list"
    #: The order rows are shown in at first.
    default_sort = "loaded"

    def __init__(
        self,
        session: WatchSession,
        timers: ClockTimers,
        list_interval: float,
        open_runs: OpenRuns,
    ) -> None:
        super().__init__()
        self.session = session
        self.timers = timers
        self.pace = list_pace(session, list_interval)
        self.open_runs = open_runs
        self.listing = Listing(self.default_sort)
        #: Keys of the rows selected with space (the browser).
        self.selection: set[str] = set()
        #: The line saying why the list could not be read ("" when it could).
        self.problem = ""
        #: How many looks at the list have finished (tests wait on it).
        self.reads = 0
        self.reading = False
        #: When the list was last read (None: not yet).
        self.read_at: datetime | None = None
        self._gone = False
        self._generation = 0

    # ---- layout -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        """Title, problem line, filter, table, footer."""
        p = self.prefix
        yield Static("", id=f"{p}-title", classes="list-title", markup=False)
        yield Static("", id=f"{p}-problem", classes="list-problem", markup=False)
        yield ListFilter(
            placeholder="filter: text, or status:failed,running", id=f"{p}-filter", compact=True
        )
        yield ListTable(
            self.listing,
            self.COLUMNS,
            self.cells,
            self.session.now,
            marked=self.selection,
            id=f"{p}-table",
        )
        yield KeysFooter()

    @property
    def table(self) -> ListTable:
        """The table of rows."""
        return self.query_one(ListTable)

    def cells(self, row: ListRow, now: datetime) -> Sequence[str]:
        """The text of each column of a row."""
        raise NotImplementedError

    def on_mount(self) -> None:
        """Show what is known, and read the list now."""
        self.table.focus()
        self.show_title()
        self.show_problem("")
        self.read_now()
        self.timers.call_later(1.0, self._tick)

    def _tick(self) -> None:
        """Once a second of the app's clock while the screen is up: "3m ago" and a
        running pipeline's time move (only the lines on screen are drawn again)."""
        if self._gone:
            return
        self.table.refresh()
        self.timers.call_later(1.0, self._tick)

    def on_unmount(self) -> None:
        """No more reads once the screen is gone."""
        self._gone = True

    # ---- reading the list -------------------------------------------------------------

    def read(self) -> Coroutine[Any, Any, None]:
        """One look at the list (sets rows or `problem`, then calls `schedule`)."""
        raise NotImplementedError

    def read_now(self) -> None:
        """Read the list now in the background, unless a read is already on its way."""
        if self.reading or self._gone:
            return
        self.reading = True
        self._generation += 1  # any timer armed before now is stale
        self.run_worker(self._guarded(self.read()), group=self.prefix, exit_on_error=False)

    async def _guarded(self, work: Coroutine[Any, Any, None]) -> None:
        try:
            await work
        finally:
            self.reading = False
            self.reads += 1

    def schedule(self, delay: float) -> None:
        """Read again `delay` seconds of the app's clock from now (one timer at a time:
        the next is armed only once a read has finished, so reads never overlap)."""
        self._generation += 1
        generation = self._generation

        def due() -> None:
            if generation == self._generation and not self._gone:
                self.read_now()

        self.timers.call_later(delay, due)

    def source(self, method: str) -> object | None:
        """The client to read the list with (it has `method`); None after saying why
        there is none (no API key yet)."""
        source = list_source(self.session)
        if source is not None and hasattr(source, method):
            return source
        reason = self.session.conn.message or "no API key"
        if source is not None:
            reason = "this connection cannot list them"
        self.show_problem(f"{self.what} cannot be read: {reason}")
        return None

    # ---- drawing ----------------------------------------------------------------------

    def title_text(self) -> str:
        """The title line."""
        raise NotImplementedError

    def show_title(self) -> None:
        """Draw the title line again."""
        self.query_one(f"#{self.prefix}-title", Static).update(Content(self.title_text()))

    def show_problem(self, line: str) -> None:
        """Show one line saying what went wrong ("" hides it)."""
        line = sanitize(line, single_line=True)  # a list's problem may quote the server
        self.problem = line
        box = self.query_one(f"#{self.prefix}-problem", Static)
        box.display = bool(line)
        box.update(Content(line))

    def rows_changed(self) -> None:
        """The rows or their order changed: redraw the table and the title."""
        self.table.rows_changed()
        self.show_title()

    def say(self, text: str) -> None:
        """A toast (plain text)."""
        self.app.notify(text, markup=False)

    # ---- filter -----------------------------------------------------------------------

    def action_filter(self) -> None:
        """Show and focus the filter box."""
        box = self.query_one(ListFilter)
        box.add_class("-shown")
        box.focus()

    def close_filter(self) -> None:
        """Hide an empty filter box and go back to the table."""
        box = self.query_one(ListFilter)
        if not box.value:
            box.remove_class("-shown")
        self.table.focus()

    @on(Input.Changed, "ListFilter")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        problem = self.listing.set_filter(event.value)
        self.show_problem(problem or "")
        if problem is None:
            self.rows_changed()

    @on(Input.Submitted, "ListFilter")
    def _filter_done(self, event: Input.Submitted) -> None:
        event.stop()
        self.close_filter()

    # ---- keys -------------------------------------------------------------------------

    def action_close(self) -> None:
        """Back to the dashboard."""
        self.dismiss(None)

    def action_reload(self) -> None:
        """Read the list again now."""
        self.read_now()

    def action_open(self) -> None:
        """Watch the run under the cursor and show it on the dashboard."""
        row = self.table.selected
        if row is None:
            return
        if row.run_id is None:
            self.say(f"{row.name} has no run yet")
            return
        self.open_runs([row.run_id], row.run_id)
