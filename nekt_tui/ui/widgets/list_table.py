"""A table of pipelines or runs drawn with the line API, as the watch list is: only the
lines on screen are rendered, so 1,000 rows cost a screenful, never a widget per row.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip

from nekt_tui.ui.state.listing import Listing, ListRow
from nekt_tui.ui.status_style import STATUS_KEYS, look
from nekt_tui.ui.widgets.row_cursor import RowCursor
from nekt_tui.ui.widgets.row_text import fit, rfit

#: Drawn after a selected row's status symbol: a shape, not only a colour (as the watch list).
MARK = "▌"


@dataclass(frozen=True, slots=True)
class Column:
    """One column: its title, its width (0: it takes what is left), and from which table
    width on it is shown at all."""

    title: str
    width: int = 0
    right: bool = False
    dim: bool = False
    status: bool = False
    min_table: int = 0


Cells = Callable[[ListRow, datetime], Sequence[str]]


class ListTable(RowCursor, can_focus=True):
    """Rows of a `Listing` with a header line, a cursor and marks (`marked` keys)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "list-table--header",
        "list-table--cursor",
        "list-table--cursor-blur",
        "list-table--dim",
        "list-table--mark",
        *(f"list-table--status-{key}" for key in STATUS_KEYS),
    }

    DEFAULT_CSS = """
    ListTable { height: 1fr; }
    ListTable > .list-table--header { color: $text-muted; text-style: bold; }
    ListTable > .list-table--cursor { background: $accent 45%; }
    ListTable > .list-table--cursor-blur { background: $foreground 15%; }
    ListTable > .list-table--dim { color: $text-muted; }
    ListTable > .list-table--mark { color: $accent; text-style: bold; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor(-1)", "Up", show=False, id="table-up"),
        Binding("down,j", "cursor(1)", "Down", show=False, id="table-down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="table-page-up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="table-page-down"),
        Binding("home", "jump(0)", "First", show=False, id="table-first"),
        Binding("end", "jump(-1)", "Last", show=False, id="table-last"),
    ]

    class Highlighted(Message):
        """The row under the cursor changed (None: the table is empty)."""

        def __init__(self, row: ListRow | None) -> None:
            super().__init__()
            self.row = row

    class AtEnd(Message):
        """The cursor reached the last row (the browser loads the next page)."""

    def __init__(
        self,
        listing: Listing,
        columns: Sequence[Column],
        cells: Cells,
        now: Callable[[], datetime],
        *,
        marked: Collection[str] = (),
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.listing = listing
        self.columns = tuple(columns)
        self._cells = cells
        self._now = now
        self.marked = marked
        self._key: str | None = None
        self._paint: tuple[int, Style, datetime] | None = None

    # ---- what is selected ----------------------------------------------------------

    @property
    def selected(self) -> ListRow | None:
        """The row under the cursor."""
        view = self.listing.view
        return view[self.cursor] if 0 <= self.cursor < len(view) else None

    def select(self, key: str) -> None:
        """Move the cursor to the row with `key`, if it is shown."""
        index = self.listing.index_of(key)
        if index is not None:
            self._move_to(index)

    def row_count(self) -> int:
        """How many rows the table shows (after the filter)."""
        return len(self.listing.view)

    def _move_to(self, index: int) -> None:
        view = self.listing.view
        old = self.cursor
        self.cursor = max(0, min(index, len(view) - 1)) if view else 0
        self._refresh_rows((old, self.cursor))
        self._scroll_cursor_visible()
        self._highlight()
        if view and self.cursor == len(view) - 1:
            self.post_message(self.AtEnd())

    def _highlight(self) -> None:
        row = self.selected
        key = row.key if row is not None else None
        if key != self._key:
            self._key = key
            self.post_message(self.Highlighted(row))

    # ---- changes -------------------------------------------------------------------

    def rows_changed(self) -> None:
        """The listing's view was rebuilt: keep the cursor on its row, draw again."""
        view = self.listing.view
        self._fit_rows()
        index = self.listing.index_of(self._key) if self._key is not None else None
        self.cursor = index if index is not None else min(self.cursor, max(0, len(view) - 1))
        self._scroll_cursor_visible()
        self._highlight()
        self.refresh()

    def row_redraw(self, key: str) -> None:
        """Draw one row again (its mark changed)."""
        index = self.listing.index_of(key)
        if index is not None:
            self._refresh_rows((index,))
        self._refresh_header()  # the count

    # ---- drawing ---------------------------------------------------------------------

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"list-table--{name}", partial=True)

    def widths(self, width: int) -> list[int]:
        """Each column's width at a table `width` (0: not shown); two cells go to the
        status symbol."""
        shown = [c.width if width >= c.min_table else 0 for c in self.columns]
        fixed = sum(w for c, w in zip(self.columns, shown, strict=True) if c.width)
        rest = max(4, width - 2 - fixed)
        return [rest if c.width == 0 else w for c, w in zip(self.columns, shown, strict=True)]

    def render_lines(self, crop: Region) -> list[Strip]:
        """Draw the lines of `crop`, working out once what all its lines share."""
        self._paint = (self.scrollable_content_region.width, self.rich_style, self._now())
        try:
            return super().render_lines(crop)
        finally:
            self._paint = None

    def render_line(self, y: int) -> Strip:
        """Draw the header (y = 0) or one row."""
        width, base, now = self._paint or (
            self.scrollable_content_region.width,
            self.rich_style,
            self._now(),
        )
        widths = self.widths(width)
        if y == 0:
            return self._header(width, widths, base)
        index = round(self.scroll_y) + y - 1
        view = self.listing.view
        if index >= len(view):
            return Strip.blank(width, base)
        return self._row(view[index], index, width, widths, base, now)

    def _header(self, width: int, widths: list[int], base: Style) -> Strip:
        parts = ["  "]
        for column, w in zip(self.columns, widths, strict=True):
            if w:
                parts.append(
                    rfit(column.title, w - 1) + " " if column.right else fit(column.title, w)
                )
        if self.marked:
            parts[1:2] = [fit(f"{self.columns[0].title} · {len(self.marked)} selected", widths[0])]
        return Strip([Segment(fit("".join(parts), width), base + self._style("header"))], width)

    def _row(
        self, row: ListRow, index: int, width: int, widths: list[int], base: Style, now: datetime
    ) -> Strip:
        shown = look(row.status)
        colour = self._style(f"status-{shown.key}")
        background = base
        if index == self.cursor:
            background = base + self._style("cursor" if self.has_focus else "cursor-blur")
        dim = self._style("dim")
        if row.key in self.marked:
            segments = [
                Segment(fit(shown.symbol, 1), background + colour),
                Segment(MARK, background + self._style("mark")),
            ]
        else:
            segments = [Segment(fit(shown.symbol, 2), background + colour)]
        texts = self._cells(row, now)
        for column, w, text in zip(self.columns, widths, texts, strict=True):
            if not w:
                continue
            cell = rfit(text, w - 1) + " " if column.right else fit(text, w - 1) + " "
            style = background + (colour if column.status else dim if column.dim else Style())
            segments.append(Segment(cell, style))
        return Strip(segments).crop_extend(0, width, background)
