"""Line-API views whose content can grow without re-laying out the whole screen.

`set_scroll_range` is the shared trick (the log view uses it for appends); `ContentView`
is a scrollable, wrapped `Content` drawn line by line, for the status and pipeline panels.
"""

from __future__ import annotations

from textual.content import Content
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.selection import Selection
from textual.strip import Strip
from textual.visual import Visual
from textual.widget import Widget


def set_scroll_range(view: ScrollView, size: Size) -> None:
    """Set a line view's `virtual_size` without asking for a layout of the whole screen.

    Setting `virtual_size` asks for a layout of every widget on the screen. A line view's
    own size never depends on its content, so only its scrollbars need updating, which
    is what Textual does for a resize that needs no layout (`Widget._size_updated`). A
    scrollbar that appears or goes still asks for a layout (it changes the view's width).
    """
    if size == view.virtual_size:
        return
    if not view.is_mounted or not view.container_size:
        view.virtual_size = size  # not laid out yet: the first layout comes anyway
        return
    view.set_reactive(Widget.virtual_size, size)
    view._scroll_update(size)
    view.refresh()


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
