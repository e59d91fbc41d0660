"""The log view's search: matches scanned (in a thread for a long log), the current match
shown, and the filter view of matching lines with context.

`LogView` mixes `LogViewSearch` in; the search runs on absolute line numbers, so the line
cap dropping old lines moves no match.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual import work
from textual.scroll_view import ScrollView
from textual.worker import get_current_worker

from nekt_tui.logview.layout import FilterView, FullView, View
from nekt_tui.logview.matches import MatchSet
from nekt_tui.logview.search import ScanResult, SearchQuery, scan

if TYPE_CHECKING:
    from nekt_tui.logview.store import LineStore
    from nekt_tui.ui.widgets.log_render import LineRenderer


class LogViewSearch(ScrollView):
    """Search, current match and filter (mixed into `LogView`)."""

    # Logs at least this long are searched in a thread; shorter ones right away.
    THREAD_SEARCH_LINES = 50_000

    if TYPE_CHECKING:
        # What `LogView` provides: set in its __init__ or defined there.
        store: LineStore
        view: View
        filter: FilterView | None
        matches: MatchSet | None
        follow: bool
        render_generation: int
        renderer: LineRenderer
        _search_token: int

        def _relayout(self) -> None: ...
        def _changed(self) -> None: ...
        def top_line(self) -> int | None: ...
        def visible_lines(self) -> list[int]: ...
        def scroll_to_line(
            self, line: int, *, top: bool = False, column: int | None = None
        ) -> None: ...

    def search(self, query: SearchQuery | None, *, jump: bool = True) -> None:
        """Search for `query` (None clears); `jump` goes to the first match from the top
        line. Raises `SearchError` for a bad regex."""
        self.matches = None if query is None or not query.text else MatchSet(self.store, query)
        if self.matches is None and self.filter is not None:
            self.set_filter(None)
        self.render_generation += 1
        self._start_search(jump=jump)
        self.refresh()
        self._changed()

    def _start_search(self, *, jump: bool) -> None:
        self._search_token += 1
        m = self.matches
        if m is None:
            return
        if len(self.store) >= self.THREAD_SEARCH_LINES:
            raw, start, end = m.snapshot()
            self._scan_thread(self._search_token, m, raw, start, end, jump)
        else:
            m.scan_now()
            self._search_done(jump)

    @work(thread=True, exclusive=True, group="log-search")
    def _scan_thread(
        self, token: int, m: MatchSet, raw: Sequence[str], start: int, end: int, jump: bool
    ) -> None:
        worker = get_current_worker()
        result = scan(m.pattern, raw, start, cancelled=lambda: worker.is_cancelled)
        if not worker.is_cancelled:
            self.app.call_from_thread(self._merge, token, m, result, end, jump)

    def _merge(self, token: int, m: MatchSet, result: ScanResult, end: int, jump: bool) -> None:
        if token != self._search_token or m is not self.matches:
            return  # a newer search or a reset replaced this one
        m.merge(result, end)
        self.render_generation += 1
        self._search_done(jump)

    def _search_done(self, jump: bool) -> None:
        m = self.matches
        if m is None:
            return
        if self.filter is not None:
            self.filter.set_matches(m.lines)
            self._relayout()
        if jump and m.current is None:
            top = self.top_line()
            if m.first_from(top if top is not None else self.store.first):
                self.show_current()
        self.refresh()
        self._changed()

    def show_current(self) -> None:
        """Scroll to the current match and highlight it."""
        m = self.matches
        if m is None or m.current is None:
            return
        line, within = m.current
        spans = m.spans(line)
        column = spans[within][0] if within < len(spans) else None
        self.follow = False
        self.renderer.mark_current(line)
        self.scroll_to_line(line, column=column)
        self.refresh()
        self._changed()

    def set_filter(self, context: int | None) -> None:
        """Show only matching lines with `context` lines around them, or (None) everything."""
        anchor = self._anchor_line()
        if context is None or self.matches is None:
            self.filter = None
            self.view = FullView(self.store)
        else:
            self.filter = FilterView(self.store, context)
            self.filter.set_matches(self.matches.lines)
            self.view = self.filter
        self._relayout()
        if anchor is not None:
            self.scroll_to_line(anchor)
        self._changed()

    def _anchor_line(self) -> int | None:
        """The line to keep in place when the view changes: the current match if on screen."""
        m = self.matches
        if m is not None and m.current is not None and m.current[0] in self.visible_lines():
            return m.current[0]
        return self.top_line()
