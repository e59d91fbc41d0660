"""The nekt-tui app: its lifecycle, the frame clock, and what every key does.

The runs, the engine and every command on them are a `WatchSession` (ui/state, no
Textual); the app turns keys into its commands and draws through the `MainScreen`.
Keys are bound on the main screen as `app.<action>`; the help screen and the command
palette read the same names, so a key, its help line and its command cannot drift apart.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.notifications import Notification, Notify
from textual.screen import Screen

from nekt_tui.alerts import Notifier
from nekt_tui.clock import Clock
from nekt_tui.ui._textual_compat import write_to_terminal
from nekt_tui.ui.guard import guarded
from nekt_tui.ui.intervals import INTERVAL_STEPS as INTERVAL_STEPS  # re-exported
from nekt_tui.ui.keymap import checked_keymap, keys_of
from nekt_tui.ui.options import AppOptions as AppOptions  # re-exported
from nekt_tui.ui.screens.main import MainScreen, Widgets
from nekt_tui.ui.state.collector import CollectorPace
from nekt_tui.ui.state.connection import Connection, Polling
from nekt_tui.ui.state.model import SORT_LABELS, WatchModel
from nekt_tui.ui.state.reactions import (
    Batch,
    EventReducer,
    Severity,
    alerts_of,
    should_ring,
    toasts,
)
from nekt_tui.ui.state.session import WatchSession
from nekt_tui.ui.state.store import RunStore
from nekt_tui.ui.state.timers import ClockTimers
from nekt_tui.ui.status_style import SIXTEEN_COLOURS, status_variables
from nekt_tui.ui.widgets.log_panel import LogPanel
from nekt_tui.ui.widgets.watch_list import WatchList
from nekt_tui.watch.events import Event

if TYPE_CHECKING:
    from nekt_tui.ui.state.profiles import ProfileSwitcher
    from nekt_tui.watch.scheduler import Scheduler

log = logging.getLogger(__name__)

#: Engine events are drawn at most this often (seconds): 2,000 runs polled every 2 s
#: are 1,000 answers a second, and each frame re-sorts and redraws at most once.
FRAME = 1 / 30

#: (binding id, command palette title) for every key of the main screen: the palette's
#: help line is the binding's tooltip and its keys in force (`screens/main.py`).
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


def key_classes() -> list[type[DOMNode]]:
    """The classes whose bindings a `[keys]` table may remap (their ids are unique)."""
    from nekt_tui.ui.screens.list_screens import LIST_KEY_CLASSES

    return [MainScreen, WatchList, LogPanel, NektApp, *LIST_KEY_CLASSES]


def check_keys(keymap: Mapping[str, str]) -> dict[str, str]:
    """The config's `[keys]`, checked: ValueError with one line for an unknown binding id
    or a malformed key."""
    return checked_keymap(keymap, key_classes())


class NektApp(App[int]):
    """Watch Nekt pipeline runs: a `WatchSession` on screen, with its keys.

    `session` holds the runs, the engine and the clock (tests and the demo give one on
    the in-process simulator); `options` the rest. The app starts itself when mounted.
    Its frames and its once-a-second tick run on `clock`, by default the session's (so a
    test's FakeClock moves them too); a benchmark that fakes polls but times real frames
    passes a `SystemClock`.
    """

    TITLE = "nekt-tui"
    CSS_PATH = "app.tcss"

    # Declared, not left for Textual to add at start-up: the help reads every key from
    # the classes' BINDINGS, and a `[keys]` entry can move it like any other.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            App.COMMAND_PALETTE_BINDING,
            "command_palette",
            "palette",
            show=False,
            priority=True,
            tooltip="Open the command palette",
            id="command-palette",
        )
    ]

    def __init__(
        self,
        session: WatchSession | None = None,
        options: AppOptions | None = None,
        *,
        clock: Clock | None = None,
    ) -> None:
        super().__init__()
        self.session = session or WatchSession()
        self.options = options or AppOptions()
        self.timers = ClockTimers(clock or self.session.clock, self._timer_failed)
        #: Full collections on the app's clock, not every few seconds (`state/collector`).
        self.collector = CollectorPace(self.timers.clock.monotonic)
        #: The toasts shown since the last `clear_notifications()`, oldest first (each
        #: with its `message` and `severity`): what the user was told.
        self.toasts: list[Notification] = []
        self.session.view = self
        self.main = MainScreen(
            self.session,
            self.options,
            on_failure=self.report_failure,
            on_ready=self._start,
        )
        self._flush_pending = False
        self._failures_reported: set[str] = set()
        self.bells_rung = 0
        #: Desktop notifications and the notify command (the `notify` policy).
        self.notifier = Notifier.build(
            self.options.notify,
            self.options.notify_cmd,
            clock=self.session.clock,
            report=lambda text: self.say(text, "warning"),
            write=lambda data: write_to_terminal(self, data),
            env=os.environ,
            may_ring=self.options.bell != "off",
        )
        #: True once the watch list is loaded and polling has started.
        self.started = False
        #: The config file's profiles (set by the factory when it has any).
        self.profiles: ProfileSwitcher | None = None
        if self.options.theme:
            self.theme = self.options.theme

    # ---- the session, for the widgets and the tests ------------------------------------

    @property
    def model(self) -> WatchModel:
        """The rows being watched."""
        return self.session.model

    @property
    def store(self) -> RunStore:
        """The saved watch list."""
        return self.session.store

    @property
    def conn(self) -> Connection:
        """The app's view of the API."""
        return self.session.conn

    @property
    def reducer(self) -> EventReducer:
        """Folds engine events into the model."""
        return self.session.reducer

    @property
    def scheduler(self) -> Scheduler | None:
        """The poll engine (None without an API key)."""
        scheduler = self.session.scheduler
        return scheduler if self.session.polling_live else None  # type: ignore[return-value]

    @property
    def cancels_sent(self) -> set[str]:
        """Runs whose cancel request is on its way."""
        return self.session.cancels_sent

    @property
    def widgets(self) -> Widgets:
        """The main screen's widgets (whatever screen is on top)."""
        return self.main.widgets()

    def now(self) -> datetime:
        """The injected clock's time (aware, UTC)."""
        return self.session.now()

    def polling(self) -> Polling:
        """What the header shows about polling."""
        return self.session.polling()

    # ---- Textual hooks -----------------------------------------------------------------

    def get_default_screen(self) -> Screen[Any]:
        """The dashboard."""
        return self.main

    def get_css_variables(self) -> dict[str, str]:
        """The theme's variables plus the status palette derived from them (the standard
        palette's colours on a 16-colour terminal)."""
        sixteen = self.console.color_system in SIXTEEN_COLOURS
        return status_variables(super().get_css_variables(), sixteen=sixteen)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's commands, plus every key's action when on the main screen."""
        yield from super().get_system_commands(screen)
        if screen is self.main:
            yield from self.commands()
            # A page served to browsers stays on the profile it was served with.
            for name in self.profiles.others() if self.profiles and not self.is_web else ():
                yield SystemCommand(
                    f"Switch profile: {name}",
                    f"Watch the runs of profile {name}, with its URL and key",
                    partial(self.switch_profile, name),
                )

    def commands(self) -> Iterator[SystemCommand]:
        """Command palette entries, one per key action, each showing its keys in force."""
        for binding_id, title in COMMANDS:
            binding, keys = keys_of(self, MainScreen, binding_id)
            # "app.add" runs on the app, "filter" on the main screen (as the key does).
            target, _, action = binding.action.rpartition(".")
            callback = getattr(self if target == "app" else self.main, f"action_{action}")
            yield SystemCommand(title, f"{binding.tooltip} ({', '.join(keys)})", callback)

    # ---- lifecycle ---------------------------------------------------------------------

    def _start(self) -> None:
        """The dashboard is up: load the watch list and start the 1 s tick; start polling
        once the first frame is drawn."""
        new = self.session.load()
        self.list_changed()
        if new:
            self.widgets.watch_list.select(new[0])
        self.main.show_notice()
        if self.options.tick_interval is not None:
            self.timers.call_every(self.options.tick_interval, self.tick)
        self.call_after_refresh(self._start_after_first_frame)

    def _start_after_first_frame(self) -> None:
        try:
            follow = self.session.start_polling()
            if follow is not None:
                self.run_worker(follow, group="events", exit_on_error=False)
            from nekt_tui.ui.state.following import follow_task  # pydantic: after the frame

            if (rules := follow_task(self.session)) is not None:
                self.run_worker(rules, name="following rules", group="follow", exit_on_error=False)
        except Exception as exc:  # e.g. a client that cannot be built: say so, keep the list
            self.report_failure("starting to poll", exc)
        self.started = True
        # Move everything alive now (Textual, widgets, the loaded list, the client) out of
        # the collector's reach, and run full collections once in ten minutes: with 2,000
        # runs they otherwise stall 30-110 ms, with 10,000 up to 200 ms every few seconds.
        # The command line holds the collector off until here (see `cli._run_app`).
        self.collector.start()

    async def on_unmount(self) -> None:
        """Save the watch list, stop polling, close the client."""
        self.collector.stop()  # as the app found the collector (tests run many apps)
        self.timers.stop()
        await self.notifier.aclose()
        await self.session.close()

    # ---- what the session tells the app ------------------------------------------------

    def say(
        self, text: str, severity: Severity = "information", timeout: float | None = None
    ) -> None:
        """A toast of plain text (never markup: it may name what the server sent)."""
        self.notify(text, severity=severity, timeout=timeout, markup=False)

    def on_notify(self, message: Notify) -> None:
        """A toast went up: keep it in `toasts` (after Textual's own handler showed it)."""
        self.toasts.append(message.notification)

    def clear_notifications(self) -> None:
        """Take every toast off the screen, and forget them in `toasts`."""
        self.toasts.clear()
        super().clear_notifications()

    def list_changed(self) -> None:
        """Rows were added, removed, filtered or re-sorted."""
        self.main.list_changed()

    def on_engine_event(self, event: Event) -> None:
        """The engine's callback: fold the event in now, draw at the next frame."""
        try:
            self.session.apply(event)
        except Exception as exc:
            self.report_failure("handling an update from the API", exc)
            return
        if not self._flush_pending:
            self._flush_pending = True
            self.timers.call_later(FRAME, self.draw_now)

    @property
    def frame_pending(self) -> bool:
        """Engine events are waiting for the next frame (at most `FRAME` away)."""
        return self._flush_pending

    def draw_now(self) -> None:
        """Draw what the engine reported since the last frame (the frame timer calls it)."""
        if not self._flush_pending:
            return
        self._flush_pending = False
        try:
            self._apply(self.session.reducer.take())
        except Exception as exc:
            self.report_failure("updating the screen", exc)

    def _apply(self, batch: Batch) -> None:
        self.main.draw(batch)
        for text, level, timeout in toasts(batch):
            self.say(text, level, timeout)
        rang = should_ring(self.options.bell, [t.new for _, t in batch.transitions])
        if rang:
            self.ring()
        self.notifier.changes(alerts_of(batch), bell_rung=rang)
        self.session.keep_statuses(batch.saved)

    def ring(self) -> None:
        """Ring the terminal bell (counted, so the policy can be tested)."""
        self.bells_rung += 1
        self.bell()

    def run_problem(self, run_id: str) -> str | None:
        """Why `run_id` has no fresh data, in a few words (see `MainScreen.run_problem`)."""
        return self.main.run_problem(run_id)

    def tick(self) -> None:
        """Once a second: elapsed times and freshness move, the running dot pulses."""
        try:
            self.draw_now()
            self.main.tick(pulse=self.animation_level != "none")
            self.session.save_if_due()
            self.collector.tick()
        except Exception as exc:
            self.report_failure("updating the clock", exc)

    def _timer_failed(self, exc: BaseException) -> None:
        self.report_failure("running a timer", exc)

    def report_failure(self, what: str, exc: BaseException) -> None:
        """The one place background failures go: logged, shown once per kind, no traceback."""
        log.error("nekt-tui failed while %s", what, exc_info=exc)
        key = f"{what}:{type(exc).__name__}"
        if key in self._failures_reported:
            return
        self._failures_reported.add(key)
        self.notify(
            f"Something went wrong while {what} ({type(exc).__name__}); nekt-tui keeps running.",
            severity="error",
            markup=False,
        )

    def on_worker_state_changed(self, event: Any) -> None:
        """A background task failed: report it here, like every other failure."""
        worker = event.worker
        if worker.error is not None:
            self.report_failure(f"running {worker.name or 'a background task'}", worker.error)

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
