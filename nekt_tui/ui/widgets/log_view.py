"""The line-API log view: draws only the rows on screen, from a bounded `LineStore`.

Lines are cleaned and styled when first drawn and cached by line; an append only adds
rows (no whole-log re-render, no width scan). Search highlighting, the filter view and
wrapping all work on absolute line numbers, so the cap dropping old lines moves nothing.
The search and the filter view are in `log_view_search` (mixed in).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from textual.geometry import Region, Size
from textual.message import Message
from textual.scrollbar import ScrollBar
from textual.strip import Strip

from nekt_tui.logview.layout import FilterView, FullView, RowMap, View
from nekt_tui.logview.matches import MatchSet
from nekt_tui.logview.store import DEFAULT_CAP, Change, LineStore, LogDeltaLike
from nekt_tui.ui.widgets.content_view import make_scrollbar, quiet_scrollbars, set_scroll_range
from nekt_tui.ui.widgets.log_render import LineRenderer, RenderContext
from nekt_tui.ui.widgets.log_view_search import LogViewSearch


class LogView(LogViewSearch, can_focus=True):
    """Scrollable, searchable view of one log, following its tail."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "log-view--error",
        "log-view--warning",
        "log-view--debug",
        "log-view--timestamp",
        "log-view--match",
        "log-view--match-current",
        "log-view--gutter",
        "log-view--marker",
    }
    DEFAULT_CSS = """
    LogView {
        background: $surface;
        color: $text;
        overflow: auto auto;
        &.-wrap { overflow-x: hidden; overflow-y: scroll; }
        /* Bold and bold-dim tell the levels apart without colour too (NO_COLOR). */
        & > .log-view--error { color: $text-error; text-style: bold; }
        & > .log-view--warning { color: $text-warning; }
        &.-no-color > .log-view--warning { text-style: bold dim; }
        & > .log-view--debug { color: $text-muted; }
        & > .log-view--timestamp { text-style: dim; }
        & > .log-view--match { background: $warning 35%; }
        & > .log-view--match-current { background: $accent; color: $text; text-style: bold; }
        & > .log-view--gutter { color: $text-muted; }
        & > .log-view--marker { color: $text-muted; text-style: italic; }
    }
    """

    class Changed(Message):
        """Something the status line shows changed."""

        def can_replace(self, message: Message) -> bool:
            """Two in a row say no more than one (an append that scrolls posts two)."""
            return isinstance(message, LogView.Changed)

    def __init__(self, *, line_cap: int = DEFAULT_CAP, id: str | None = None) -> None:
        super().__init__(id=id)
        self.store = LineStore(line_cap)
        self.rows = RowMap()
        self.view: View = FullView(self.store)
        self.filter: FilterView | None = None
        self.matches: MatchSet | None = None
        self.wrap = False
        self.line_numbers = False
        self.follow = True
        self.new_lines = 0
        self.message: str | None = None
        self.error_cursor: int | None = None
        # Bumped by whatever changes how every line looks (a reset, a search, wrapping, the
        # theme): the renderer's caches are keyed by it, so none is cleared by hand.
        self.render_generation = 0
        self.renderer = LineRenderer(lambda: RenderContext.of(self))
        self._search_token = 0

    def on_mount(self) -> None:
        """Without colour, warnings need a cue of their own (errors are always bold)."""
        self.set_class(self.app.no_color, "-no-color")

    # --- data --------------------------------------------------------------------------

    def show_message(self, message: str) -> None:
        """Show one muted line instead of a log (no log, nothing selected)."""
        self.load([])
        self.message = message
        self._resize_virtual()
        self.refresh()

    def load(self, lines: Sequence[str]) -> None:
        """Replace the log; search, filter and follow state are kept by the caller."""
        self.message = None
        self._on_change(self.store.reset(lines), None, 0)

    def load_text(self, text: str | None) -> None:
        """Replace the log with the lines of `text` (a run's `parsed_log`, held, not copied)."""
        self.message = None
        self._on_change(self.store.load_text(text), None, 0)

    def sync(self, text: str | None, delta: LogDeltaLike | None) -> None:
        """Apply an engine delta computed from the log `text` (see `LineStore.sync`): an
        append costs O(lines appended)."""
        self._update(lambda: self.store.sync(text, delta))

    def apply(self, delta: LogDeltaLike) -> None:
        """Apply an engine delta: an append costs O(lines appended)."""
        self._update(lambda: self.store.apply(delta))

    def _update(self, update: Callable[[], Change | None]) -> None:
        self.message = None
        anchor = None if self.follow else self.top_line()
        old_end = self.store.end
        change = update()
        if change is not None:
            self._on_change(change, anchor, old_end)

    def _on_change(self, change: Change, anchor: int | None, old_end: int) -> None:
        # The scrollbars are repainted only if they look different (an append at the
        # tail of a long log moves neither thumb by a cell).
        with quiet_scrollbars(self):
            self._apply_change(change, anchor, old_end)

    def _apply_change(self, change: Change, anchor: int | None, old_end: int) -> None:
        store = self.store
        if change.reset:
            self.render_generation += 1
            self.new_lines = 0
            self.error_cursor = None
            if self.matches is not None:
                self.matches = MatchSet(store, self.matches.query)
            if self.filter is not None:
                self.filter = FilterView(store, self.filter.context)
                self.view = self.filter
            self._relayout()
            self._start_search(jump=False)
            if self.follow:
                self.scroll_bottom()
            self._changed()
            return
        old_items = self.view.count()
        if change.regrown:
            self.renderer.discard(change.start)  # new lines were never drawn: nothing to drop
        relayout = bool(change.dropped)
        m = self.matches
        if m is not None:
            # A regrown line that matched may stop matching: the filter must then be rebuilt.
            rebuild_filter = change.regrown and m.has_line(change.start)
            new = m.on_change(change)
            if new is not None and self.filter is not None:
                if rebuild_filter or change.dropped:
                    self.filter.set_matches(m.lines)
                    relayout = True
                else:
                    self.filter.add_matches(new)
        if self.rows.wrap_width != self._wrap_width():
            relayout = True  # the line-number gutter grew a digit
        if relayout:
            if self.filter is not None:
                self.filter.clip_front()
            self.rows.rebuild(self.view, store.width, self._wrap_width())
        else:
            self.rows.update_from(self.view, store.width, max(0, old_items - 1))
        if not self.follow:
            self.new_lines += max(0, store.end - old_end)
        self._resize_virtual()
        if self.follow:
            self.scroll_bottom()
        elif anchor is not None:
            self.scroll_to_line(anchor, top=True)
        self.refresh()
        self._changed()

    # --- layout ------------------------------------------------------------------------

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        """The vertical scrollbar (made when first needed): a `QuietScrollBar`."""
        return make_scrollbar(self, vertical=True)

    @property
    def horizontal_scrollbar(self) -> ScrollBar:
        """The horizontal scrollbar (made when first needed): a `QuietScrollBar`."""
        return make_scrollbar(self, vertical=False)

    def gutter_width(self) -> int:
        """Cells taken by line numbers (0 when they are off)."""
        return len(str(max(1, self.store.end))) + 1 if self.line_numbers else 0

    def _wrap_width(self) -> int | None:
        if not self.wrap:
            return None
        # The vertical scrollbar is always on when wrapping (see `-wrap`), so this width
        # does not change when the log grows past one screen.
        bar = self.styles.scrollbar_size_vertical
        return max(1, self.size.width - bar - self.gutter_width())

    def _relayout(self) -> None:
        """Recompute rows for the whole view (toggles, resize, reset)."""
        self.rows.rebuild(self.view, self.store.width, self._wrap_width())
        self._resize_virtual()
        self.refresh()

    def _resize_virtual(self) -> None:
        if self.message is not None:
            size = Size(0, 1)  # folded to the width when drawn (LineRenderer.row)
        else:
            width = 0 if self.wrap else self.store.max_width + self.gutter_width()
            size = Size(width, self.rows.rows(self.view))
        # Not `self.virtual_size = size`: that lays out the whole screen on every append.
        set_scroll_range(self, size)

    def on_resize(self) -> None:
        """Wrapped rows depend on the width."""
        if self.wrap:
            anchor = self.top_line()
            self._relayout()
            if anchor is not None and not self.follow:
                self.scroll_to_line(anchor, top=True)
        if self.follow:
            self.scroll_bottom()

    def set_wrap(self, wrap: bool) -> None:
        """Fold long lines (hard wrap at the panel width) or scroll sideways."""
        anchor = self._top_anchor()
        self.wrap = wrap
        self.set_class(wrap, "-wrap")
        self.render_generation += 1
        self._relayout()
        self._restore(anchor)

    def set_line_numbers(self, on: bool) -> None:
        """Show or hide the line-number gutter."""
        anchor = self._top_anchor()
        self.line_numbers = on
        self._relayout()
        self._restore(anchor)

    def _top_anchor(self) -> int | None:
        """The top line to keep in place; None when the view is at its very top."""
        return None if round(self.scroll_y) == 0 else self.top_line()

    def _restore(self, anchor: int | None) -> None:
        if self.follow:
            self.scroll_bottom()
        elif anchor is None:
            self.scroll_top()
        else:
            self.scroll_to_line(anchor, top=True)
        self._changed()

    # --- positions ---------------------------------------------------------------------

    def _line_at_row(self, row: int, *, forward: bool = True) -> int | None:
        """The log line drawn at `row` (or the nearest line item after/before it)."""
        count = self.view.count()
        if not count:
            return None
        item, _ = self.rows.locate(min(max(0, row), self.rows.rows(self.view) - 1))
        step = 1 if forward else -1
        i = min(item, count - 1)
        while 0 <= i < count:
            line = self.view.item(i)
            if line >= 0:
                return line
            i += step
        i = item - step
        while 0 <= i < count:
            line = self.view.item(i)
            if line >= 0:
                return line
            i -= step
        return None

    def top_line(self) -> int | None:
        """The first log line on screen."""
        return self._line_at_row(round(self.scroll_y))

    def bottom_line(self) -> int | None:
        """The last log line on screen."""
        height = self.scrollable_content_region.height
        return self._line_at_row(round(self.scroll_y) + max(0, height - 1), forward=False)

    def visible_lines(self) -> list[int]:
        """The log lines on screen, in order."""
        top = round(self.scroll_y)
        height = self.scrollable_content_region.height
        seen: list[int] = []
        for row in range(top, min(top + height, self.rows.rows(self.view))):
            line = self.view.item(self.rows.locate(row)[0])
            if line >= 0 and (not seen or seen[-1] != line):
                seen.append(line)
        return seen

    def scroll_to_line(self, line: int, *, top: bool = False, column: int | None = None) -> None:
        """Bring `line` on screen: at the top, or centred if it was not visible."""
        row = self.rows.row_of(self.view.index_of(line))
        height = self.scrollable_content_region.height
        y = round(self.scroll_y)
        x: float | None = None
        if column is not None and not self.wrap:
            width = self.scrollable_content_region.width - self.gutter_width()
            if not self.scroll_x <= column < self.scroll_x + width - 1:
                x = max(0, column - width // 3)
        if top:
            target: float = row
        elif y <= row < y + height:
            target = y
        else:
            target = max(0, row - height // 2)
        self.scroll_to(x=x, y=target, animate=False, immediate=True, force=True)

    def scroll_bottom(self) -> None:
        """Jump to the last row now (also before the first layout has shown scrollbars)."""
        self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True, force=True)

    def scroll_top(self) -> None:
        """Jump to the first row."""
        self.scroll_to(y=0, animate=False, immediate=True, force=True)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        """Scrolling up pauses following; scrolling back to the end resumes it."""
        super().watch_scroll_y(old_value, new_value)
        if round(old_value) != round(new_value):
            at_end = round(new_value) >= self.max_scroll_y
            self.follow = at_end
            if at_end:
                self.new_lines = 0
            self._changed()

    def set_follow(self, follow: bool) -> None:
        """Follow the tail (jumping to the end) or stay where the view is."""
        self.follow = follow
        if follow:
            self.new_lines = 0
            self.scroll_bottom()
        self._changed()

    def _changed(self) -> None:
        self.post_message(self.Changed())

    # --- drawing -----------------------------------------------------------------------

    def notify_style_update(self) -> None:
        """Theme changed: styles are baked into cached strips."""
        super().notify_style_update()
        self.render_generation += 1

    def render_lines(self, crop: Region) -> list[Strip]:
        """Draw the rows in `crop` (Textual calls `render_line` for each that changed)."""
        self.renderer.begin_repaint(RenderContext.of(self))
        try:
            return super().render_lines(crop)
        finally:
            self.renderer.end_repaint()

    def render_line(self, y: int) -> Strip:
        """Draw screen row `y`."""
        return self.renderer.row(round(self.scroll_y) + y)
