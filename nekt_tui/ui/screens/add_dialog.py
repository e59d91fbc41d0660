"""The add dialog: run IDs, several at once, or pasted URLs and text.

Invalid input is explained inline and nothing is added: the dialog only closes with a
list of new, valid run IDs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from nekt_tui.api.errors import InvalidRunIdError
from nekt_tui.api.ids import parse_run_ids
from nekt_tui.sanitize import sanitize

# Something shaped like a run ID that is not one (a truncated or mistyped UUID).
_NEAR_MISS = re.compile(r"(?<![0-9A-Za-z])[0-9a-fA-F]{8}-[0-9a-fA-F-]{3,}(?![0-9A-Za-z])")
_UUID_LEN = 36


class PasteInput(Input):
    """An Input that keeps every line of a paste (joined by spaces), not only the first."""

    def _on_paste(self, event: events.Paste) -> None:
        event.prevent_default()  # Input's own handler would keep only the first line
        if event.text:
            # Terminals send a pasted newline as CR: every line break becomes a space.
            lines = event.text.replace("\r\n", "\n").replace("\r", "\n")
            text = " ".join(sanitize(lines).split())
            selection = self.selection
            if selection.is_empty:
                self.insert_text_at_cursor(text)
            else:
                self.replace(text, *selection)
        event.stop()


def check_input(text: str, is_watched: Callable[[str], bool]) -> tuple[list[str], str]:
    """Parse the dialog's text: (new run IDs, "") or ([], why nothing can be added)."""
    if not text.strip():
        return [], "Type or paste at least one run ID (a UUID), a run URL, or text with IDs."
    try:
        ids = parse_run_ids(text)
    except InvalidRunIdError:
        shown = sanitize(text.strip(), single_line=True)
        shown = shown if len(shown) <= 40 else shown[:39] + "…"
        return [], (
            f"No run ID in “{shown}”. A run ID is a UUID like 3c90c3cc-0d44-4b50-8888-8dd25736052a."
        )
    for match in _NEAR_MISS.finditer(text):
        token = match.group()
        if len(token) != _UUID_LEN or token.lower() not in ids:
            shown = sanitize(token, single_line=True)[:40]
            return [], f"“{shown}” looks like a run ID but is not a whole UUID; nothing added."
    new = [run_id for run_id in ids if not is_watched(run_id)]
    if not new:
        what = "That run is" if len(ids) == 1 else "All of these runs are"
        return [], f"{what} already in the watch list."
    return new, ""


class AddDialog(ModalScreen[list[str] | None]):
    """Ask for run IDs; dismisses with the new IDs, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, is_watched: Callable[[str], bool]) -> None:
        super().__init__()
        self._is_watched = is_watched

    def compose(self) -> ComposeResult:
        """Prompt, input, inline message, buttons."""
        with Vertical(id="add-box", classes="dialog") as box:
            box.border_title = "Add runs"
            yield Label("Run IDs, run URLs, or any text with IDs in it (several at once):")
            yield PasteInput(placeholder="3c90c3cc-0d44-4b50-8888-8dd25736052a …", id="add-input")
            yield Static("", id="add-message")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="add-cancel")
                yield Button("Add", id="add-ok", variant="primary")

    def on_mount(self) -> None:
        """Type straight away."""
        self.query_one(PasteInput).focus()

    @on(Input.Changed, "#add-input")
    def _changed(self, event: Input.Changed) -> None:
        message = self.query_one("#add-message", Static)
        message.remove_class("error")
        if not event.value.strip():
            message.update("")
            return
        ids, _ = check_input(event.value, self._is_watched)
        found = f"{len(ids)} new run ID{'s' if len(ids) != 1 else ''} found" if ids else ""
        message.update(Content(found))

    @on(Input.Submitted, "#add-input")
    @on(Button.Pressed, "#add-ok")
    def _submit(self) -> None:
        ids, why = check_input(self.query_one(PasteInput).value, self._is_watched)
        if why:
            message = self.query_one("#add-message", Static)
            message.add_class("error")
            # The message quotes what was typed: Content, so it is never read as markup.
            message.update(Content(why))
            return
        self.dismiss(ids)

    @on(Button.Pressed, "#add-cancel")
    def action_cancel(self) -> None:
        """Close without adding anything."""
        self.dismiss(None)
