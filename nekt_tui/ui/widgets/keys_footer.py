"""The key bar: Textual's footer, tighter on a narrow terminal and showing whole keys only."""

from __future__ import annotations

from textual import events
from textual.widgets import Footer

#: Below this width the keys drop their inner spacing (80 columns fit two more keys).
COMPACT_BELOW = 100


class KeysFooter(Footer):
    """The footer, compact below `COMPACT_BELOW` columns. A key that the right edge (or the
    palette key docked there) would cut is hidden with every key after it, so the bar never
    reads "/ Fil": all keys are in `?` help and the command palette."""

    def on_resize(self, event: events.Resize) -> None:
        self.compact = event.size.width < COMPACT_BELOW
        self.call_after_refresh(self._show_whole_keys)

    async def recompose(self) -> None:
        await super().recompose()
        self.call_after_refresh(self._show_whole_keys)

    def _show_whole_keys(self) -> None:
        if not self.is_attached:
            return
        keys = list(self.query_children("FooterKey"))
        room = self.size.width - sum(
            key.outer_size.width for key in keys if key.has_class("-command-palette")
        )
        right = 0
        cut = False
        for key in keys:
            if key.has_class("-command-palette"):
                continue
            # A key's width is its own text, whether shown or not: measure it, not its place.
            # Its margin counts too: keys one cell too wide scroll the bar, and the palette
            # key docked right then leaves the last column to a scrolled key's letter.
            margin = key.styles.margin
            right += margin.left + key.get_content_width(self.size, self.size) + margin.right
            cut = cut or right > room
            key.display = not cut
