"""The nekt-tui app: its lifecycle, the frame clock, and where failures go.

The runs, the engine and every command on them are a `WatchSession` (ui/state, no
Textual); the app turns keys into its commands (`app_actions.py`, mixed in) and draws
through the `MainScreen`. Keys are bound on the main screen as `app.<action>`; the help
screen and the command palette read the same names, so a key, its help line and its
command cannot drift apart.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Iterable, Mapping
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
from nekt_tui.ui.app_actions import COMMANDS as COMMANDS  # re-exported
from nekt_tui.ui.app_actions import AppActions
from nekt_tui.ui.intervals import INTERVAL_STEPS as INTERVAL_STEPS  # re-exported
from nekt_tui.ui.keymap import checked_keymap
from nekt_tui.ui.options import AppOptions as AppOptions  # re-exported
from nekt_tui.ui.screens.main import MainScreen, Widgets
from nekt_tui.ui.state.collector import CollectorPace
from nekt_tui.ui.state.connection import Connection, Polling
from nekt_tui.ui.state.model import WatchModel
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


def key_classes() -> list[type[DOMNode]]:
    """The classes whose bindings a `[keys]` table may remap (their ids are unique)."""
    from nekt_tui.ui.screens.list_screens import LIST_KEY_CLASSES

    return [MainScreen, WatchList, LogPanel, NektApp, *LIST_KEY_CLASSES]


def check_keys(keymap: Mapping[str, str]) -> dict[str, str]:
    """The config's `[keys]`, checked: ValueError with one line for an unknown binding id
    or a malformed key."""
    if not keymap:
        # Nothing to check: the list screens (and pydantic, through them) load after the
        # first frame, as everything not needed to draw it does (start-up, figure 6).
        return {}
    return checked_keymap(keymap, key_classes())


class NektApp(AppActions, App[int]):
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
        # Its own turn too, after the frame (see `state/collector`).
        asyncio.get_running_loop().call_soon(self.collector.young)

    def _apply(self, batch: Batch) -> None:
        self.main.draw(batch)
        for text, level, timeout in toasts(batch):
            self.say(text, level, timeout)
        rang = should_ring(self.options.bell, [t.new for _, t in batch.transitions])
        if rang:
            self.ring()
        self.notifier.changes(alerts_of(batch, self.notifier.policy), bell_rung=rang)
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
            self.collector.tick()
        except Exception as exc:
            self.report_failure("updating the clock", exc)
        # Their own turns of the loop: a frame of 10,000 changes and the save of their
        # statuses, back to back, held a key press for twice as long. Unchanged answers
        # make no frame, but replace the engine's last: collected here (`state/collector`).
        loop = asyncio.get_running_loop()
        loop.call_soon(self.collector.young)
        loop.call_soon(self._save_if_due)

    def _save_if_due(self) -> None:
        try:
            self.session.save_if_due()
        except Exception as exc:
            self.report_failure("saving the watch list", exc)

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
