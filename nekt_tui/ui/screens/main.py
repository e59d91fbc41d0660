"""The main screen: header, watch list, the three panels and the footer, and its keys.

Wide terminals (160+ columns) show the list beside all three panels; medium ones (100+)
the list beside the log, with status or pipeline above it; narrow ones stack the list
over one panel at a time. Tab moves between them, showing the panel it moves to.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, cast

from textual import events, on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Container, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, Static

from nekt_tui.ui.options import AppOptions
from nekt_tui.ui.screens.main_keys import MAIN_BINDINGS
from nekt_tui.ui.state.connection import ConnKind
from nekt_tui.ui.state.model import Row
from nekt_tui.ui.state.reactions import Batch
from nekt_tui.ui.state.session import WatchSession
from nekt_tui.ui.status_style import look
from nekt_tui.ui.widgets.header_bar import HeaderBar, notice_content
from nekt_tui.ui.widgets.keys_footer import KeysFooter
from nekt_tui.ui.widgets.log_panel import LogPanel
from nekt_tui.ui.widgets.pipeline_panel import PipelinePanel
from nekt_tui.ui.widgets.status_panel import StatusPanel, conn_problem, problem_text
from nekt_tui.ui.widgets.watch_list import WatchList


@dataclass(frozen=True)
class Widgets:
    """The main screen's widgets, found once."""

    header: HeaderBar
    notice: Static
    watch_list: WatchList
    status: StatusPanel
    pipeline: PipelinePanel
    log_panel: LogPanel


class FilterInput(Input):
    """The list filter; escape clears it and goes back to the list."""

    def on_key(self, event: events.Key) -> None:
        """Escape clears the filter."""
        if event.key == "escape":
            event.stop()
            self.value = ""
            cast("MainScreen", self.screen).close_filter()


class MainScreen(Screen[None]):
    """The dashboard: the session's runs, drawn. `on_ready` is called once its widgets are
    mounted (Textual mounts the default screen after the app's own `on_mount`)."""

    # Narrow: the list over one panel. Medium: the list beside status-or-pipeline over
    # the log. Wide: the list beside status and pipeline, over the log.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-medium"), (160, "-wide")]  # noqa: RUF012

    # The table and why it is ordered so: `main_keys.py`.
    BINDINGS: ClassVar[list[BindingType]] = [*MAIN_BINDINGS]

    def __init__(
        self,
        session: WatchSession,
        options: AppOptions,
        *,
        on_failure: Callable[[str, BaseException], None],
        on_ready: Callable[[], None],
    ) -> None:
        super().__init__(id="main")
        self.session = session
        self.options = options
        self._on_failure = on_failure
        self._on_ready = on_ready
        self._current_panel = 0
        self._focus_index = 0
        self._widgets: Widgets | None = None
        self._shown_run: str | None = None

    def compose(self) -> ComposeResult:
        """Build the layout from the session's model and clock."""
        session, options = self.session, self.options
        conn = session.conn  # one object for the session's life, updated in place
        yield HeaderBar(
            options.host,
            lambda: conn,
            session.polling,
            demo=options.demo,
            now=session.now,
            read_only=session.read_only,
            profile=options.profile,
            id="header",
        )
        yield Static("", id="notice")
        with Container(id="body"):
            with Vertical(id="left"):
                yield WatchList(session.model, session.now, session.clock.monotonic, id="runs")
                yield FilterInput(placeholder="filter: text, or status:failed,running", id="filter")
                yield Static("", id="filter-problem", markup=False)
            with Container(id="panels"):
                yield StatusPanel(session.now, conn=lambda: conn, id="status")
                yield PipelinePanel(session.now, conn=lambda: conn, id="pipeline")
                log = LogPanel(id="log", classes="panel", line_cap=options.log_max_lines)
                log.border_title = "Log"
                yield log
        yield KeysFooter()

    def widgets(self) -> Widgets:
        """The widgets the app updates (found once)."""
        if self._widgets is None:
            self._widgets = Widgets(
                self.query_one(HeaderBar),
                self.query_one("#notice", Static),
                self.query_one(WatchList),
                self.query_one(StatusPanel),
                self.query_one(PipelinePanel),
                self.query_one(LogPanel),
            )
        return self._widgets

    def on_mount(self) -> None:
        """Begin on the list, with the status panel shown."""
        self.query_one("#status").add_class("-current", "-top")
        self.query_one(WatchList).focus()
        self._on_ready()

    # ---- drawing the session -----------------------------------------------------------

    def show_selected(self, run_id: str | None, *, log: bool = True) -> None:
        """Point the panels at a run."""
        w = self.widgets()
        row = self.session.model.get(run_id) if run_id is not None else None
        w.status.show(row)
        w.pipeline.show(row)
        if log and row is not None and run_id != self._shown_run:
            self._shown_run = run_id
            w.log_panel.select(row.run_id, row.run)
        self.show_log_problem(row)

    def show_log_problem(self, row: Row | None) -> None:
        """Tell the log panel what the selected run's last poll met (and its next try)."""
        if row is None:
            return
        conn = self.session.conn
        # A run never fetched names what stops every run (a refused key, the host down).
        stopped = conn.error if conn.kind in (ConnKind.AUTH, ConnKind.UNREACHABLE) else None
        error = stopped if row.run is None and stopped is not None else row.error
        self.widgets().log_panel.show_problem(
            row.run_id,
            error,
            now=self.session.now(),
            next_try=self.session.next_due(row.run_id),
            waiting_since=row.slow_since,
        )
        self.widgets().log_panel.show_provenance(row.run_id, row.provenance, now=self.session.now())

    def list_changed(self) -> None:
        """Rows were added, removed, filtered or re-sorted."""
        w = self.widgets()
        model = self.session.model
        w.watch_list.structure_changed()
        total, shown = len(model), len(model.view)
        w.watch_list.border_title = f"Runs {shown}/{total}" if shown != total else f"Runs {total}"
        subtitle = f"sort: {model.sort}"
        if model.filtered:
            subtitle += f" · filter: {model.filter_text}"
        w.watch_list.border_subtitle = Content(subtitle)
        self.show_selected(w.watch_list.selected)
        w.header.redraw()

    def row_changed(self, run_id: str) -> None:
        """One row's data changed (a label, a pause): redraw it, and the panels if selected."""
        if self.session.model.order_depends_on_data():
            # The filter matches labels: the row may now be hidden, or shown (counts too).
            self.list_changed()
            return
        w = self.widgets()
        w.watch_list.rows_changed([run_id])
        self.show_selected(run_id, log=False)
        w.header.redraw()

    def show_notice(self) -> None:
        """The line under the header when the user must act (a refused key, no key)."""
        notice = notice_content(self.session.conn)
        w = self.widgets()
        w.notice.display = notice is not None
        if notice is not None:
            w.notice.update(notice)

    def draw(self, batch: Batch) -> None:
        """Draw what the engine reported since the last frame (toasts are the app's)."""
        w = self.widgets()
        for run_id, run, delta in batch.logs:
            w.log_panel.update_run(run_id, run, delta)
        if batch.rows:
            w.watch_list.rows_changed(batch.rows)
        w.watch_list.flash_many((row.run_id, look(t.new).key) for row, t in batch.transitions)
        selected = w.watch_list.selected
        if selected is not None and selected in batch.rows:
            self.show_selected(selected, log=False)
        if batch.header:
            self.show_notice()
            if selected is not None and selected not in batch.rows:
                self.show_selected(selected, log=False)  # "the key was refused" and back
        w.header.redraw()

    def tick(self, *, pulse: bool) -> None:
        """Once a second: elapsed times and freshness move, the running dot pulses."""
        w = self.widgets()
        w.watch_list.pulse_enabled = pulse
        w.watch_list.tick()
        w.status.refresh_text()
        w.pipeline.refresh_text()
        selected = w.watch_list.selected  # "slow: waiting 45s" moves
        self.show_log_problem(self.session.model.get(selected) if selected is not None else None)
        w.header.redraw()

    def run_problem(self, run_id: str) -> str | None:
        """Why `run_id` has no fresh data, in a few words ("not found", "server error, next
        try 14:03:12", "the API key was refused: ..."); None when nothing is wrong."""
        row = self.session.model.get(run_id)
        if row is None:
            return None
        problem = problem_text(row, self.session.now())
        if problem is None and row.run is None:
            problem = conn_problem(self.session.conn)
        return problem

    def set_filter(self, text: str) -> None:
        """Show only matching runs (`/`); a filter naming an unknown status changes nothing."""
        problem = self.session.model.set_filter(text)
        self.show_filter_problem(problem)
        if problem is None:
            self.list_changed()

    # ---- panels ------------------------------------------------------------------------

    def _focus_targets(self) -> list[Widget]:
        return [
            self.query_one(WatchList),
            self.query_one(StatusPanel),
            self.query_one(PipelinePanel),
            self.query_one(LogPanel),
        ]

    def _index_of(self, widget: Widget | None) -> int | None:
        for index, target in enumerate(self._focus_targets()):
            node: Widget | None = widget
            while node is not None:
                if node is target:
                    return index
                parent = node.parent
                node = parent if isinstance(parent, Widget) else None
        return None

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """A click or a dialog closing moved the focus: tab goes on from there."""
        index = self._index_of(event.widget)
        if index is not None:
            self._focus_index = index

    def _go(self, index: int) -> None:
        # Focus moves a moment later: remember where it is going, so a second tab pressed
        # before it lands goes on from the right place.
        targets = self._focus_targets()
        self._focus_index = index % len(targets)
        target = targets[self._focus_index]
        if index % len(targets):
            for panel in targets[1:]:
                panel.set_class(panel is target, "-current")
            self._current_panel = index % len(targets)
            if target is not targets[3]:  # status or pipeline takes the top slot (medium)
                for panel in targets[1:3]:
                    panel.set_class(panel is target, "-top")
        if target.focusable:
            target.focus()
        else:  # a panel whose focusable part is inside it
            inner = [w for w in self.focus_chain if target in w.ancestors]
            if inner:
                inner[0].focus()
            else:
                target.focus()

    def action_next_panel(self) -> None:
        """Focus the next of: list, status, pipeline, log."""
        self._go(self._focus_index + 1)

    def action_previous_panel(self) -> None:
        """Focus the previous of: list, status, pipeline, log."""
        self._go(self._focus_index - 1)

    @property
    def current_panel(self) -> str:
        """The id of the panel shown on a narrow terminal."""
        return ("status", "pipeline", "log")[max(0, self._current_panel - 1)]

    # ---- filter ------------------------------------------------------------------------

    def action_filter(self) -> None:
        """Show and focus the filter input."""
        box = self.query_one(FilterInput)
        box.add_class("-shown")
        box.focus()

    def close_filter(self) -> None:
        """Hide the filter input (keeping its text as the filter) and go back to the list."""
        box = self.query_one(FilterInput)
        if not box.value:
            box.remove_class("-shown")
        self.query_one(WatchList).focus()

    def show_filter_problem(self, problem: str | None) -> None:
        """Say under the filter why it was not applied (None: hide the message)."""
        message = self.query_one("#filter-problem", Static)
        message.display = problem is not None
        if problem is not None:
            message.update(Content(problem))

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        try:
            self.set_filter(event.value)
        except Exception as exc:
            self._on_failure("filtering", exc)

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        self.close_filter()

    # ---- selection ---------------------------------------------------------------------

    @on(WatchList.Highlighted)
    def _highlighted(self, event: WatchList.Highlighted) -> None:
        self.show_selected(event.run_id)
