"""The app's state and its wiring to the engine; the keys are added by `NektApp` (app.py).

The app is handed its backend (a run source or a ready scheduler, a clock, a watch list)
so tests and the demo run against the in-process simulator. Engine events are folded into
the UI model as they come (`EventReducer`) and drawn once per frame (`draw_now`).
"""

from __future__ import annotations

import gc
import logging
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.content import Content
from textual.screen import Screen

from nekt_tui.api.errors import InvalidRunIdError
from nekt_tui.clock import Clock, SystemClock
from nekt_tui.ui.model import Row, WatchModel
from nekt_tui.ui.reactions import (
    Batch,
    EventReducer,
    away_text,
    severity,
    should_ring,
    summary,
    transition_text,
)
from nekt_tui.ui.screens.main import MainScreen, Widgets
from nekt_tui.ui.status_style import SIXTEEN_COLOURS, look, status_variables
from nekt_tui.ui.store import RunStore, follow_elsewhere
from nekt_tui.ui.widgets.header_bar import Connection, Polling, notice_content
from nekt_tui.ui.widgets.status_panel import conn_problem, problem_text
from nekt_tui.watch.events import Event

if TYPE_CHECKING:
    from nekt_tui.watch.engine import RunSource
    from nekt_tui.watch.scheduler import Scheduler

log = logging.getLogger(__name__)


#: More transitions than this in one frame become one summary toast.
TOAST_LIMIT = 3
#: Engine events are drawn at most this often (seconds): 2,000 runs polled every 2 s
#: are 1,000 answers a second, and each frame re-sorts and redraws at most once.
FRAME = 1 / 30


class NektCore(App[int]):
    """State, lifecycle and engine events of the app.

    Backend, all injectable: `source` (a `RunSource`, e.g. `NektClient`; the app builds
    its `Scheduler`), or `connect()` that makes one once the first frame is on screen (the
    HTTP stack and the models cost more to import than the whole first frame), or a ready
    `scheduler` (the app follows its `events()`), `clock`,
    `store` (the saved watch list), `make_source(key)` (a client for a key typed in the
    app), `rng` (the scheduler's jitter). `problem` opens the app in the no-key state with
    that message; `tick_interval=None` leaves the once-a-second redraw to `tick()` calls.
    """

    TITLE = "nekt-tui"

    def __init__(
        self,
        *,
        source: RunSource | None = None,
        scheduler: Scheduler | None = None,
        clock: Clock | None = None,
        store: RunStore | None = None,
        host: str = "",
        demo: bool = False,
        initial_ids: Sequence[str] = (),
        interval: float = 2.0,
        waiting_interval: float = 5.0,
        concurrency: int = 8,
        run_list: bool = True,
        bell: str = "failures",
        theme: str | None = None,
        problem: str | None = None,
        config_hint: str = "the config file",
        on_close: Callable[[], Awaitable[None]] | None = None,
        rng: random.Random | None = None,
        make_source: Callable[[str], RunSource] | None = None,
        connect: Callable[[], RunSource] | None = None,
        log_max_lines: int = 500_000,
        tick_interval: float | None = 1.0,
    ) -> None:
        super().__init__()
        self.clock: Clock = clock or SystemClock()
        self.model = WatchModel()
        self.store = store or RunStore.in_memory()
        self.host = host
        self.demo = demo
        self.bell_policy = bell
        self.conn = Connection()
        self._polling = Polling(interval, waiting_interval)
        self._source = source
        self._scheduler = scheduler
        self._own_scheduler = scheduler is None
        self._concurrency = concurrency
        self._run_list = run_list
        self._initial_ids = list(initial_ids)
        self._on_close = on_close
        self._rng = rng
        self._make_source = make_source
        self._connect = connect
        self.log_max_lines = log_max_lines
        #: Seconds between redraws of moving text; None: only `tick()` calls (tests).
        self.tick_interval = tick_interval
        #: Sources the app built itself (`connect()`, a key typed with K): closed with it.
        self._built_sources: list[RunSource] = []
        self.model.fresh_source = self._fresh_at
        self.config_hint = config_hint
        self.reducer = EventReducer(self.model, self.conn, config_hint)
        self.main = MainScreen()
        self._widgets: Widgets | None = None
        self._flush_pending = False
        self._save_pending = False
        self._failures_reported: set[str] = set()
        self._shown_run: str | None = None
        self.removed: list[tuple[Row, int | None]] = []
        #: Runs whose cancel request is on its way: a second X must not send another.
        self.cancels_sent: set[str] = set()
        self.bells_rung = 0
        #: True once the watch list is loaded and polling has started.
        self.started = False
        if problem is not None:
            self.conn.kind = "no_key"
            self.conn.message = problem
        if theme:
            self.theme = theme

    # ---- Textual hooks -----------------------------------------------------------------

    def get_default_screen(self) -> Screen[Any]:
        """The dashboard."""
        return self.main

    def get_css_variables(self) -> dict[str, str]:
        """The theme's variables plus the status palette derived from them (the standard
        palette's colours on a 16-colour terminal)."""
        sixteen = self.console.color_system in SIXTEEN_COLOURS
        return status_variables(super().get_css_variables(), sixteen=sixteen)

    # ---- state for the widgets ---------------------------------------------------------

    def now(self) -> datetime:
        """The injected clock's time (aware, UTC)."""
        return self.clock.now()

    def polling(self) -> Polling:
        """What the header shows about polling."""
        self._polling.paused_runs = self.model.paused_runs
        self._polling.runs = len(self.model)
        return self._polling

    def _fresh_at(self, run_id: str) -> datetime | None:
        scheduler = self._scheduler
        if scheduler is None or run_id not in scheduler:
            return None
        return scheduler.state(run_id).last_success

    def _show_log_problem(self, row: Row | None) -> None:
        """Tell the log panel what the selected run's last poll met (and its next try)."""
        if row is None:
            return
        scheduler = self._scheduler
        due = None
        if scheduler is not None and row.run_id in scheduler:
            due = scheduler.state(row.run_id).next_due
        # A run never fetched names what stops every run (a refused key, the host down).
        stopped = self.conn.error if self.conn.kind in ("auth", "unreachable") else None
        error = stopped if row.run is None and stopped is not None else row.error
        self.widgets.log_panel.show_problem(
            row.run_id, error, now=self.now(), next_try=due, waiting_since=row.slow_since
        )

    @property
    def scheduler(self) -> Scheduler | None:
        """The poll engine (None without an API key)."""
        return self._scheduler

    @property
    def widgets(self) -> Widgets:
        """The main screen's widgets (whatever screen is on top)."""
        if self._widgets is None:
            self._widgets = self.main.widgets()
        return self._widgets

    # ---- lifecycle ---------------------------------------------------------------------

    def start(self) -> None:
        """Load the watch list and start the 1 s tick (once the screen is up); start polling
        once the first frame is drawn."""
        saved = []
        for entry in self.store.entries():
            row = self.model.add(entry.run_id, entry.label, entry.status)
            if entry.status is not None:
                saved.append(row.run_id)
        self.reducer.expect_away(saved)
        new = [run_id for run_id in self._initial_ids if run_id not in self.model]
        for run_id in new:
            self.model.add(run_id)
            self.store.add(run_id)
        if new:
            self.save_now()
        self.list_changed()
        if new:
            self.widgets.watch_list.select(new[0])
        self._show_notice()
        if self.store.message:
            self.notify(self.store.message, severity="warning", timeout=30, markup=False)
        if self.tick_interval is not None:
            self.set_interval(self.tick_interval, self.tick)
        self.call_after_refresh(self._start_after_first_frame)

    def _start_after_first_frame(self) -> None:
        try:
            self._start_polling()
        except Exception as exc:  # e.g. a client that cannot be built: say so, keep the list
            self.report_failure("starting to poll", exc)
        self.started = True
        # Move everything alive now (Textual, widgets, the loaded list, the client) out of
        # the collector's reach: with 2,000 runs, full collections otherwise stall 30-110
        # ms. The command line holds the collector off until here (see `cli._run_app`).
        gc.freeze()
        gc.enable()

    def _start_polling(self) -> None:
        if self._scheduler is None and self._source is None and self._connect is not None:
            self._source = self._connect()
            self._connect = None
            self._built_sources.append(self._source)
        if self._scheduler is None and self._source is not None:
            from nekt_tui.watch.scheduler import Scheduler  # not needed for the first frame

            self._scheduler = Scheduler(
                self._source,
                clock=self.clock,
                interval=self._polling.interval,
                waiting_interval=self._polling.waiting_interval,
                concurrency=self._concurrency,
                sweep=self._run_list,
                on_event=self.on_engine_event,
                rng=self._rng,
            )
        elif self._scheduler is not None:
            self._polling.interval = self._scheduler.interval
            self._polling.waiting_interval = self._scheduler.waiting_interval
            # Subscribe now, before any poll can answer, so no event is missed.
            stream = self._scheduler.events()
            self.run_worker(self._follow_events(stream), group="events", exit_on_error=False)
        if self._scheduler is None:
            return
        for row in self.model.rows.values():
            try:
                self._scheduler.watch(row.run_id, row.saved_status)
            except ValueError as exc:  # a hand-edited list with a bad ID
                row.error = InvalidRunIdError(row.run_id)
                log.warning("not watching %s: %s", row.run_id, exc)
        if self._polling.all_paused:
            self._scheduler.pause()
        self._scheduler.start()

    async def _follow_events(self, stream: AsyncIterator[Event]) -> None:
        async for event in stream:
            self.on_engine_event(event)

    async def on_unmount(self) -> None:
        """Save the watch list, stop polling, close the client."""
        gc.unfreeze()  # what was frozen at start can be collected again (tests run many apps)
        self.save_now(follow=False)
        if self._scheduler is not None and self._own_scheduler:
            await self._scheduler.aclose()
        if self._on_close is not None:
            await self._on_close()
        for source in self._built_sources:
            close = getattr(source, "aclose", None)
            if close is not None:
                await close()

    def save_now(self, *, follow: bool = True) -> None:
        """Write the watch list (atomically, merged with other instances' changes, which
        `follow` shows); a failure is said once per reason, not raised."""
        self._save_pending = False
        try:
            saved = self.store.save()
        except Exception as exc:
            self.report_failure("saving the watch list", exc)
            return
        if saved.notice:
            self.notify(
                saved.notice,
                severity="error" if saved.failed else "information",
                timeout=30,
                markup=False,
            )
        if follow and follow_elsewhere(saved, self.model, self.scheduler, self.reducer.forget):
            self.list_changed()

    # ---- engine events -> screen -------------------------------------------------------

    def on_engine_event(self, event: Event) -> None:
        """The engine's callback: fold the event in now, draw at the next frame."""
        try:
            self.reducer.apply(event)
        except Exception as exc:
            self.report_failure("handling an update from the API", exc)
            return
        if not self._flush_pending:
            self._flush_pending = True
            self.set_timer(FRAME, self.draw_now)

    def draw_now(self) -> None:
        """Draw what the engine reported since the last frame (the frame timer calls it)."""
        if not self._flush_pending:
            return
        self._flush_pending = False
        try:
            self._apply(self.reducer.take())
        except Exception as exc:
            self.report_failure("updating the screen", exc)

    def _apply(self, batch: Batch) -> None:
        w = self.widgets
        for run_id, run, delta in batch.logs:
            w.log_panel.update_run(run_id, run, delta)
        if batch.rows:
            w.watch_list.rows_changed(batch.rows)
        w.watch_list.flash_many((row.run_id, look(t.new).key) for row, t in batch.transitions)
        self._toast(batch)
        if should_ring(self.bell_policy, [t.new for _, t in batch.transitions]):
            self.ring()
        for run_id, (status, at) in batch.saved.items():
            self.store.set_status(run_id, status, at)
            self._save_pending = True
        selected = w.watch_list.selected
        if selected is not None and selected in batch.rows:
            self.show_selected(selected, log=False)
        if batch.header:
            self._show_notice()
            if selected is not None and selected not in batch.rows:
                self.show_selected(selected, log=False)  # "the key was refused" and back
        w.header.redraw()

    def _toast(self, batch: Batch) -> None:
        changes = [t for _, t in batch.transitions]
        if len(changes) > TOAST_LIMIT:
            self.notify(
                f"{len(changes)} runs changed: {summary(changes)}",
                severity=severity(t.new for t in changes),
                markup=False,
            )
        else:
            for row, transition in batch.transitions:
                self.notify(
                    transition_text(row, transition),
                    severity=severity([transition.new]),
                    markup=False,
                )
        if batch.away_summary:
            self.notify(
                away_text(batch.away_rows),
                severity=severity(t.new for t in batch.away_summary),
                timeout=20,
                markup=False,
            )

    def ring(self) -> None:
        """Ring the terminal bell (counted, so the policy can be tested)."""
        self.bells_rung += 1
        self.bell()

    # ---- drawing helpers ---------------------------------------------------------------

    def run_problem(self, run_id: str) -> str | None:
        """Why `run_id` has no fresh data, in a few words ("not found", "server error, next
        try 14:03:12", "the API key was refused: ..."); None when nothing is wrong."""
        row = self.model.get(run_id)
        if row is None:
            return None
        problem = problem_text(row, self.now())
        if problem is None and row.run is None:
            problem = conn_problem(self.conn)
        return problem

    def show_selected(self, run_id: str | None, *, log: bool = True) -> None:
        """Point the panels at a run."""
        w = self.widgets
        row = self.model.get(run_id) if run_id is not None else None
        w.status.show(row)
        w.pipeline.show(row)
        if log and row is not None and run_id != self._shown_run:
            self._shown_run = run_id
            w.log_panel.select(row.run_id, row.run)
        self._show_log_problem(row)

    def list_changed(self) -> None:
        """Rows were added, removed, filtered or re-sorted."""
        w = self.widgets
        w.watch_list.structure_changed()
        total, shown = len(self.model), len(self.model.view)
        w.watch_list.border_title = f"Runs {shown}/{total}" if shown != total else f"Runs {total}"
        subtitle = f"sort: {self.model.sort}"
        if self.model.filtered:
            subtitle += f" · filter: {self.model.filter_text}"
        w.watch_list.border_subtitle = Content(subtitle)
        self.show_selected(w.watch_list.selected)
        w.header.redraw()

    def _show_notice(self) -> None:
        notice = notice_content(self.conn)
        w = self.widgets
        w.notice.display = notice is not None
        if notice is not None:
            w.notice.update(notice)

    def tick(self) -> None:
        """Once a second: elapsed times and freshness move, the running dot pulses."""
        try:
            self.draw_now()
            w = self.widgets
            w.watch_list.pulse_enabled = self.animation_level != "none"
            w.watch_list.tick()
            w.status.refresh_text()
            w.pipeline.refresh_text()
            selected = w.watch_list.selected  # "slow: waiting 45s" moves
            self._show_log_problem(self.model.get(selected) if selected is not None else None)
            w.header.redraw()
            if self._save_pending:
                self.save_now()
        except Exception as exc:
            self.report_failure("updating the clock", exc)

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
