"""Drawing for the log view: one log line into a styled `Strip`, cached by line, and each
screen row (a crop of a line, with its gutter) cached too.

Styles layer in this order: the view's base style, the line's level colour, a dimmed
timestamp, the line's own SGR colours, then search matches on top. The text is always
the cleaned line as plain text (never markup), so nothing in a log can become markup
or an escape sequence. The styled segments are exactly those a `rich.text.Text` with
these spans renders to (`render_spans`), made without building one (a `Text` and its
render took about half the time of styling a line).

Two bounded caches: styled lines by line number, and finished rows keyed by what shapes
them (line, fold, horizontal crop, gutter, width). A row entry is valid only while its
line's styled strip is the very one it was cut from, so whatever drops a styled line
(search, theme, a regrown line, the current match moving) also retires its rows. After an
append, the rows that only moved up the screen are found in the cache: only new rows are
built.
"""

from __future__ import annotations

import textwrap
from itertools import pairwise
from operator import itemgetter
from typing import TYPE_CHECKING

from rich.segment import Segment
from rich.style import Style
from textual.cache import LRUCache
from textual.strip import Strip

from nekt_tui.logview.layout import DROPPED
from nekt_tui.logview.levels import Level, timestamp_span
from nekt_tui.logview.sgr import SgrStyle

if TYPE_CHECKING:
    from nekt_tui.ui.widgets.log_view import LogView

LEVEL_CLASSES = {
    Level.ERROR: "log-view--error",
    Level.WARNING: "log-view--warning",
    Level.DEBUG: "log-view--debug",
}

_NULL = Style.null()
_BOUNDARY = itemgetter(0, 1)
_Span = tuple[int, int, Style]


def _stylize(spans: list[_Span], style: Style, start: int, end: int, length: int) -> None:
    """Add a span as `rich.text.Text.stylize` would (a null style or an empty span: none)."""
    if style and start < length and end > start:
        spans.append((start, min(length, end), style))


def render_spans(
    text: str, spans: list[_Span], combined: dict[tuple[Style, ...], Style]
) -> list[Segment]:
    """The segments `Text(text, end="")` with `spans` stylized in this order renders to
    (`rich.text.Text.render`, the same algorithm without building a `Text`);
    `combined` memoises the combined style of each stack of spans across calls."""
    if not spans:
        return [Segment(text)]
    n = len(text)
    if all(start == 0 and end == n for start, end, _ in spans[:-1]):
        # The common line: styles over all of it, then at most one over a part (its
        # timestamp). Cut in up to three, as the general case below would.
        start, end, last = spans[-1]
        full = tuple(style for _, _, style in spans[:-1])
        if start == 0 and end == n:
            return [Segment(text, _combined(combined, (_NULL, *full, last)))]
        outer = _combined(combined, (_NULL, *full))
        inner = _combined(combined, (_NULL, *full, last))
        cut = [Segment(text[start:end], inner)]
        if start:
            cut.insert(0, Segment(text[:start], outer))
        if end < n:
            cut.append(Segment(text[end:], outer))
        return cut
    style_map = [_NULL, *(span[2] for span in spans)]
    bounds = [
        (0, False, 0),
        *((start, False, k) for k, (start, _, _) in enumerate(spans, 1)),
        *((end, True, k) for k, (_, end, _) in enumerate(spans, 1)),
        (len(text), True, 0),
    ]
    bounds.sort(key=_BOUNDARY)
    stack: list[int] = []
    out: list[Segment] = []
    for (offset, leaving, k), (next_offset, _, _) in pairwise(bounds):
        if leaving:
            stack.remove(k)
        else:
            stack.append(k)
        if next_offset > offset:
            styles = tuple(style_map[j] for j in sorted(stack))
            out.append(Segment(text[offset:next_offset], _combined(combined, styles)))
    return out


def _combined(memo: dict[tuple[Style, ...], Style], styles: tuple[Style, ...]) -> Style:
    style = memo.get(styles)
    if style is None:
        style = memo[styles] = Style.combine(styles)
    return style


class LineRenderer:
    """Renders rows of one `LogView`; only lines on screen are ever styled."""

    def __init__(self, view: LogView, cache_size: int = 2_048, row_cache_size: int = 1_024) -> None:
        self.view = view
        self._strips: LRUCache[int, Strip] = LRUCache(cache_size)
        self._rows: LRUCache[tuple[int, int, int, int, int, int], tuple[Strip, Strip]] = LRUCache(
            row_cache_size
        )
        self._sgr_styles: dict[SgrStyle, Style] = {}
        # Component styles and combined span styles: Textual recomputes a component style
        # after every refresh of the view, that is after every append.
        self._styles: dict[tuple[str, bool], Style] = {}
        self._combined: dict[tuple[Style, ...], Style] = {}
        self._width: int | None = None  # the content width, during a repaint
        self._current: int | None = None  # the line drawn with the current match
        self.lines_styled = 0  # counters for tests: work done, not time taken
        self.rows_built = 0
        # The view's own style, looked up once per repaint: Textual computes it by walking
        # the ancestors, which cost more than drawing a cached row.
        self._base: Style | None = None

    def clear(self) -> None:
        """Forget every cached line and row (search, wrap or theme changed)."""
        self._strips.clear()
        self._rows.clear()
        self._sgr_styles.clear()
        self._styles.clear()
        self._combined.clear()
        self._base = None

    def begin_repaint(self) -> None:
        """A repaint starts: take the view's style now; if it changed (a theme, or an
        ancestor's style), every cached line and row is stale."""
        base = self.view.rich_style
        if base != self._base:
            self.clear()
        self._base = base
        self._width = self.view.scrollable_content_region.width

    def end_repaint(self) -> None:
        """The repaint is over: the width is looked up again by whatever draws next."""
        self._width = None

    @property
    def base(self) -> Style:
        """The view's style (as of the current repaint)."""
        if self._base is None:
            self._base = self.view.rich_style
        return self._base

    def discard(self, line: int) -> None:
        """Forget one line (it changed)."""
        self._strips.discard(line)

    def mark_current(self, line: int) -> None:
        """The current match moved to `line`: redraw only the old and the new line."""
        if self._current is not None:
            self._strips.discard(self._current)
        self._strips.discard(line)
        self._current = line

    def _style(self, name: str, *, partial: bool = False) -> Style:
        # Full styles: partial ones leave theme colours with alpha (muted text) unblended.
        key = (name, partial)
        style = self._styles.get(key)
        if style is None:
            style = self._styles[key] = self.view.get_component_rich_style(name, partial=partial)
        return style

    def _sgr(self, sgr: SgrStyle) -> Style:
        style = self._sgr_styles.get(sgr)
        if style is None:
            style = Style(
                color=sgr.fg,
                bgcolor=sgr.bg,
                bold=sgr.bold or None,
                dim=sgr.dim or None,
                italic=sgr.italic or None,
                underline=sgr.underline or None,
                reverse=sgr.reverse or None,
                strike=sgr.strike or None,
            )
            if len(self._sgr_styles) > 4_096:
                self._sgr_styles.clear()  # a log of ever-new colours must not grow it for ever
            self._sgr_styles[sgr] = style
        return style

    def line_strip(self, line: int) -> Strip:
        """Absolute `line`, styled, uncropped."""
        cached = self._strips.get(line)
        if cached is not None:
            return cached
        self.lines_styled += 1
        view = self.view
        store = view.store
        clean = store.clean(line)
        text = clean.text
        n = len(text)
        spans: list[_Span] = []
        _stylize(spans, self.base, 0, n, n)
        level_class = LEVEL_CLASSES.get(store.level(line))
        if level_class is not None:
            _stylize(spans, self._style(level_class), 0, n, n)
        stamp = timestamp_span(text)
        if stamp is not None:
            # Partial: dim the timestamp but keep the line's level colour.
            _stylize(spans, self._style("log-view--timestamp", partial=True), *stamp, n)
        for span in clean.spans:
            _stylize(spans, self._sgr(span.style), span.start, span.end, n)
        m = view.matches
        if m is not None:
            current = m.current[1] if m.current is not None and m.current[0] == line else -1
            if current >= 0:
                self._current = line
            for k, (start, end) in enumerate(m.spans(line)):
                name = "log-view--match-current" if k == current else "log-view--match"
                _stylize(spans, self._style(name), start, end, n)
        if len(self._combined) > 1_024:
            self._combined.clear()
        strip = Strip(render_spans(text, spans, self._combined), store.width(line))
        self._strips[line] = strip
        return strip

    def _gutter(self, line: int | None, width: int) -> Strip:
        label = "" if line is None else str(line + 1)
        return Strip([Segment(label.rjust(width - 1) + " ", self._style("log-view--gutter"))])

    def _note(self, text: str, width: int, x: int = 0) -> Strip:
        strip = Strip([Segment(text, self._style("log-view--marker"))])
        return strip.crop_extend(x, x + width, self.base)

    def row(self, row: int) -> Strip:
        """Draw view row `row` (already offset by the vertical scroll)."""
        view = self.view
        base = self.base
        width = self._width
        if width is None:
            width = view.scrollable_content_region.width
        if view.message is not None:
            # Folded at spaces: a problem line is read whole, not scrolled sideways.
            lines = textwrap.wrap(view.message, max(8, width)) or [""]
            if row >= len(lines):
                return Strip.blank(width, base)
            return self._note(lines[row], width)
        rows = view.rows
        if view.filter is not None and view.filter.is_empty and view.matches is not None:
            if row:
                return Strip.blank(width, base)
            pending = view.matches.pending
            note = "searching…" if pending else "no line matches: F shows the whole log"
            return self._note(note, width)
        if row >= rows.rows(view.view):
            return Strip.blank(width, base)
        item, fold = rows.locate(row)
        line = view.view.item(item)
        if line < 0:
            if line == DROPPED:
                n = view.store.dropped
                s = "s" if n != 1 else ""
                return self._note(f"⋯ {n:,} older line{s} dropped (save keeps them all)", width)
            return self._note("⋯", width)
        gutter_width = view.gutter_width()
        if view.wrap and rows.wrap_width is not None:
            start, avail = fold * rows.wrap_width, rows.wrap_width
        else:
            start, avail = round(view.scroll_x), max(0, width - gutter_width)
        content = self.line_strip(line)
        key = (line, fold, start, avail, gutter_width, width)
        cached = self._rows.get(key)
        if cached is not None and cached[0] is content:
            return cached[1]
        self.rows_built += 1
        strip = content.crop_extend(start, start + avail, base)
        if gutter_width:
            strip = Strip.join([self._gutter(line if fold == 0 else None, gutter_width), strip])
        strip = strip.crop_extend(0, width, base)
        self._rows.set(key, (content, strip))
        return strip
