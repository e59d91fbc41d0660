"""The log panel: the selected run's log, searchable, filterable, bounded, savable.

Only the selected run's log is held (in a bounded `LineStore`); for every other run the
panel remembers just where the user was (scroll position, search, filter) and rebuilds
from `run.parsed_log` when that run is selected again.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widget import Widget
from textual.widgets import Static

from nekt_tui.logview.save import default_log_name
from nekt_tui.logview.search import SearchQuery
from nekt_tui.logview.sgr import plain_text
from nekt_tui.logview.store import DEFAULT_CAP, LogDeltaLike, split_log
from nekt_tui.ui.widgets.log_search import LogSearchBar
from nekt_tui.ui.widgets.log_status import log_origin, problem_line, status_line
from nekt_tui.ui.widgets.log_view import LogView

if TYPE_CHECKING:
    from nekt_tui.api.errors import NektError
    from nekt_tui.api.models import Run
    from nekt_tui.watch.provenance import Provenance

NO_LOG = "no log in this response (flat shape): looking for it in the run list…"
NO_RUN = "no run selected"
WAITING = "waiting for the first poll of this run"


@dataclass
class _Place:
    """Where the user was in one run's log."""

    top_line: int | None = None
    follow: bool = True
    #: Sideways scroll: a search that went right to a match stays with its own run.
    scroll_x: float = 0.0
    query: SearchQuery | None = None
    filter_context: int | None = None


class LogPanel(Widget):
    """One run's log at a time, with follow, search, filter, save and copy."""

    DEFAULT_CSS = """
    LogPanel {
        layout: vertical;
        height: 1fr;
        LogView { height: 1fr; }
        #log-status {
            width: 1fr; height: 1; color: $text-muted; background: $panel; padding: 0 1;
        }
    }
    """

    # Three shown: the footer lists them before Quit and Help, which must fit at 80 columns.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f", "toggle_follow", "Follow", show=False, id="log-follow"),
        Binding("w", "toggle_wrap", "Wrap", id="log-wrap"),
        Binding("g", "top", "Top", show=False, id="log-top"),
        Binding("G", "bottom", "Bottom", show=False, id="log-bottom"),
        Binding("e", "first_error", "First error", id="log-first-error"),
        Binding("E", "next_error", "Next error", show=False, id="log-next-error"),
        Binding("l", "toggle_line_numbers", "Line numbers", show=False, id="log-line-numbers"),
        # Priority: run as the app reads the key, so keys queued behind it reach the box.
        Binding("slash", "open_search", "Search", priority=True, id="log-search"),
        Binding("n", "next_match", "Next match", show=False, id="log-next-match"),
        Binding("N", "previous_match", "Previous match", show=False, id="log-previous-match"),
        Binding("F", "toggle_filter", "Filter", show=False, id="log-filter"),
        Binding(
            "left_square_bracket", "context(-1)", "Less context", show=False, id="log-less-context"
        ),
        Binding(
            "right_square_bracket", "context(1)", "More context", show=False, id="log-more-context"
        ),
        Binding("ctrl+s", "save", "Save log", show=False, id="log-save"),
        Binding("c", "copy_visible", "Copy visible", show=False, id="log-copy-visible"),
        Binding("m", "copy_matches", "Copy matches", show=False, id="log-copy-matches"),
        Binding("C", "copy_all", "Copy log", show=False, id="log-copy-all"),
    ]

    DEFAULT_CONTEXT = 2
    #: Seconds of scanning for the next error between two turns of the event loop.
    SEEK_SLICE = 0.008

    def __init__(
        self,
        *,
        line_cap: int = DEFAULT_CAP,
        save_dir: Path | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.line_cap = line_cap
        self.save_dir = save_dir
        self.run_id: str | None = None
        self.run: Run | None = None
        self._places: dict[str, _Place] = {}
        self._loaded = False  # the view holds self.run's log
        self._regex = False
        self._filter_context = self.DEFAULT_CONTEXT
        self._status_shown: str | None = None
        self._problem: str | None = None  # what the selected run's last poll met
        self._origin: str | None = None  # "log from the run list, 4 s old"
        self._missing: str | None = None  # "log not available: …"
        self._seek_id = 0  # the error seek under way; a new one (or a new log) bumps it
        self._seeking = False
        self._view: LogView
        self._status: Static

    def compose(self) -> ComposeResult:
        """The log view, the search bar (hidden until `/`) and the status line."""
        # Kept, not queried each time: an append asks for them a dozen times.
        self._view = LogView(line_cap=self.line_cap, id="log-view")
        self._status = Static(id="log-status")
        yield self._view
        yield LogSearchBar(id="log-search")
        yield self._status

    @property
    def view(self) -> LogView:
        """The line view."""
        return self._view

    def on_mount(self) -> None:
        """Start with nothing selected."""
        self.view.show_message(NO_RUN)

    # --- the interface the app drives --------------------------------------------------

    def select(self, run_id: str, run: Run | None) -> None:
        """Show `run_id`'s log, restoring its scroll position, search and filter."""
        if run_id == self.run_id and self._loaded and run is not None:
            self.run = run
            return
        self._remember()
        self._cancel_seek()
        if run_id != self.run_id:
            self._problem = None  # the app says the new run's own, if it has one
            self._origin = self._missing = None
            self._close_search()  # a half-typed search was for the other run
        self.run_id, self.run = run_id, run
        self._loaded = False
        place = self._places.get(run_id, _Place())
        self._load(run)
        view = self.view
        view.search(place.query, jump=False)
        view.set_filter(place.filter_context if place.query is not None else None)
        view.scroll_to(x=place.scroll_x, animate=False, immediate=True, force=True)
        if place.follow or place.top_line is None:
            view.set_follow(True)
        else:
            view.follow = False
            view.scroll_to_line(place.top_line, top=True)
        self._update_status()

    def update_run(self, run_id: str, run: Run, delta: LogDeltaLike | None) -> None:
        """Apply a poll result; only the selected run's log is touched (incrementally)."""
        if run_id != self.run_id:
            return  # rebuilt from run.parsed_log when selected
        self.run = run
        if run.log is None or not self._loaded:
            self._load(run)
        else:
            self.view.sync(run.parsed_log, delta)
        self._update_status()

    def show_problem(
        self,
        run_id: str,
        error: NektError | None,
        *,
        now: datetime,
        next_try: datetime | None = None,
        waiting_since: datetime | None = None,
    ) -> None:
        """The selected run's last poll failed with `error` (None: it did not). Without a
        log it is said in place of one, else at the end of the status line; see
        `problem_line` for `next_try` and `waiting_since`. Other runs are ignored."""
        if run_id != self.run_id:
            return
        problem = problem_line(error, now=now, next_try=next_try, waiting_since=waiting_since)
        if problem == self._problem:
            return
        self._problem = problem
        if self.run is None:
            self.view.show_message(problem or WAITING)
        self._update_status()

    def show_provenance(self, run_id: str, prov: Provenance | None, *, now: datetime) -> None:
        """Say where the selected run's log came from and how old it is, or why there is
        none (in place of the log): see `log_origin`. Other runs are ignored."""
        if run_id != self.run_id:
            return
        said, missing = log_origin(prov, now)
        if (said, missing) == (self._origin, self._missing):
            return
        self._origin, self._missing = said, missing
        if self.run is not None and self.run.log is None:
            self.view.show_message(missing or NO_LOG)
        self._update_status()

    def clear(self) -> None:
        """Show nothing and forget every run."""
        self._cancel_seek()
        self._problem = self._origin = self._missing = None
        self.run_id = self.run = None
        self._places.clear()
        self._loaded = False
        self.view.search(None)
        self.view.show_message(NO_RUN)
        self._update_status()

    def _close_search(self) -> None:
        bar = self.query_one(LogSearchBar)
        if bar.has_class("-open"):
            typing = bar.input.has_focus
            bar.close()
            if typing:
                self.screen.set_focus(self.view)

    def _load(self, run: Run | None) -> None:
        self._cancel_seek()  # its line numbers were the old text's
        view = self.view
        self._loaded = run is not None and run.log is not None
        if run is None:
            view.show_message(self._problem or WAITING)
        elif run.log is None:
            view.show_message(self._missing or NO_LOG)
        else:
            view.load_text(run.parsed_log)

    def _remember(self) -> None:
        if self.run_id is None:
            return
        view = self.view
        m = view.matches
        self._places[self.run_id] = _Place(
            top_line=None if view.follow else view.top_line(),
            follow=view.follow,
            scroll_x=view.scroll_x,
            query=m.query if m is not None else None,
            filter_context=view.filter.context if view.filter is not None else None,
        )

    # --- status line -------------------------------------------------------------------

    @on(LogView.Changed)
    def _view_changed(self, event: LogView.Changed) -> None:
        event.stop()
        self._update_status()

    def status_text(self) -> str:
        """The status line: where you are, following or not, new lines, search, filter."""
        said = " · ".join(p for p in (self._origin, self._problem) if p) or None
        return status_line(self.view, seeking=self._seeking, problem=said)

    def _update_status(self) -> None:
        if not self.is_mounted:
            return
        text = self.status_text()
        if text != self._status_shown:  # an append asks twice (the panel, then the view)
            self._status_shown = text
            # Its size never depends on the text (one line, full width): no screen layout,
            # which would cost more than the whole log repaint after a small append.
            self._status.update(Text(text), layout=False)

    # --- keys --------------------------------------------------------------------------

    def action_toggle_follow(self) -> None:
        """Follow the tail on/off."""
        self.view.set_follow(not self.view.follow)

    def action_toggle_wrap(self) -> None:
        """Wrap long lines on/off."""
        self.view.set_wrap(not self.view.wrap)

    def action_toggle_line_numbers(self) -> None:
        """Line numbers on/off."""
        self.view.set_line_numbers(not self.view.line_numbers)

    def action_top(self) -> None:
        """Jump to the first line (pauses following)."""
        view = self.view
        view.scroll_top()
        view.follow = False
        self._update_status()

    def action_bottom(self) -> None:
        """Jump to the last line and follow."""
        self.view.set_follow(True)

    def action_first_error(self) -> None:
        """Jump to the first error line."""
        self._seek_error(None)

    def action_next_error(self) -> None:
        """Jump to the next error (a traceback counts once)."""
        view = self.view
        cursor = view.error_cursor
        if cursor is None or cursor not in view.visible_lines():
            # The reader moved away from the last error: go on from what is on screen.
            top = view.top_line()
            cursor = None if top is None else top - 1
        self._seek_error(cursor)

    def _seek_error(self, after: int | None) -> None:
        """Find the next error start after line `after` in slices of `SEEK_SLICE` seconds,
        so a huge log that is slow to rule out never holds the screen; a newer seek, or
        another log, cancels this one."""
        self._seek_id += 1
        seek = self._seek(self._seek_id, after)
        self.run_worker(seek, group="error-seek", exclusive=True, exit_on_error=False)

    async def _seek(self, seek_id: int, after: int | None) -> None:
        errors = self.view.store.errors
        while seek_id == self._seek_id:
            decided, line = errors.seek(after, budget=self.SEEK_SLICE)
            if decided:
                self._seeking = False
                self._goto_error(line)
                return
            self._seeking = True
            self._update_status()
            await asyncio.sleep(0)  # keys, polls and frames get their turn between slices

    def _cancel_seek(self) -> None:
        self._seek_id += 1
        self._seeking = False

    def _goto_error(self, line: int | None) -> None:
        view = self.view
        if line is None:
            self.notify("No (more) errors in this log.", timeout=3)
            return
        view.error_cursor = line
        view.follow = False
        view.scroll_to_line(line, top=True)
        self._update_status()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """`/` typed in the search box is text. (Textual maps no character to `slash`, so an
        Input does not shadow this priority binding by itself.)"""
        return not (action == "open_search" and self.query_one(LogSearchBar).input.has_focus)

    def action_open_search(self) -> None:
        """Open the search bar."""
        m = self.view.matches
        bar = self.query_one(LogSearchBar)
        text = m.query.text if m is not None else ""
        regex = m.query.regex if m is not None else self._regex
        bar.open(text, regex=regex, filtering=self.view.filter is not None)

    @on(LogSearchBar.Submitted)
    def _search(self, event: LogSearchBar.Submitted) -> None:
        event.stop()
        view = self.view
        if event.query is not None:
            self._regex = event.query.regex
        view.search(event.query)
        view.set_filter(self._filter_context if event.filtering and event.query else None)
        view.focus()
        self._update_status()

    @on(LogSearchBar.Closed)
    def _search_closed(self, event: LogSearchBar.Closed) -> None:
        event.stop()
        self.view.focus()

    def action_next_match(self) -> None:
        """Go to the next match."""
        m = self.view.matches
        if m is not None and m.next() is not None:
            self.view.show_current()

    def action_previous_match(self) -> None:
        """Go to the previous match."""
        m = self.view.matches
        if m is not None and m.previous() is not None:
            self.view.show_current()

    def action_toggle_filter(self) -> None:
        """Show only matching lines (with context) or the whole log, at the same place."""
        view = self.view
        if view.matches is None:
            self.notify("Search first (/), then F shows only the matching lines.", timeout=3)
            return
        view.set_filter(None if view.filter is not None else self._filter_context)

    def action_context(self, step: int) -> None:
        """Fewer or more context lines around each match in the filter."""
        self._filter_context = max(0, min(50, self._filter_context + step))
        if self.view.filter is not None:
            self.view.set_filter(self._filter_context)
        self._update_status()

    def action_save(self) -> None:
        """Save the selected run's whole log to a file: plain text, or raw if chosen."""
        run = self.run
        if run is None or run.parsed_log is None:
            self.notify("There is no log to save.", severity="warning", timeout=3)
            return
        from nekt_tui.ui.widgets.log_save import SaveLogScreen  # not needed until now

        name = default_log_name(run.name, run.number, run.short_id)
        directory = self.save_dir or Path.cwd()
        screen = SaveLogScreen(run.parsed_log, name, directory)
        self.app.push_screen(screen, self._saved)

    def _saved(self, path: Path | None) -> None:
        if path is not None:
            self.notify(f"Saved the log to {path}", timeout=4, markup=False)

    def _copy(self, lines: list[str], what: str) -> None:
        if not lines:
            self.notify(f"Nothing to copy ({what}).", timeout=3, markup=False)
            return
        self.app.copy_to_clipboard("\n".join(lines))
        n = len(lines)
        self.notify(f"Copied {n:,} line{'s' if n != 1 else ''} ({what}).", timeout=3, markup=False)

    def action_copy_visible(self) -> None:
        """Copy the lines on screen."""
        view = self.view
        self._copy([view.store.text(i) for i in view.visible_lines()], "visible lines")

    def action_copy_matches(self) -> None:
        """Copy every line with a match."""
        view = self.view
        m = view.matches
        lines = [view.store.text(i) for i in m.lines] if m is not None else []
        self._copy(lines, "matching lines")

    def action_copy_all(self) -> None:
        """Copy the whole log (cleaned of escape sequences)."""
        run = self.run
        raw = split_log(run.parsed_log) if run is not None else []
        self._copy([plain_text(line) for line in raw], "whole log")
