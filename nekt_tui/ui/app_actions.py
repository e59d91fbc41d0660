"""What the main screen's keys and the command palette do: the app's actions.

`NektApp` mixes `AppActions` in; each action turns a key into a `WatchSession` command
and redraws through the `MainScreen`. Dialogs and list screens are imported when they
first open: the first frame needs none of them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from textual.app import SystemCommand

from nekt_tui.ui.guard import guarded
from nekt_tui.ui.keymap import keys_of
from nekt_tui.ui.screens.main import MainScreen
from nekt_tui.ui.state.model import SORT_LABELS

if TYPE_CHECKING:
    from textual.app import App

    from nekt_tui.ui.options import AppOptions
    from nekt_tui.ui.screens.main import Widgets
    from nekt_tui.ui.state.model import WatchModel
    from nekt_tui.ui.state.profiles import ProfileSwitcher
    from nekt_tui.ui.state.reactions import Severity
    from nekt_tui.ui.state.session import WatchSession
    from nekt_tui.ui.state.timers import ClockTimers

    _AppBase = App[int]
else:
    # At run time a plain mixin: `NektApp(AppActions, App[int])` puts App after it, so
    # the type checker's view (an App) and Python's MRO agree on every name.
    _AppBase = object

#: (binding id, command palette title) for every key of the main screen: the palette's
#: help line is the binding's tooltip and its keys in force (`screens/main_keys.py`).
COMMANDS: tuple[tuple[str, str], ...] = (
    ("add", "Add runs"),
    ("pipelines", "Pipelines board"),
    ("recent-runs", "Recent runs"),
    ("remove", "Remove run"),
    ("remove-finished", "Remove finished runs"),
    ("undo", "Undo remove"),
    ("label", "Label run"),
    ("refresh", "Refresh run"),
    ("next-failed", "Go to a failed run"),
    ("cancel-run", "Cancel run"),
    ("refresh-all", "Refresh all"),
    ("pause", "Pause/resume run"),
    ("pause-all", "Pause/resume all"),
    ("faster", "Poll faster"),
    ("slower", "Poll slower"),
    ("filter", "Filter runs"),
    ("sort", "Cycle sort"),
    ("next-panel", "Next panel"),
    ("help", "Help: every key"),
    ("set-key", "Enter API key"),
)


class AppActions(_AppBase):
    """The app's key actions and palette commands (mixed into `NektApp`, before `App`)."""

    if TYPE_CHECKING:
        # What `NektApp` provides: set in its __init__ or defined there.
        session: WatchSession
        options: AppOptions
        main: MainScreen
        timers: ClockTimers
        profiles: ProfileSwitcher | None

        @property
        def model(self) -> WatchModel: ...

        @property
        def widgets(self) -> Widgets: ...

        def say(
            self, text: str, severity: Severity = "information", timeout: float | None = None
        ) -> None: ...

        def list_changed(self) -> None: ...

        def report_failure(self, what: str, exc: BaseException) -> None: ...

    # ---- the command palette -----------------------------------------------------------

    def commands(self) -> Iterator[SystemCommand]:
        """Command palette entries, one per key action, each showing its keys in force."""
        for binding_id, title in COMMANDS:
            binding, keys = keys_of(self, MainScreen, binding_id)
            # "app.add" runs on the app, "filter" on the main screen (as the key does).
            target, _, action = binding.action.rpartition(".")
            callback = getattr(self if target == "app" else self.main, f"action_{action}")
            yield SystemCommand(title, f"{binding.tooltip} ({', '.join(keys)})", callback)

    # ---- the list ----------------------------------------------------------------------

    @guarded("opening the add dialog")
    def action_add(self) -> None:
        """Open the add dialog."""
        # Each dialog is imported when it first opens: the first frame needs none of them.
        from nekt_tui.ui.screens.add_dialog import AddDialog

        self.push_screen(AddDialog(lambda run_id: run_id in self.model), self.add_runs)

    @guarded("adding runs")
    def add_runs(self, run_ids: list[str] | None) -> None:
        """Watch these runs (new ones only), select the first, save the list."""
        new = self.session.add(run_ids or [])
        if new:
            self.list_changed()
            self.widgets.watch_list.select(new[0])

    @guarded("opening the pipelines board")
    def action_pipelines(self) -> None:
        """Every pipeline with its last run (`screens/pipelines.py`)."""
        from nekt_tui.ui.screens.list_screens import PipelinesScreen

        self.push_screen(
            PipelinesScreen(self.session, self.timers, self.options.list_interval, self.open_runs)
        )

    @guarded("opening the recent runs")
    def action_recent_runs(self) -> None:
        """The newest runs, page by page (`screens/runs_browser.py`)."""
        from nekt_tui.ui.screens.list_screens import RunsBrowserScreen

        self.push_screen(
            RunsBrowserScreen(self.session, self.timers, self.options.list_interval, self.open_runs)
        )

    @guarded("watching runs")
    def open_runs(self, run_ids: Sequence[str], show: str | None) -> None:
        """Watch these runs; with `show`, back to the watch list with that run selected."""
        self.add_runs(list(run_ids))
        if show is not None:
            while self.screen is not self.main and len(self.screen_stack) > 1:
                self.pop_screen()
            self.widgets.watch_list.select(show)
            if self.model.index_of(show) is None:
                self.say("Watching it, but the filter hides it (/ changes the filter)")

    @guarded("removing runs")
    def action_remove(self) -> None:
        """Stop watching the marked runs, else the selected one (one u brings them back)."""
        if self.session.remove_marked(self.widgets.watch_list.selected):
            self.list_changed()

    @guarded("removing finished runs")
    def action_remove_finished(self) -> None:
        """Stop watching every run that ended (one u brings them back)."""
        if self.session.remove_finished():
            self.list_changed()

    @guarded("undoing a removal")
    def action_undo(self) -> None:
        """Bring back the last removed run, in its old place."""
        row = self.session.undo()
        if row is not None:
            self.list_changed()
            self.widgets.watch_list.select(row.run_id)

    @guarded("opening the label dialog")
    def action_label(self) -> None:
        """Ask for a label for the selected run."""
        run_id = self.widgets.watch_list.selected
        row = self.model.get(run_id) if run_id is not None else None
        if row is None:
            self.say("No run selected to label")
            return
        from nekt_tui.ui.screens.label_dialog import LabelDialog

        self.push_screen(
            LabelDialog(row.label, row.pipeline_title),
            lambda text: self.set_label(row.run_id, text),
        )

    @guarded("labelling a run")
    def set_label(self, run_id: str, text: str | None) -> None:
        """Set (or with "" clear) a run's label, save the list, redraw; None changes nothing."""
        if self.session.label(run_id, text) is not None:
            self.main.row_changed(run_id)

    @guarded("moving to a failed run")
    def action_next_failed(self) -> None:
        """Move the cursor to the next failed run shown, after the cursor (wrapping)."""
        watch_list = self.widgets.watch_list
        run_id = self.model.next_failed(watch_list.cursor)
        if run_id is not None:
            watch_list.select(run_id)
            return
        hidden = " (the filter may hide some)" if self.model.filtered else ""
        self.say(f"No failed run in the list{hidden}")

    @guarded("sorting")
    def action_sort(self) -> None:
        """Next sort order."""
        mode = self.model.cycle_sort()
        self.list_changed()
        self.say(f"Sorted by {SORT_LABELS[mode]}")

    @guarded("filtering")
    def set_filter(self, text: str) -> None:
        """Show only matching runs (`/`); a filter naming an unknown status changes nothing."""
        self.main.set_filter(text)

    # ---- polling -----------------------------------------------------------------------

    @guarded("refreshing")
    def action_refresh(self) -> None:
        """Poll the selected run now."""
        run_id = self.widgets.watch_list.selected
        if run_id is not None:
            self.session.refresh(run_id)

    @guarded("refreshing")
    def action_refresh_all(self) -> None:
        """Poll every run now (and try a refused key again)."""
        self.session.refresh_all()

    @guarded("pausing")
    def action_pause(self) -> None:
        """Pause or resume the selected run."""
        run_id = self.widgets.watch_list.selected
        row = self.session.toggle_pause(run_id) if run_id is not None else None
        if row is not None:
            self.widgets.watch_list.rows_changed([row.run_id])
            self.main.show_selected(row.run_id, log=False)
            self.widgets.header.redraw()

    @guarded("pausing")
    def action_pause_all(self) -> None:
        """Pause or resume all polling."""
        self.session.toggle_pause_all()
        self.widgets.header.redraw()

    @guarded("changing the interval")
    def action_faster(self) -> None:
        """Poll more often."""
        self.session.change_interval(-1)
        self.widgets.header.redraw()

    @guarded("changing the interval")
    def action_slower(self) -> None:
        """Poll less often."""
        self.session.change_interval(+1)
        self.widgets.header.redraw()

    # ---- cancelling --------------------------------------------------------------------

    @guarded("opening the cancel dialog")
    def action_cancel_run(self) -> None:
        """Ask, then ask the API to cancel the selected run."""
        run_id = self.widgets.watch_list.selected
        if run_id is None:
            self.say("No run selected to cancel")
            return
        target = self.session.cancel_target(run_id)
        if target is None:
            return
        row = target[0]
        from nekt_tui.ui.screens.cancel_dialog import CancelDialog

        self.push_screen(
            CancelDialog(row.pipeline_title, row.run_id, row.label),
            lambda yes: self.cancel_confirmed(row.run_id, bool(yes)),
        )

    @guarded("cancelling a run")
    def cancel_confirmed(self, run_id: str, yes: bool) -> None:
        """The dialog closed: send the cancel in the background (once) if confirmed."""
        if not yes:
            return
        request = self.session.cancel(run_id)
        if request is not None:
            self.run_worker(request, name="cancelling a run", group="cancel", exit_on_error=False)

    # ---- screens -----------------------------------------------------------------------

    @guarded("opening the key dialog")
    def action_set_key(self) -> None:
        """Ask for an API key for this session."""
        from nekt_tui.ui.screens.key_dialog import KeyDialog

        self.push_screen(KeyDialog(self.session.config_hint), self.use_key)

    @guarded("using the new key")
    def use_key(self, key: str | None) -> None:
        """Poll with a new API key for this session (never shown, logged or saved)."""
        if self.session.set_key(key):
            self.main.show_notice()
            self.widgets.header.redraw()

    @guarded("switching profile")
    def switch_profile(self, name: str) -> None:
        """Watch profile `name`'s list with its URL and key (this list is saved first)."""
        if self.profiles is not None:
            switching = self._switch_profile(self.profiles, name)
            self.run_worker(
                switching,
                name="switching profile",
                group="profile",
                exclusive=True,
                exit_on_error=False,
            )

    async def _switch_profile(self, profiles: ProfileSwitcher, name: str) -> None:
        config = await profiles.switch(name)
        if config is None:
            return
        place = profiles.place
        self.widgets.header.set_place(place.host, place.profile, read_only=place.read_only)
        if config.theme in self.available_themes:
            self.theme = config.theme
        self.list_changed()
        self.main.show_notice()

    @guarded("opening the help")
    def action_help(self) -> None:
        """Show every key."""
        from nekt_tui.ui.screens.help_screen import HelpScreen, help_sections
        from nekt_tui.ui.screens.list_screens import LIST_HELP, LIST_SECTIONS

        w = self.widgets
        sections = help_sections(
            self,
            [
                ("Everywhere", self.main),
                ("Watch list", w.watch_list),
                ("Log panel", w.log_panel),
                ("App", self),
                *LIST_SECTIONS,
            ],
        )
        extra = [
            "Filter: words match label, pipeline, ID or status; status:failed,running picks those.",
            "Sort orders: added, status (failures first), pipeline, started (newest first).",
            "When the log panel has the focus its keys come first: / searches the log there.",
            "Every action is also in the command palette (ctrl+p).",
            *LIST_HELP,
        ]
        self.push_screen(HelpScreen(sections, extra))
