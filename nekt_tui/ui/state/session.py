"""The watch session: the model, the saved list, the poll engine and the reducer, in step.

No Textual here. Every screen (the dashboard today) drives the same `WatchSession`
through its commands (add, remove, undo, label: `session_list`; pause, refresh, cancel,
set key) and
hears back through a `SessionView`: one-line messages, "the list changed", engine events.
Without an API key the engine is a `NullScheduler`, so no command checks for a missing one.
"""

from __future__ import annotations

import logging
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from nekt_tui.api.errors import InvalidRunIdError, NektError, RateLimitedError
from nekt_tui.clock import Clock, SystemClock
from nekt_tui.ui.intervals import IntervalLadder
from nekt_tui.ui.state import cancel as cancelling
from nekt_tui.ui.state.connection import Connection, ConnKind, Polling
from nekt_tui.ui.state.model import Row, StatusValue, WatchModel
from nekt_tui.ui.state.ports import NullScheduler, PollSettings, RecordingView, SessionView
from nekt_tui.ui.state.reactions import EventReducer, Severity
from nekt_tui.ui.state.session_list import ListCommands
from nekt_tui.ui.state.store import RunStore, follow_elsewhere, status_save_every
from nekt_tui.watch.events import Event

if TYPE_CHECKING:
    from nekt_tui.ui.state.following import FollowSettings, SessionFollow
    from nekt_tui.watch.bandwidth import Pacing
    from nekt_tui.watch.engine import RunSource
    from nekt_tui.watch.scheduler import Scheduler

log = logging.getLogger(__name__)


class WatchSession(ListCommands):
    """The runs being watched and every command on them, kept in step.

    The backend is a `source` (a `RunSource`, e.g. `NektClient`: the session builds its
    `Scheduler`), or `connect()` that makes one when polling starts (after the first
    frame: the HTTP stack costs more to import than the frame), or a ready `scheduler`
    (followed through its `events()`, never closed by the session). `make_source(key)`
    makes a client for a key typed in the app; `problem` starts without a key, saying it.
    `read_only`: cancelling is off (the clients refuse anything but GETs as well).
    """

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        store: RunStore | None = None,
        source: RunSource | None = None,
        scheduler: Scheduler | None = None,
        connect: Callable[[], RunSource] | None = None,
        make_source: Callable[[str], RunSource] | None = None,
        on_close: Callable[[], Awaitable[None]] | None = None,
        rng: random.Random | None = None,
        settings: PollSettings | None = None,
        initial_ids: Sequence[str] = (),
        problem: str | None = None,
        config_hint: str = "the config file",
        read_only: bool = False,
        follow: FollowSettings | None = None,
    ) -> None:
        settings = settings or PollSettings()
        self.clock: Clock = clock or SystemClock()
        self.model = WatchModel()
        self.store = store or RunStore.in_memory()
        self.conn = Connection()
        self.config_hint = config_hint
        self.read_only = read_only
        self.reducer = EventReducer(self.model, self.conn, config_hint)
        self._polling = Polling(settings.interval, settings.waiting_interval)
        # Not `scheduler or ...`: a scheduler watching nothing yet is falsy (it has a len).
        self.scheduler: Scheduler | NullScheduler = (
            scheduler
            if scheduler is not None
            else NullScheduler(settings.interval, settings.waiting_interval)
        )
        self._own_scheduler = scheduler is None
        #: A scheduler given ready-made: followed through its event stream once started.
        self._given = scheduler
        self.source = source
        self.make_source = make_source
        self._connect = connect
        self._on_close = on_close
        self._rng = rng
        self._settings = settings
        self._initial_ids = list(initial_ids)
        #: Sources the session built itself (`connect()`, a key typed with K): closed with it.
        self._built_sources: list[RunSource] = []
        self.view: SessionView = RecordingView(self)
        #: Each removal (one run, or all the marked or finished ones) with each row's place
        #: in the saved list, for undo: one u brings back one removal (last first).
        self.removed: list[list[tuple[Row, int | None]]] = []
        #: Runs whose cancel request is on its way: a second X must not send another.
        self.cancels_sent: set[str] = set()
        #: Statuses were kept since the last save.
        self.save_pending = False
        self._saved_at = float("-inf")
        #: Set on the first faster/slower, from the intervals then in force.
        self._ladder: IntervalLadder | None = None
        self.model.fresh_source = self._fresh_at
        #: Follow rules (`ui.state.following.follow_task` starts them once polling does).
        self.follow_settings = follow
        self.following: SessionFollow | None = None
        self.model.pace_source = self._pacing_of
        if problem is not None:
            self.conn.kind = ConnKind.NO_KEY
            self.conn.message = problem

    # ---- state -------------------------------------------------------------------------

    @property
    def polling_live(self) -> bool:
        """Whether a real engine polls (False until there is a key)."""
        return not isinstance(self.scheduler, NullScheduler)

    def now(self) -> datetime:
        """The injected clock's time (aware, UTC)."""
        return self.clock.now()

    def polling(self) -> Polling:
        """What the header shows about polling."""
        self._polling.paused_runs = self.model.paused_runs
        self._polling.runs = len(self.model)
        return self._polling

    def _fresh_at(self, run_id: str) -> datetime | None:
        if run_id not in self.scheduler:
            return None
        return self.scheduler.state(run_id).last_success

    def _pacing_of(self, run_id: str) -> Pacing | None:
        pacing = getattr(self.scheduler, "pacing", None)  # not before polling starts
        return pacing(run_id) if callable(pacing) else None

    def next_due(self, run_id: str) -> datetime | None:
        """When the engine polls `run_id` next (None: not polled)."""
        if run_id not in self.scheduler:
            return None
        return self.scheduler.state(run_id).next_due

    # ---- lifecycle ---------------------------------------------------------------------

    def load(self) -> list[str]:
        """Load the saved list, then the initial runs (saved); the initial runs not saved before."""
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
            self.save()
        if self.store.message:
            self.view.say(self.store.message, "warning", 30)
        return new

    def start_polling(self) -> Coroutine[Any, Any, None] | None:
        """Build the engine if there is a source (or `connect()`), watch every row, start it.

        Returns what must run in the background to follow a given scheduler's events.
        """
        follow = None
        if not self.polling_live and self.source is None and self._connect is not None:
            self.source = self._connect()
            self._connect = None
            self._built_sources.append(self.source)
        if not self.polling_live and self.source is not None:
            from nekt_tui.watch.scheduler import Scheduler  # not needed for the first frame

            view = self  # the view is looked up per event: it may be replaced later
            self.scheduler = Scheduler(
                self.source,
                clock=self.clock,
                interval=self._polling.interval,
                waiting_interval=self._polling.waiting_interval,
                concurrency=self._settings.concurrency,
                sweep=self._settings.run_list,
                max_bandwidth=self._settings.max_bandwidth,
                on_event=lambda event: view.view.on_engine_event(event),
                rng=self._rng,
            )
        elif self._given is not None:
            given, self._given = self._given, None
            self._polling.interval = given.interval
            self._polling.waiting_interval = given.waiting_interval
            # Subscribe now, before any poll can answer, so no event is missed.
            follow = self._follow_events(given.events())
        if not self.polling_live:
            return follow
        for row in self.model.rows.values():
            try:
                self.scheduler.watch(row.run_id, row.saved_status)
            except ValueError as exc:  # a hand-edited list with a bad ID
                row.error = InvalidRunIdError(row.run_id)
                log.warning("not watching %s: %s", row.run_id, exc)
                continue
            if row.paused:  # paused before there was a key: stays paused
                self.scheduler.pause(row.run_id)
        if self._polling.all_paused:
            self.scheduler.pause()
        self.scheduler.start()
        return follow

    async def _follow_events(self, stream: AsyncIterator[Event]) -> None:
        async for event in stream:
            self.view.on_engine_event(event)

    def apply(self, event: Event) -> None:
        """Fold one engine event into the model (drawn from `reducer.take()`)."""
        self.reducer.apply(event)

    async def close(self) -> None:
        """Save the list, stop polling (an engine it built), close the sources it built."""
        self.save(follow=False)
        if self._own_scheduler:
            await self.scheduler.aclose()
        if self._on_close is not None:
            await self._on_close()
        for source in self._built_sources:
            close = getattr(source, "aclose", None)
            if close is not None:
                await close()

    def save(self, *, follow: bool = True) -> None:
        """Write the list (atomically, merged with other instances' changes, which `follow`
        takes in); a failure is said once per reason, not raised."""
        self.save_pending = False
        self._saved_at = self.clock.monotonic()
        try:
            saved = self.store.save()
        except Exception as exc:
            self.view.report_failure("saving the watch list", exc)
            return
        if saved.notice:
            self.view.say(saved.notice, "error" if saved.failed else "information", 30)
        if follow and follow_elsewhere(saved, self.model, self.scheduler, self.reducer.forget):
            self.view.list_changed()

    def keep_statuses(self, saved: dict[str, tuple[StatusValue, datetime]]) -> None:
        """Write the statuses the engine reported to the list at the next `save_if_due`."""
        for run_id, (status, at) in saved.items():
            self.store.set_status(run_id, status, at)
            self.save_pending = True

    def save_if_due(self) -> None:
        """Save when statuses changed since the last save: not per answer, and no more
        often than `status_save_every` (once a second for a short list)."""
        if not self.save_pending:
            return
        if self.clock.monotonic() - self._saved_at >= status_save_every(len(self.model)):
            self.save()

    # ---- polling -----------------------------------------------------------------------

    def _need_engine(self) -> bool:
        if not self.polling_live:
            self.view.say("Not polling: " + (self.conn.message or "no API key"), "warning")
            return False
        return True

    def toggle_pause(self, run_id: str) -> Row | None:
        """Pause or resume one run; its row (None: not watched)."""
        row = self.model.get(run_id)
        if row is None:
            return None
        self.model.set_paused(row, not row.paused)
        row.touch()
        if row.paused:
            self.scheduler.pause(row.run_id)
        else:
            self.scheduler.resume(row.run_id)
        return row

    def toggle_pause_all(self) -> bool:
        """Pause or resume all polling; whether it is now paused."""
        polling = self.polling()
        polling.all_paused = not polling.all_paused
        if polling.all_paused:
            self.scheduler.pause()
        else:
            self.scheduler.resume()
        self.view.say("All polling paused (P resumes)" if polling.all_paused else "Polling resumed")
        return polling.all_paused

    def refresh(self, run_id: str) -> None:
        """Poll one run now."""
        if self._need_engine():
            self.scheduler.refresh(run_id)

    def refresh_all(self) -> None:
        """Poll every run now (and try a refused key again)."""
        if not self._need_engine():
            return
        if self.scheduler.auth_error is not None:
            self.scheduler.retry_auth()
        self.scheduler.refresh()
        self.view.say(f"Refreshing {len(self.model)} runs")

    def change_interval(self, direction: int) -> None:
        """Poll more (-1) or less (+1) often, one step of the ladder."""
        polling = self.polling()
        if self._ladder is None:
            self._ladder = IntervalLadder(polling.interval, polling.waiting_interval)
        interval, waiting = self._ladder.move(polling.interval, direction)
        polling.interval, polling.waiting_interval = interval, waiting
        self.scheduler.interval = interval
        self.scheduler.waiting_interval = waiting
        self.view.say(f"Polling active runs every {interval:g}s, waiting runs every {waiting:g}s")

    def set_key(self, key: str | None) -> bool:
        """Poll with a new API key for this session (never shown, logged or saved); whether
        it is being tried."""
        if not key:
            return False
        if self.make_source is None:
            self.view.say("This session cannot change its key.", "warning")
            return False
        source = self.make_source(key)
        self._built_sources.append(source)
        self.conn.kind, self.conn.message = ConnKind.CONNECTING, ""
        if not self.polling_live:
            self.source = source
            self.start_polling()
        else:
            self.scheduler.set_source(source)
            self.scheduler.refresh()
        self.view.say("Trying the new key…")
        return True

    # ---- cancelling --------------------------------------------------------------------

    def cancel_target(self, run_id: str) -> tuple[Row, cancelling.RunCanceller] | None:
        """The row and the source to cancel it with, or None after saying why not."""
        if self.read_only:
            self.view.say(cancelling.READ_ONLY, "warning")
            return None
        row = self.model.get(run_id)
        if row is None:  # removed while the dialog was up
            return None
        why_not = cancelling.refusal(row, self.cancels_sent)
        if why_not is not None:
            self.view.say(why_not)
            return None
        # The engine's source is the current one: K may have replaced the first.
        source = self.scheduler.source if self.polling_live else self.source
        if not isinstance(source, cancelling.RunCanceller):
            said = cancelling.cannot_send(source is None, self.conn.kind, self.conn.message)
            self.view.say(said, "warning")
            return None
        return row, source

    def cancel(self, run_id: str) -> Coroutine[Any, Any, None] | None:
        """Claim the cancel of `run_id` (checked again: it may have finished meanwhile); the
        request to send in the background, or None after saying why not."""
        target = self.cancel_target(run_id)
        if target is None:
            return None
        row, source = target
        self.cancels_sent.add(run_id)
        return self._send_cancel(source, run_id, row.title)

    async def _send_cancel(self, source: cancelling.RunCanceller, run_id: str, title: str) -> None:
        try:
            # The answer is the flat shape (no pipeline, no log): it is not shown; the poll
            # asked for below brings the whole run.
            await source.cancel_run(run_id)
        except NektError as exc:
            severity: Severity = "warning" if isinstance(exc, RateLimitedError) else "error"
            self.view.say(cancelling.failure_text(title, exc, self.now()), severity)
            if not cancelling.poll_after(exc):
                return
        else:
            self.view.say(f"Cancel requested: {title}")
        finally:
            self.cancels_sent.discard(run_id)
        if run_id in self.scheduler:
            self.scheduler.refresh(run_id)
