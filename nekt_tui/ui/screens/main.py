"""The main screen: header, watch list, the three panels and the footer, and its keys.

Wide terminals (160+ columns) show the list beside all three panels; medium ones (100+)
the list beside the log, with status or pipeline above it; narrow ones stack the list
over one panel at a time. Tab moves between them, showing the panel it moves to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, cast

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Input, Static

from nekt_tui.ui.widgets.header_bar import HeaderBar
from nekt_tui.ui.widgets.log_panel import LogPanel
from nekt_tui.ui.widgets.pipeline_panel import PipelinePanel
from nekt_tui.ui.widgets.status_panel import StatusPanel
from nekt_tui.ui.widgets.watch_list import WatchList

if TYPE_CHECKING:
    from nekt_tui.ui.app import NektApp


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
    """The dashboard."""

    # Narrow: the list over one panel. Medium: the list beside status-or-pipeline over
    # the log. Wide: the list beside status and pipeline, over the log.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-medium"), (160, "-wide")]  # noqa: RUF012

    # The footer is one line and cuts what does not fit: Quit and Help come first, the
    # everyday keys next; the occasional ones are in the help (?) and the palette.
    # Each has an id: `[keys]` in the config file remaps it, and the help and the command
    # palette are generated from these (the tooltip is the palette's help line).
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "app.quit", "Quit", tooltip="Save the list and leave", id="quit"),
        Binding("question_mark", "app.help", "Help", tooltip="List every key", id="help"),
        Binding(
            "a", "app.add", "Add", tooltip="Watch more runs: IDs, URLs or pasted text", id="add"
        ),
        Binding("d", "app.remove", "Remove", tooltip="Stop watching the selected run", id="remove"),
        Binding(
            "slash",
            "filter",
            "Filter",
            tooltip="Show only runs matching text or status:failed",
            id="filter",
        ),
        Binding(
            "s", "app.sort", "Sort", tooltip="Sort by added, status, pipeline, started", id="sort"
        ),
        Binding("r", "app.refresh", "Refresh", tooltip="Poll the selected run now", id="refresh"),
        Binding(
            "p",
            "app.pause",
            "Pause run",
            tooltip="Stop or restart polling the selected run",
            id="pause",
        ),
        Binding(
            "tab", "next_panel", "Next panel", tooltip="Move to the next panel", id="next-panel"
        ),
        Binding(
            "u",
            "app.undo",
            "Undo remove",
            show=False,
            tooltip="Bring back the last removed run",
            id="undo",
        ),
        Binding(
            "J",
            "app.next_failed",
            "Next failed run",
            show=False,
            tooltip="Move to the next failed run in the list",
            id="next-failed",
        ),
        Binding(
            "L",
            "app.label",
            "Label",
            show=False,
            tooltip="Name the selected run in the watch list; empty clears",
            id="label",
        ),
        Binding(
            "X",
            "app.cancel_run",
            "Cancel run",
            show=False,
            tooltip="Ask the API to cancel the selected run; asks first",
            id="cancel-run",
        ),
        Binding(
            "R",
            "app.refresh_all",
            "Refresh all",
            show=False,
            tooltip="Poll every run now; retries a refused key",
            id="refresh-all",
        ),
        Binding(
            "P",
            "app.pause_all",
            "Pause all",
            show=False,
            tooltip="Stop or restart all polling",
            id="pause-all",
        ),
        Binding(
            "plus,equals_sign",
            "app.faster",
            "Faster",
            show=False,
            tooltip="Shorter poll interval",
            id="faster",
        ),
        Binding(
            "minus", "app.slower", "Slower", show=False, tooltip="Longer poll interval", id="slower"
        ),
        Binding(
            "shift+tab",
            "previous_panel",
            "Previous panel",
            show=False,
            tooltip="Move to the previous panel",
            id="previous-panel",
        ),
        Binding(
            "K",
            "app.set_key",
            "API key",
            show=False,
            tooltip="Use another API key for this session",
            id="set-key",
        ),
    ]

    def __init__(self) -> None:
        super().__init__(id="main")
        self._current_panel = 0
        self._focus_index = 0

    @property
    def nekt(self) -> NektApp:
        """The app, typed."""
        return cast("NektApp", self.app)

    def compose(self) -> ComposeResult:
        """Build the layout from the app's model and clock."""
        app = self.nekt
        yield HeaderBar(
            app.host, lambda: app.conn, app.polling, demo=app.demo, now=app.now, id="header"
        )
        yield Static("", id="notice")
        with Container(id="body"):
            with Vertical(id="left"):
                yield WatchList(app.model, app.now, app.clock.monotonic, id="runs")
                yield FilterInput(placeholder="filter: text, or status:failed,running", id="filter")
                yield Static("", id="filter-problem", markup=False)
            with Container(id="panels"):
                yield StatusPanel(app.now, conn=lambda: app.conn, id="status")
                yield PipelinePanel(app.now, conn=lambda: app.conn, id="pipeline")
                log = LogPanel(id="log", classes="panel", line_cap=app.log_max_lines)
                log.border_title = "Log"
                yield log
        yield Footer()

    def widgets(self) -> Widgets:
        """The widgets the app updates."""
        return Widgets(
            self.query_one(HeaderBar),
            self.query_one("#notice", Static),
            self.query_one(WatchList),
            self.query_one(StatusPanel),
            self.query_one(PipelinePanel),
            self.query_one(LogPanel),
        )

    def on_mount(self) -> None:
        """Start the app's polling; begin on the list, with the status panel shown."""
        self.query_one("#status").add_class("-current", "-top")
        self.query_one(WatchList).focus()
        self.nekt.start()

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
        self.nekt.set_filter(event.value)

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        self.close_filter()

    # ---- selection ---------------------------------------------------------------------

    @on(WatchList.Highlighted)
    def _highlighted(self, event: WatchList.Highlighted) -> None:
        self.nekt.show_selected(event.run_id)
