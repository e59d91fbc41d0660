"""The nekt-tui app: what every key does, and the command palette entries for them.

Keys are bound on the main screen as `app.<action>`; the help screen and the command
palette read the same names, so a key, its help line and its command cannot drift apart.
State, the engine wiring and drawing live in `NektCore` (core.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, ClassVar

from textual.app import SystemCommand
from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.screen import Screen

from nekt_tui.api.enums import RunStatus
from nekt_tui.api.errors import NektError, RateLimitedError
from nekt_tui.ui import cancel
from nekt_tui.ui.core import NektCore
from nekt_tui.ui.guard import guarded
from nekt_tui.ui.intervals import INTERVAL_STEPS as INTERVAL_STEPS  # re-exported
from nekt_tui.ui.intervals import IntervalLadder
from nekt_tui.ui.keymap import checked_keymap, keys_of
from nekt_tui.ui.model import SORT_LABELS, Row, clean_label
from nekt_tui.ui.screens.main import MainScreen
from nekt_tui.ui.widgets.log_panel import LogPanel
from nekt_tui.ui.widgets.watch_list import WatchList

#: (binding id, command palette title) for every key of the main screen: the palette's
#: help line is the binding's tooltip and its keys in force (`screens/main.py`).
COMMANDS: tuple[tuple[str, str], ...] = (
    ("add", "Add runs"),
    ("remove", "Remove run"),
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
    return [MainScreen, WatchList, LogPanel, NektApp]


def check_keys(keymap: Mapping[str, str]) -> dict[str, str]:
    """The config's `[keys]`, checked: ValueError with one line for an unknown binding id
    or a malformed key."""
    return checked_keymap(keymap, key_classes())


class NektApp(NektCore):
    """Watch Nekt pipeline runs: the app with its keys."""

    CSS_PATH = "app.tcss"

    # Declared, not left for Textual to add at start-up: the help reads every key from
    # the classes' BINDINGS, and a `[keys]` entry can move it like any other.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            NektCore.COMMAND_PALETTE_BINDING,
            "command_palette",
            "palette",
            show=False,
            priority=True,
            tooltip="Open the command palette",
            id="command-palette",
        )
    ]

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's commands, plus every key's action when on the main screen."""
        yield from super().get_system_commands(screen)
        if screen is self.main:
            yield from self.commands()

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
        new = [run_id for run_id in run_ids or [] if run_id not in self.model]
        if not new:
            return
        for run_id in new:
            self.model.add(run_id)
            self.store.add(run_id)
            if self.scheduler is not None:
                self.scheduler.watch(run_id)
        self.save_now()
        self.list_changed()
        self.widgets.watch_list.select(new[0])
        self.notify(f"Watching {len(new)} more run{'s' if len(new) > 1 else ''}", markup=False)

    @guarded("removing a run")
    def action_remove(self) -> None:
        """Stop watching the selected run (u brings it back)."""
        run_id = self.widgets.watch_list.selected
        row = self.model.remove(run_id) if run_id is not None else None
        if run_id is None or row is None:
            return
        index = self.store.remove(run_id)
        if self.scheduler is not None and run_id in self.scheduler:
            self.scheduler.unwatch(run_id)
        self.reducer.forget(run_id)
        self.removed.append((row, index))
        self.save_now()
        self.list_changed()
        self.notify(f"Removed {row.title} (u undoes)", markup=False)

    @guarded("undoing a removal")
    def action_undo(self) -> None:
        """Bring back the last removed run, in its old place."""
        if not self.removed:
            self.notify("Nothing to undo", markup=False)
            return
        row, index = self.removed.pop()
        self.model.restore(row)
        self.store.add(row.run_id, row.label, row.status, index)
        if self.scheduler is not None:
            self.scheduler.watch(row.run_id, row.status)
            if row.paused:
                self.scheduler.pause(row.run_id)
        self.save_now()
        self.list_changed()
        self.widgets.watch_list.select(row.run_id)
        self.notify(f"Restored {row.title}", markup=False)

    @guarded("opening the label dialog")
    def action_label(self) -> None:
        """Ask for a label for the selected run."""
        run_id = self.widgets.watch_list.selected
        row = self.model.get(run_id) if run_id is not None else None
        if row is None:
            self.notify("No run selected to label", markup=False)
            return
        from nekt_tui.ui.screens.label_dialog import LabelDialog

        self.push_screen(
            LabelDialog(row.label, row.pipeline_title),
            lambda text: self.set_label(row.run_id, text),
        )

    @guarded("labelling a run")
    def set_label(self, run_id: str, text: str | None) -> None:
        """Set (or with "" clear) a run's label, save the list, redraw; None changes nothing."""
        row = self.model.get(run_id)
        if text is None or row is None:  # cancelled, or removed while the dialog was open
            return
        label = clean_label(text)
        if label == row.label:
            return
        row.label = label
        row.touch()
        self.store.set_label(run_id, label)
        self.save_now()
        if self.model.order_depends_on_data():
            # The filter matches labels: the row may now be hidden, or shown (counts too).
            self.list_changed()
        else:
            self.widgets.watch_list.rows_changed([run_id])
            self.show_selected(run_id, log=False)
        said = f"Labelled {row.title}" if label else f"Label cleared: {row.title}"
        self.notify(said, markup=False)

    @guarded("moving to a failed run")
    def action_next_failed(self) -> None:
        """Move the cursor to the next failed run shown, after the cursor (wrapping)."""
        watch_list = self.widgets.watch_list
        view = self.model.view
        start = watch_list.cursor
        for step in range(1, len(view) + 1):
            run_id = view[(start + step) % len(view)]
            row = self.model.rows.get(run_id)
            if row is not None and row.status is RunStatus.FAILED:
                watch_list.select(run_id)
                return
        hidden = " (the filter may hide some)" if self.model.filtered else ""
        self.notify(f"No failed run in the list{hidden}", markup=False)

    @guarded("sorting")
    def action_sort(self) -> None:
        """Next sort order."""
        mode = self.model.cycle_sort()
        self.list_changed()
        self.notify(f"Sorted by {SORT_LABELS[mode]}", markup=False)

    @guarded("filtering")
    def set_filter(self, text: str) -> None:
        """Show only matching runs (`/`); a filter naming an unknown status changes nothing."""
        problem = self.model.set_filter(text)
        self.main.show_filter_problem(problem)
        if problem is None:
            self.list_changed()

    # ---- polling -----------------------------------------------------------------------

    def _need_scheduler(self) -> bool:
        if self.scheduler is None:
            self.notify(
                "Not polling: " + (self.conn.message or "no API key"),
                severity="warning",
                markup=False,
            )
            return False
        return True

    @guarded("refreshing")
    def action_refresh(self) -> None:
        """Poll the selected run now."""
        run_id = self.widgets.watch_list.selected
        if run_id is not None and self._need_scheduler() and self.scheduler is not None:
            self.scheduler.refresh(run_id)

    @guarded("refreshing")
    def action_refresh_all(self) -> None:
        """Poll every run now (and try a refused key again)."""
        if not self._need_scheduler() or self.scheduler is None:
            return
        if self.scheduler.auth_error is not None:
            self.scheduler.retry_auth()
        self.scheduler.refresh()
        self.notify(f"Refreshing {len(self.model)} runs", markup=False)

    # ---- cancelling --------------------------------------------------------------------

    def _cancel_target(self, run_id: str) -> tuple[Row, cancel.RunCanceller] | None:
        """The row and the source to cancel it with, or None after a toast saying why not."""
        row = self.model.get(run_id)
        if row is None:  # removed while the dialog was up
            return None
        why_not = cancel.refusal(row, self.cancels_sent)
        if why_not is not None:
            self.notify(why_not, markup=False)
            return None
        # The scheduler's source is the current one: K may have replaced the first.
        source = self.scheduler.source if self.scheduler is not None else self._source
        if not isinstance(source, cancel.RunCanceller):
            said = cancel.cannot_send(source is None, self.conn.kind, self.conn.message)
            self.notify(said, severity="warning", markup=False)
            return None
        return row, source

    @guarded("opening the cancel dialog")
    def action_cancel_run(self) -> None:
        """Ask, then ask the API to cancel the selected run."""
        run_id = self.widgets.watch_list.selected
        if run_id is None:
            self.notify("No run selected to cancel", markup=False)
            return
        target = self._cancel_target(run_id)
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
        # Checked again: the run may have finished, or been removed, while the dialog was up.
        target = self._cancel_target(run_id)
        if target is None:
            return
        row, source = target
        self.cancels_sent.add(run_id)
        self.run_worker(
            self._send_cancel(source, run_id, row.title),
            name="cancelling a run",
            group="cancel",
            exit_on_error=False,
        )

    async def _send_cancel(self, source: cancel.RunCanceller, run_id: str, title: str) -> None:
        try:
            # The answer is the flat shape (no pipeline, no log): it is not shown; the poll
            # asked for below brings the whole run.
            await source.cancel_run(run_id)
        except NektError as exc:
            self.notify(
                cancel.failure_text(title, exc, self.now()),
                severity="warning" if isinstance(exc, RateLimitedError) else "error",
                markup=False,
            )
            if not cancel.poll_after(exc):
                return
        else:
            self.notify(f"Cancel requested: {title}", markup=False)
        finally:
            self.cancels_sent.discard(run_id)
        scheduler = self.scheduler
        if scheduler is not None and run_id in scheduler:
            scheduler.refresh(run_id)

    @guarded("pausing")
    def action_pause(self) -> None:
        """Pause or resume the selected run."""
        run_id = self.widgets.watch_list.selected
        row = self.model.get(run_id) if run_id is not None else None
        if row is None:
            return
        self.model.set_paused(row, not row.paused)
        row.touch()
        if self.scheduler is not None:
            if row.paused:
                self.scheduler.pause(row.run_id)
            else:
                self.scheduler.resume(row.run_id)
        self.widgets.watch_list.rows_changed([row.run_id])
        self.show_selected(row.run_id, log=False)
        self.widgets.header.redraw()

    @guarded("pausing")
    def action_pause_all(self) -> None:
        """Pause or resume all polling."""
        polling = self.polling()
        polling.all_paused = not polling.all_paused
        if self.scheduler is not None:
            if polling.all_paused:
                self.scheduler.pause()
            else:
                self.scheduler.resume()
        self.widgets.header.redraw()
        self.notify(
            "All polling paused (P resumes)" if polling.all_paused else "Polling resumed",
            markup=False,
        )

    #: Set on the first `+` or `-`, from the intervals then in force (the configured ones).
    _ladder: IntervalLadder | None = None

    def _set_interval(self, direction: int) -> None:
        polling = self.polling()
        if self._ladder is None:
            self._ladder = IntervalLadder(polling.interval, polling.waiting_interval)
        interval, waiting = self._ladder.move(polling.interval, direction)
        polling.interval, polling.waiting_interval = interval, waiting
        if self.scheduler is not None:
            self.scheduler.interval = interval
            self.scheduler.waiting_interval = waiting
        self.widgets.header.redraw()
        self.notify(
            f"Polling active runs every {interval:g}s, waiting runs every {waiting:g}s",
            markup=False,
        )

    @guarded("changing the interval")
    def action_faster(self) -> None:
        """Poll more often."""
        self._set_interval(-1)

    @guarded("changing the interval")
    def action_slower(self) -> None:
        """Poll less often."""
        self._set_interval(+1)

    # ---- screens -----------------------------------------------------------------------

    @guarded("opening the key dialog")
    def action_set_key(self) -> None:
        """Ask for an API key for this session."""
        from nekt_tui.ui.screens.key_dialog import KeyDialog

        self.push_screen(KeyDialog(self.config_hint), self.use_key)

    @guarded("using the new key")
    def use_key(self, key: str | None) -> None:
        """Poll with a new API key for this session (never shown, logged or saved)."""
        if not key:
            return
        if self._make_source is None:
            self.notify("This session cannot change its key.", severity="warning", markup=False)
            return
        source = self._make_source(key)
        self._built_sources.append(source)
        self.conn.kind, self.conn.message = "connecting", ""
        if self._scheduler is None:
            self._source = source
            self._start_polling()
        else:
            self._scheduler.set_source(source)
            self._scheduler.refresh()
        self._show_notice()
        self.widgets.header.redraw()
        self.notify("Trying the new key…", markup=False)

    @guarded("opening the help")
    def action_help(self) -> None:
        """Show every key."""
        from nekt_tui.ui.screens.help_screen import HelpScreen, help_sections

        w = self.widgets
        sections = help_sections(
            self,
            [
                ("Everywhere", self.main),
                ("Watch list", w.watch_list),
                ("Log panel", w.log_panel),
                ("App", self),
            ],
        )
        extra = [
            "Filter: words match label, pipeline, ID or status; status:failed,running picks those.",
            "Sort orders: added, status (failures first), pipeline, started (newest first).",
            "When the log panel has the focus its keys come first: / searches the log there.",
            "Every action is also in the command palette (ctrl+p).",
        ]
        self.push_screen(HelpScreen(sections, extra))
