"""What the watch list and the list screens' tables share: a header line over rows drawn
with the line API, and a cursor moved by keys and the mouse."""

from __future__ import annotations

from collections.abc import Iterable

from textual import events
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView


class RowCursor(ScrollView):
    """Rows under a one-line header, with a cursor. Subclasses say how many rows there are
    (`row_count`) and what moving the cursor selects (`_move_to`)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        #: The cursor's index among the rows shown.
        self.cursor = 0

    def row_count(self) -> int:
        """How many rows are shown (after filtering)."""
        raise NotImplementedError

    def _move_to(self, index: int) -> None:
        raise NotImplementedError

    # ---- the window on the rows ----------------------------------------------------

    def _fit_rows(self) -> None:
        """The scrollable height is the rows plus the header; the width is the widget's."""
        self.virtual_size = Size(self.scrollable_content_region.width, self.row_count() + 1)

    def _visible_indexes(self) -> tuple[int, int]:
        """The row indexes [top, bottom) on screen (line 0 is the header)."""
        top = round(self.scroll_y)
        rows_shown = max(0, self.scrollable_content_region.height - 1)
        return top, min(self.row_count(), top + rows_shown)

    def _refresh_rows(self, indexes: Iterable[int]) -> None:
        # Asking Textual for the content region costs more than a row's bookkeeping, so
        # the window is worked out once per call, never per row. The dirty line is as
        # wide as the rows, not the widget (what `refresh_line` marks): a line that also
        # covers the scrollbar makes the compositor draw the whole scrollbar again.
        top, bottom = self._visible_indexes()
        width = self.scrollable_content_region.width
        for index in indexes:
            if top <= index < bottom:
                self.refresh(Region(0, index + 1 - top, width, 1))

    def _refresh_header(self) -> None:
        """Draw the header line again (it counts the marked rows)."""
        self.refresh(Region(0, 0, self.scrollable_content_region.width, 1))

    def _scroll_cursor_visible(self) -> None:
        rows_shown = max(1, self.scrollable_content_region.height - 1)
        top = round(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + rows_shown:
            self.scroll_to(y=self.cursor - rows_shown + 1, animate=False, immediate=True)

    # ---- keys and mouse ----------------------------------------------------------

    def action_cursor(self, step: int) -> None:
        """Move the cursor up or down."""
        self._move_to(self.cursor + step)

    def action_page(self, direction: int) -> None:
        """Move the cursor by a screenful."""
        self._move_to(self.cursor + direction * max(1, self.scrollable_content_region.height - 2))

    def action_jump(self, where: int) -> None:
        """First or last row."""
        self._move_to(self.row_count() - 1 if where < 0 else 0)

    def on_click(self, event: events.Click) -> None:
        """Select the clicked row."""
        if event.y >= 1:
            self._move_to(round(self.scroll_y) + event.y - 1)

    def on_resize(self, event: events.Resize) -> None:
        """Keep the virtual size in step with the width (columns adapt to it)."""
        self._fit_rows()
        self._scroll_cursor_visible()

    def on_focus(self) -> None:
        """The cursor colour shows focus."""
        self._refresh_rows((self.cursor,))

    def on_blur(self) -> None:
        """The cursor colour shows focus."""
        self._refresh_rows((self.cursor,))
