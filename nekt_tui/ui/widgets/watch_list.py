"""The watch list: one line per run, drawn with the line API so 2,000 rows stay cheap.

Only the lines on screen are ever rendered. A poll that changes one row refreshes that
one line; the once-a-second tick repaints only the visible lines; sorting and filtering
rebuild an index, never widgets.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from datetime import datetime
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.actions import SkipAction
from textual.binding import Binding, BindingType
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip

from nekt_tui.ui.state.model import Row, WatchModel
from nekt_tui.ui.status_style import STATUS_KEYS, look
from nekt_tui.ui.widgets.row_cursor import RowCursor
from nekt_tui.ui.widgets.row_text import (
    elapsed_text,
    fit,
    follow_marker,
    freshness_text,
    pulse_dim,
    rfit,
)

__all__ = ["MARK", "WatchList", "elapsed_text", "fit", "freshness_text", "rfit"]

FLASH_SECONDS = 1.0
#: Drawn between a marked row's status symbol and its name: a shape, not only a colour.
MARK = "▌"


class WatchList(RowCursor, can_focus=True):
    """The list of watched runs, with a fixed header line and a cursor."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "watch-list--header",
        "watch-list--cursor",
        "watch-list--cursor-blur",
        "watch-list--dim",
        "watch-list--problem",
        "watch-list--mark",
        "watch-list--marked",
        *(f"watch-list--status-{key}" for key in STATUS_KEYS),
        *(f"watch-list--flash-{key}" for key in STATUS_KEYS),
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor(-1)", "Up", show=False, id="list-up"),
        Binding("down,j", "cursor(1)", "Down", show=False, id="list-down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="list-page-up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="list-page-down"),
        Binding("home", "jump(0)", "First", show=False, id="list-first"),
        Binding("end", "jump(-1)", "Last", show=False, id="list-last"),
        Binding(
            "space",
            "mark",
            "Mark run (d removes the marked)",
            show=False,
            tooltip="Mark or unmark the run and move down: d removes every marked run",
            id="list-mark",
        ),
        Binding(
            "escape",
            "clear_marks",
            "Clear marks",
            show=False,
            tooltip="Unmark every run",
            id="list-clear-marks",
        ),
    ]

    class Highlighted(Message):
        """The run under the cursor changed (None when the list is empty)."""

        def __init__(self, run_id: str | None) -> None:
            super().__init__()
            self.run_id = run_id

    def __init__(
        self,
        model: WatchModel,
        now: Callable[[], datetime],
        monotonic: Callable[[], float],
        *,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.model = model
        self._now = now
        self._monotonic = monotonic
        #: Whether the running dot pulses (off under TEXTUAL_ANIMATIONS=none).
        self.pulse_enabled = True
        self._selected: str | None = None
        self._flash: dict[str, tuple[str, float]] = {}
        self._flash_timer_armed = False
        #: Per run, the time-moving text its line was last drawn with (see `tick`).
        self._drawn: dict[str, tuple[str, str, bool]] = {}
        #: While a paint runs: (width, base style, now), shared by its lines.
        self._paint: tuple[int, Style, datetime] | None = None

    # ---- what is selected ----------------------------------------------------------

    @property
    def selected(self) -> str | None:
        """The run ID under the cursor."""
        return self._selected

    def select(self, run_id: str) -> None:
        """Move the cursor to `run_id` if it is shown."""
        index = self.model.index_of(run_id)
        if index is not None:
            self._move_to(index)

    def row_count(self) -> int:
        """How many runs the list shows (after the filter)."""
        return len(self.model.view)

    def _move_to(self, index: int) -> None:
        view = self.model.view
        old_cursor = self.cursor
        self.cursor = max(0, min(index, len(view) - 1)) if view else 0
        self._refresh_rows((old_cursor, self.cursor))
        self._scroll_cursor_visible()
        self._set_selected(view[self.cursor] if view else None)

    def _set_selected(self, run_id: str | None) -> None:
        if run_id != self._selected:
            self._selected = run_id
            self.post_message(self.Highlighted(run_id))

    # ---- changes from the app ------------------------------------------------------

    def structure_changed(self) -> None:
        """Rows were added, removed, re-filtered or re-sorted: rebuild the visible order."""
        self.model.rebuild_view()
        self._drawn.clear()  # every line is drawn again; forget removed runs
        self._fit_rows()
        keep = self._selected
        index = self.model.index_of(keep) if keep is not None else None
        view = self.model.view
        self.cursor = index if index is not None else min(self.cursor, max(0, len(view) - 1))
        self._set_selected(view[self.cursor] if view else None)
        self._scroll_cursor_visible()
        self.refresh()

    def rows_changed(self, run_ids: Collection[str]) -> None:
        """These rows have new data: redraw them, or re-sort if the order may move.

        Only the lines on screen are looked at: a poll of 2,000 runs costs a screenful of
        set lookups here, and an off-screen row is drawn from its (updated) model when it
        is scrolled into view.
        """
        if self.model.order_moved(run_ids):
            self.structure_changed()
            return
        top, bottom = self._visible_indexes()
        view = self.model.view
        if len(run_ids) < bottom - top:
            self._refresh_rows(i for i in map(self.model.index_of, run_ids) if i is not None)
        else:
            self._refresh_rows(i for i in range(top, bottom) if view[i] in run_ids)

    def tick(self) -> None:
        """Once a second: redraw the visible lines whose text moved with time.

        Only a line whose elapsed time, freshness or pulse changed since it was last drawn
        is sent again: a screen of finished runs ("final", a fixed duration) costs nothing,
        and a "3m ago" is redrawn once a minute, not every second.
        """
        self._expire_flashes()
        view = self.model.view
        rows = self.model.rows
        now = self._now()
        moving = []
        for index in range(*self._visible_indexes()):
            row = rows.get(view[index])
            if row is not None and self._drawn.get(row.run_id) != self._moving_key(row, now):
                moving.append(index)
        self._refresh_rows(moving)

    def _moving_key(self, row: Row, now: datetime) -> tuple[str, str, bool]:
        """What of a line moves with time: elapsed, freshness, the running dot's phase."""
        pulse = pulse_dim(row, now, self.pulse_enabled)
        return elapsed_text(row, now)[0], freshness_text(row, now)[0], pulse

    def flash(self, run_id: str, status_key: str) -> None:
        """Flash a row once in a status colour, for a second of the injected clock.

        The expiry is checked by a timer and by the 1 s tick; a test's frozen clock keeps
        the flash on until the clock moves, so what a test sees does not race real time.
        """
        self.flash_many(((run_id, status_key),))

    def flash_many(self, flashes: Iterable[tuple[str, str]]) -> None:
        """`flash` for many rows (run ID, status key) at once: one redraw of the window."""
        until = self._monotonic() + FLASH_SECONDS
        top, bottom = self._visible_indexes()
        index_of = self.model.index_of
        indexes = []
        for run_id, status_key in flashes:
            self._flash[run_id] = (status_key, until)
            index = index_of(run_id)
            if index is not None and top <= index < bottom:  # the others: when scrolled to
                indexes.append(index)
        self._refresh_rows(indexes)
        if self._flash and not self._flash_timer_armed:
            self._flash_timer_armed = True
            self.set_timer(FLASH_SECONDS, self._expire_flashes)

    def flashing(self, run_id: str) -> str | None:
        """The status key a row is flashing in, if it is flashing now."""
        entry = self._flash.get(run_id)
        return entry[0] if entry is not None else None

    def _expire_flashes(self) -> None:
        self._flash_timer_armed = False
        now = self._monotonic()
        done = [run_id for run_id, (_, until) in self._flash.items() if until <= now]
        for run_id in done:
            del self._flash[run_id]
        self._refresh_rows(i for i in map(self.model.index_of, done) if i is not None)
        if self._flash:
            self._flash_timer_armed = True
            next_due = min(until for _, until in self._flash.values())
            self.set_timer(max(0.05, next_due - now), self._expire_flashes)

    # ---- keys and mouse ----------------------------------------------------------

    def action_mark(self) -> None:
        """Mark or unmark the run under the cursor, then move down (as lazygit and k9s)."""
        if self._selected is not None:
            self.model.toggle_mark(self._selected)
            self._refresh_rows((self.cursor,))
            self._refresh_header()
            self._move_to(self.cursor + 1)

    def action_clear_marks(self) -> None:
        """Unmark every run; with none marked, escape goes on to whatever else wants it."""
        if not self.model.marks:
            raise SkipAction
        self.model.marks.clear()
        self.refresh()

    # ---- drawing ---------------------------------------------------------------------

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"watch-list--{name}", partial=True)

    def _columns(self, width: int) -> tuple[int, int, int, int, int]:
        """(name, number, status, elapsed, freshness) widths; narrow lists drop columns."""
        number, status, elapsed, fresh = max(9, self.model.short_len + 1), 11, 8, 13
        if width < 64:
            status = 0
        if width < 48:
            number = 0
        if width < 38:
            fresh = 0
        name = max(4, width - 2 - number - status - elapsed - fresh)
        return name, number, status, elapsed, fresh

    def render_lines(self, crop: Region) -> list[Strip]:
        """Draw the lines of `crop`, working out once what all its lines share."""
        # Textual computes `rich_style` by walking every ancestor and the content region
        # through the screen's map, on every call: once per line, that was about half
        # of a row's cost. Both (and the time shown) hold for the whole paint.
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
        if y == 0:
            return self._header(width, base)
        index = round(self.scroll_y) + y - 1
        view = self.model.view
        if index >= len(view):
            return Strip.blank(width, base)
        row = self.model.rows.get(view[index])
        if row is None:
            return Strip.blank(width, base)
        return self._row(row, index, width, base, now)

    def _header(self, width: int, base: Style) -> Strip:
        name, number, status, elapsed, fresh = self._columns(width)
        title = "run"
        if self.model.marks:
            hidden = sum(1 for run_id in self.model.marks if self.model.index_of(run_id) is None)
            title += f" · {len(self.model.marks)} marked" + (
                f" ({hidden} hidden)" if hidden else ""
            )
        text = (
            "  "
            + fit(title, name - 1)
            + " "
            + fit("# / id", number)
            + fit("status", status)
            + rfit("elapsed", elapsed - 1)
            + " "
            + fit("fresh", fresh)
        )
        return Strip([Segment(fit(text, width), base + self._style("header"))], width)

    def _row(self, row: Row, index: int, width: int, base: Style, now: datetime) -> Strip:
        name_w, number_w, status_w, elapsed_w, fresh_w = self._columns(width)
        status = row.status
        shown = look(status)
        colour = self._style(f"status-{shown.key}")
        badge = colour
        # A running dot dims every other second: one cell per second, cheap over SSH. It
        # follows the injected clock (not a timer), so a frozen clock is still.
        pulse = pulse_dim(row, now, self.pulse_enabled)
        if pulse:
            badge = colour + Style(dim=True)
        dim = self._style("dim")
        background = base
        flash = self._flash.get(row.run_id)
        if flash is not None:
            background = base + self._style(f"flash-{flash[0]}")
        elif index == self.cursor:
            background = base + self._style("cursor" if self.has_focus else "cursor-blur")
        elapsed, _ = elapsed_text(row, now)
        fresh, fresh_kind = freshness_text(row, now)
        self._drawn[row.run_id] = (elapsed, fresh, pulse)
        fresh_style = (
            dim
            if fresh_kind == "dim"
            else self._style("problem")
            if (fresh_kind == "problem")
            else Style()
        )
        name = Segment(fit(row.name, name_w - 1) + " ", background)
        segments = [
            Segment(fit(shown.symbol, 2), background + badge),
            # A cell of space keeps a cut name from running into the ID.
            name,
            Segment(fit(row.number, number_w), background + dim),
            Segment(fit(shown.label, status_w), background + colour),
            Segment(rfit(elapsed, elapsed_w - 1) + " ", background),
            Segment(fit(" " + fresh, fresh_w), background + fresh_style),
        ]
        if row.run_id in self.model.marks:  # the mark takes the cell after the symbol
            segments[:2] = [
                Segment(fit(shown.symbol, 1), background + badge),
                Segment(MARK, background + self._style("mark")),
                Segment(name.text, background + self._style("marked")),
            ]
        followed = follow_marker(row, row.run_id in self.model.marks)
        if followed is not None:  # added by a follow rule: a marker in the same cell
            segments[:1] = [
                Segment(fit(shown.symbol, 1), background + badge),
                Segment(followed, background + dim),
            ]
        strip = Strip(segments)
        return strip.crop_extend(0, width, background)
