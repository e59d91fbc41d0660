"""Drawing for the log view: one log line into a styled `Strip`, cached by line, and each
screen row (a crop of a line, with its gutter) cached too.

Styles layer in this order: the view's base style, the line's level colour, a dimmed
timestamp, the line's own SGR colours, then search matches on top. The text is always
the cleaned line as plain text (never markup), so nothing in a log can become markup
or an escape sequence. The styled segments are exactly those a `rich.text.Text` with
these spans renders to (`render_spans`), made without building one (a `Text` and its
render took about half the time of styling a line).

The renderer reads nothing from the view while it draws: the view hands it a frozen
`RenderContext` per repaint (what to draw, at what width, with which styles).

Two bounded caches: styled lines by line number, and finished rows keyed by what shapes
them (line, fold, horizontal crop, gutter, width). Both keys start with the epoch: the
view's render generation (bumped by whatever changes how every line looks: a reset, a
search, wrapping, the theme) together with its base style. A new epoch misses every old
entry, and the LRU lets the old ones age out: nothing is cleared by hand. A row entry is
valid only while its line's styled strip is the very one it was cut from, so a line
dropped alone (a regrown line, the current match moving) also retires its rows. After an
append, the rows that only moved up the screen are found in the cache: only new rows are
built.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from operator import itemgetter
from typing import Protocol

from rich.segment import Segment
from rich.style import Style
from textual.cache import LRUCache
from textual.geometry import Region
from textual.strip import Strip

from nekt_tui.logview.layout import DROPPED, FilterView, RowMap, View
from nekt_tui.logview.levels import Level, timestamp_span
from nekt_tui.logview.matches import MatchSet
from nekt_tui.logview.sgr import SgrStyle
from nekt_tui.logview.store import LineStore

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
        return [Segment(text, _NULL)]  # a style, even null: Textual's NO_COLOR filter needs one
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


class LogViewState(Protocol):
    """What a repaint reads from the log view (`LogView`), once, into a `RenderContext`."""

    render_generation: int
    store: LineStore
    rows: RowMap
    view: View
    filter: FilterView | None
    matches: MatchSet | None
    message: str | None
    wrap: bool

    @property
    def rich_style(self) -> Style: ...
    @property
    def scrollable_content_region(self) -> Region: ...
    @property
    def scroll_x(self) -> float: ...
    def gutter_width(self) -> int: ...
    def get_component_rich_style(self, *names: str, partial: bool = False) -> Style: ...


@dataclass(frozen=True, slots=True)
class RenderContext:
    """Everything one repaint of a log view draws from, taken once when it starts."""

    generation: int  # the view's render generation: bumped when every line looks different
    base: Style  # the view's own style
    width: int  # the content width
    store: LineStore
    rows: RowMap
    view: View  # the lines shown (all of them, or the filter's)
    matches: MatchSet | None
    message: str | None  # a note shown instead of a log
    no_match_note: bool  # the filter is on and no line matches: a note instead of rows
    fold_width: int | None  # wrapping: the width lines are folded at
    scroll_x: int
    gutter_width: int  # 0 when line numbers are off
    component_style: Callable[..., Style]  # the view's `get_component_rich_style`

    @classmethod
    def of(cls, view: LogViewState) -> RenderContext:
        """The context of `view` as it stands now."""
        return cls(
            generation=view.render_generation,
            base=view.rich_style,
            width=view.scrollable_content_region.width,
            store=view.store,
            rows=view.rows,
            view=view.view,
            matches=view.matches,
            message=view.message,
            no_match_note=view.filter is not None and view.filter.is_empty,
            fold_width=view.rows.wrap_width if view.wrap else None,
            scroll_x=round(view.scroll_x),
            gutter_width=view.gutter_width(),
            component_style=view.get_component_rich_style,
        )


class LineRenderer:
    """Renders rows of one log view; only lines on screen are ever styled.

    `context` builds a `RenderContext` of the view's state when asked for one outside a
    repaint (a test drawing a row by hand)."""

    def __init__(
        self,
        context: Callable[[], RenderContext],
        cache_size: int = 2_048,
        row_cache_size: int = 1_024,
    ) -> None:
        self._make_context = context
        self._strips: LRUCache[tuple[int, int], Strip] = LRUCache(cache_size)
        self._rows: LRUCache[tuple[int, int, int, int, int, int, int], tuple[Strip, Strip]] = (
            LRUCache(row_cache_size)
        )
        # Pure memos, kept across epochs (each bounded where it grows).
        self._sgr_styles: dict[SgrStyle, Style] = {}
        self._combined: dict[tuple[Style, ...], Style] = {}
        # Component styles of the current epoch: Textual recomputes a component style
        # after every refresh of the view, that is after every append.
        self._styles: dict[tuple[str, bool], Style] = {}
        self._epoch = 0  # counts (generation, base style) pairs seen
        self._seen: tuple[int, Style] | None = None
        self._repaint: RenderContext | None = None  # the context of the repaint under way
        self._current: int | None = None  # the line drawn with the current match
        self.lines_styled = 0  # counters for tests: work done, not time taken
        self.rows_built = 0

    def begin_repaint(self, context: RenderContext) -> None:
        """A repaint starts: draw from `context` until `end_repaint`."""
        self._enter(context)
        self._repaint = context

    def end_repaint(self) -> None:
        """The repaint is over: whatever draws next reads the view again."""
        self._repaint = None

    def _enter(self, context: RenderContext) -> None:
        # The view's style comes from its ancestors too (a theme): a change of it is a
        # new epoch as much as a bumped generation is.
        seen = (context.generation, context.base)
        if seen != self._seen:
            self._seen = seen
            self._epoch += 1
            self._styles = {}

    def _context(self) -> RenderContext:
        context = self._repaint
        if context is None:
            context = self._make_context()
            self._enter(context)
        return context

    def discard(self, line: int) -> None:
        """Forget one line (it changed)."""
        self._strips.discard((self._epoch, line))

    def mark_current(self, line: int) -> None:
        """The current match moved to `line`: redraw only the old and the new line."""
        if self._current is not None:
            self._strips.discard((self._epoch, self._current))
        self._strips.discard((self._epoch, line))
        self._current = line

    def _style(self, ctx: RenderContext, name: str, *, partial: bool = False) -> Style:
        # Full styles: partial ones leave theme colours with alpha (muted text) unblended.
        key = (name, partial)
        style = self._styles.get(key)
        if style is None:
            style = self._styles[key] = ctx.component_style(name, partial=partial)
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
                self._sgr_styles = {}  # a log of ever-new colours must not grow it for ever
            self._sgr_styles[sgr] = style
        return style

    def line_strip(self, line: int) -> Strip:
        """Absolute `line`, styled, uncropped."""
        ctx = self._context()
        key = (self._epoch, line)
        cached = self._strips.get(key)
        if cached is not None:
            return cached
        self.lines_styled += 1
        store = ctx.store
        clean = store.clean(line)
        text = clean.text
        n = len(text)
        spans: list[_Span] = []
        _stylize(spans, ctx.base, 0, n, n)
        level_class = LEVEL_CLASSES.get(store.level(line))
        if level_class is not None:
            _stylize(spans, self._style(ctx, level_class), 0, n, n)
        stamp = timestamp_span(text)
        if stamp is not None:
            # Partial: dim the timestamp but keep the line's level colour.
            _stylize(spans, self._style(ctx, "log-view--timestamp", partial=True), *stamp, n)
        for span in clean.spans:
            _stylize(spans, self._sgr(span.style), span.start, span.end, n)
        m = ctx.matches
        if m is not None:
            current = m.current[1] if m.current is not None and m.current[0] == line else -1
            if current >= 0:
                self._current = line
            for k, (start, end) in enumerate(m.spans(line)):
                name = "log-view--match-current" if k == current else "log-view--match"
                _stylize(spans, self._style(ctx, name), start, end, n)
        if len(self._combined) > 1_024:
            self._combined = {}
        strip = Strip(render_spans(text, spans, self._combined), store.width(line))
        self._strips[key] = strip
        return strip

    def _gutter(self, ctx: RenderContext, line: int | None, width: int) -> Strip:
        label = "" if line is None else str(line + 1)
        return Strip([Segment(label.rjust(width - 1) + " ", self._style(ctx, "log-view--gutter"))])

    def _note(self, ctx: RenderContext, text: str, x: int = 0) -> Strip:
        strip = Strip([Segment(text, self._style(ctx, "log-view--marker"))])
        return strip.crop_extend(x, x + ctx.width, ctx.base)

    def row(self, row: int) -> Strip:
        """Draw view row `row` (already offset by the vertical scroll)."""
        ctx = self._context()
        base = ctx.base
        width = ctx.width
        if ctx.message is not None:
            # Folded at spaces: a problem line is read whole, not scrolled sideways.
            lines = textwrap.wrap(ctx.message, max(8, width)) or [""]
            if row >= len(lines):
                return Strip.blank(width, base)
            return self._note(ctx, lines[row])
        rows, view = ctx.rows, ctx.view
        if ctx.no_match_note and ctx.matches is not None:
            if row:
                return Strip.blank(width, base)
            pending = ctx.matches.pending
            note = "searching…" if pending else "no line matches: F shows the whole log"
            return self._note(ctx, note)
        if row >= rows.rows(view):
            return Strip.blank(width, base)
        item, fold = rows.locate(row)
        line = view.item(item)
        if line < 0:
            if line == DROPPED:
                n = ctx.store.dropped
                s = "s" if n != 1 else ""
                return self._note(ctx, f"⋯ {n:,} older line{s} dropped (save keeps them all)")
            return self._note(ctx, "⋯")
        gutter_width = ctx.gutter_width
        if ctx.fold_width is not None:
            start, avail = fold * ctx.fold_width, ctx.fold_width
        else:
            start, avail = ctx.scroll_x, max(0, width - gutter_width)
        content = self.line_strip(line)
        key = (self._epoch, line, fold, start, avail, gutter_width, width)
        cached = self._rows.get(key)
        if cached is not None and cached[0] is content:
            return cached[1]
        self.rows_built += 1
        strip = content.crop_extend(start, start + avail, base)
        if gutter_width:
            strip = Strip.join(
                [self._gutter(ctx, line if fold == 0 else None, gutter_width), strip]
            )
        strip = strip.crop_extend(0, width, base)
        self._rows.set(key, (content, strip))
        return strip
