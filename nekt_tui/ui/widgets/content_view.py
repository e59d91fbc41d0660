"""Line-API views whose content can grow without re-laying out the whole screen.

`set_scroll_range` is the shared trick (the log view uses it for appends); `ContentView`
is a scrollable, wrapped `Content` drawn line by line, for the status and pipeline panels.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from textual.content import Content
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.selection import Selection
from textual.strip import Strip
from textual.visual import Visual
from textual.widget import Widget

from nekt_tui.ui._textual_compat import (
    current_scrollbar,
    install_scrollbar,
    scrollbar_thumb,
    set_virtual_size_without_layout,
)

if TYPE_CHECKING:  # typing.Self is 3.11+; only annotations (never evaluated) use it
    from typing import Self


def set_scroll_range(view: ScrollView, size: Size) -> None:
    """Set a line view's `virtual_size` without asking for a layout of the whole screen.

    Setting `virtual_size` asks for a layout of every widget on the screen. A line view's
    own size never depends on its content, so only its scrollbars need updating (see
    `set_virtual_size_without_layout`). A scrollbar that appears or goes still asks for
    a layout (it changes the view's width).
    """
    if size == view.virtual_size:
        return
    if not view.is_mounted or not view.container_size:
        view.virtual_size = size  # not laid out yet: the first layout comes anyway
        return
    set_virtual_size_without_layout(view, size)
    view.refresh()


class QuietScrollBar(ScrollBar):
    """A scrollbar that, inside `quiet_scrollbars`, is repainted only if it would look
    different.

    Textual repaints a scrollbar whenever its range, window or position changes, and
    drawing it costs as much as drawing a screenful of log rows: on a long log followed at
    the tail, an append changes all three and the thumb does not move by a cell."""

    def __init__(
        self, vertical: bool = True, name: str | None = None, *, thickness: int = 1
    ) -> None:
        super().__init__(vertical, name, thickness=thickness)
        self._held: bool | None = None  # None: not quiet; else whether a repaint was held

    def refresh(
        self,
        *regions: Region,
        repaint: bool = True,
        layout: bool = False,
        recompose: bool = False,
    ) -> Self:
        """Hold a plain repaint while quiet (see `quiet_scrollbars`); all else as usual."""
        if self._held is not None and not layout and not recompose:
            self._held = True
            return self
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def drawn_as(self) -> object:
        """What the bar's drawing depends on besides its style: whether it is shown, its
        size, and the thumb's ends in eighths of a cell, computed as `ScrollBarRender`
        lays the thumb out (`scrollbar_thumb`). With another renderer: a value equal to no other
        (always repaint)."""
        if self.renderer is not ScrollBarRender:
            return object()
        return (self.display, self.size, scrollbar_thumb(self))


def make_scrollbar(view: Widget, *, vertical: bool) -> ScrollBar:
    """The view's scrollbar, made a `QuietScrollBar` when first asked for (what Textual's
    `Widget.vertical_scrollbar` and `horizontal_scrollbar` do, Textual 8.2)."""
    bar = current_scrollbar(view, vertical=vertical)
    if bar is not None:
        return bar
    if vertical:
        bar = QuietScrollBar(True, "vertical", thickness=view.scrollbar_size_vertical)
    else:
        bar = QuietScrollBar(False, "horizontal", thickness=view.scrollbar_size_horizontal)
    install_scrollbar(view, bar, vertical=vertical)
    return bar


@contextmanager
def quiet_scrollbars(view: Widget) -> Iterator[None]:
    """Within the block, the view's `QuietScrollBar`s hold their repaints; after it, each
    one that was asked to repaint is repainted only if it would now be drawn differently
    from before the block (nothing else that a scrollbar's drawing depends on, its
    style, hover or grab, changes within a block that only sets the scroll range and
    position). A layout is never held."""
    bars = [
        bar
        for bar in (current_scrollbar(view, vertical=True), current_scrollbar(view, vertical=False))
        if isinstance(bar, QuietScrollBar) and bar._held is None
    ]
    before = [bar.drawn_as() for bar in bars]
    for bar in bars:
        bar._held = False
    try:
        yield
    finally:
        for bar, drawn in zip(bars, before, strict=True):
            held, bar._held = bar._held, None
            if held and bar.drawn_as() != drawn:
                bar.refresh()


class ContentView(ScrollView):
    """A `Content`, wrapped to the view's width and scrolled vertically.

    Looks like a `Static` in a `VerticalScroll`, but a longer text only moves the scroll
    range: the `Static` would grow and lay the whole screen out (twice: once for itself,
    once more when its container's scroll range changed)."""

    DEFAULT_CSS = """
    ContentView {
        overflow-x: hidden;
        overflow-y: auto;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._content = Content("")
        self._strips: list[Strip] = []
        self._wrapped_at = -1

    @property
    def content(self) -> Content:
        """What the view shows (before wrapping)."""
        return self._content

    @property
    def lines(self) -> list[Strip]:
        """The wrapped lines, all of them (also those scrolled out of view)."""
        return self._strips

    def set_content(self, content: Content) -> None:
        """Show `content`: its lines are drawn again, the screen is not laid out again."""
        self._content = content
        self._wrap()

    def _wrap(self) -> None:
        width = self.scrollable_content_region.width
        self._wrapped_at = width
        if width <= 0:  # not laid out yet: `on_resize` wraps
            self._strips = []
        else:
            # What a Static does to draw its content (`Widget._render_content`).
            self._strips = Visual.to_strips(self, self._content, width, None, self.visual_style)
        set_scroll_range(self, Size(max(0, width), len(self._strips)))
        self.refresh()

    def on_resize(self) -> None:
        """Lines wrap at the width."""
        if self.scrollable_content_region.width != self._wrapped_at:
            self._wrap()

    def watch_show_vertical_scrollbar(self) -> None:
        """The scrollbar takes a column from the text: wrap again (the region itself, and
        so `on_resize`, did not change)."""
        if self.scrollable_content_region.width != self._wrapped_at:
            self._wrap()

    def notify_style_update(self) -> None:
        """Theme changed: styles are baked into the wrapped lines."""
        super().notify_style_update()
        if self._wrapped_at >= 0:
            self._wrap()

    def selection_updated(self, selection: Selection | None) -> None:
        """Mouse selection is drawn into the lines, as a Static draws it."""
        super().selection_updated(selection)
        self._wrap()

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        """The selected text (for copying)."""
        return selection.extract(self._content.plain), "\n"

    def render_line(self, y: int) -> Strip:
        """Screen row `y` of the content area."""
        index = round(self.scroll_y) + y
        if 0 <= index < len(self._strips):
            return self._strips[index]
        return Strip.blank(self.scrollable_content_region.width, self.visual_style.rich_style)
