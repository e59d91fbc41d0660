"""The log panel's search bar: text, regex on/off, filter on/off with context lines."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Static

from nekt_tui.logview.search import SearchError, SearchQuery


class LogSearchBar(Horizontal):
    """`/` opens it; enter searches, escape closes. ctrl+r regex, ctrl+t filter."""

    DEFAULT_CSS = """
    LogSearchBar {
        height: auto;
        display: none;
        &.-open { display: block; }
        /* Compact: one row, no border. A bordered Input is three rows; squeezed into
           the bar's one it kept its rules and lost the text between them. */
        Input, Input:focus { width: 1fr; border: none; height: 1; padding: 0 1; }
        #log-search-options { width: auto; padding: 0 1; color: $text-muted; }
        #log-search-error { width: auto; padding: 0 1; color: $text-error; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close search", show=False),
        Binding("ctrl+r", "toggle_regex", "Regex on/off"),
        Binding("ctrl+t", "toggle_filter", "Filter on/off"),
    ]

    class Submitted(Message):
        """Search for `query` (None: clear the search); `filtering` shows matches only."""

        def __init__(self, query: SearchQuery | None, filtering: bool) -> None:
            super().__init__()
            self.query = query
            self.filtering = filtering

    class Closed(Message):
        """The bar closed without searching."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.regex = False
        self.filtering = False

    def compose(self) -> ComposeResult:
        """Input, then the option flags and any error."""
        yield Input(placeholder="search the log", id="log-search-input", compact=True)
        yield Static(id="log-search-error")
        yield Static(id="log-search-options")

    def on_mount(self) -> None:
        """Show the initial option flags."""
        self._show_options()

    @property
    def input(self) -> Input:
        """The text field."""
        return self.query_one("#log-search-input", Input)

    def open(self, text: str, *, regex: bool, filtering: bool) -> None:
        """Show the bar with these settings and focus the text."""
        self.regex, self.filtering = regex, filtering
        self.input.value = text
        self.query_one("#log-search-error", Static).update("")
        self._show_options()
        self.add_class("-open")
        # Now, not at the next turn of the loop as `focus()` does: keys typed (or pasted)
        # right after `/` are already queued, and must land here, not run list commands.
        self.screen.set_focus(self.input)

    def close(self) -> None:
        """Hide the bar."""
        self.remove_class("-open")

    def _show_options(self) -> None:
        regex = "regex" if self.regex else "plain"
        flt = "filter on" if self.filtering else "filter off"
        text = f"{regex} (ctrl+r) · {flt} (ctrl+t)"
        self.query_one("#log-search-options", Static).update(Text(text))

    def action_toggle_regex(self) -> None:
        """Switch between plain text and regular expression."""
        self.regex = not self.regex
        self._show_options()

    def action_toggle_filter(self) -> None:
        """Switch between highlighting matches and showing only them."""
        self.filtering = not self.filtering
        self._show_options()

    def action_close(self) -> None:
        """Close without searching."""
        self.close()
        self.post_message(self.Closed())

    @on(Input.Submitted, "#log-search-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value
        query = SearchQuery(text, regex=self.regex) if text else None
        if query is not None:
            try:
                query.compile()
            except SearchError as exc:
                # Shown inline; the bar stays open so the user can fix the pattern.
                self.query_one("#log-search-error", Static).update(Text(str(exc)))
                return
        self.close()
        self.post_message(self.Submitted(query, self.filtering))
