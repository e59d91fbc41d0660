"""Ask for an API key for this session (after a refused or missing key).

The key is typed into a password field, used for a new client, and never shown, logged
or saved: to keep it, put it in NEKT_API_KEY or the config file.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static


class KeyDialog(ModalScreen[str | None]):
    """Dismisses with the key typed, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, where: str) -> None:
        super().__init__()
        self._where = where

    def compose(self) -> ComposeResult:
        """Prompt, password input, hint, buttons."""
        with Vertical(id="key-box", classes="dialog") as box:
            box.border_title = "API key for this session"
            yield Label("Paste a Nekt API key (it is not shown and not saved):")
            yield Input(password=True, id="key-input")
            yield Static(
                Content(f"To keep a key, set NEKT_API_KEY or api_key in {self._where}."),
                id="key-message",
            )
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="key-cancel")
                yield Button("Use key", id="key-ok", variant="primary")

    def on_mount(self) -> None:
        """Type straight away."""
        self.query_one(Input).focus()

    @on(Input.Submitted, "#key-input")
    @on(Button.Pressed, "#key-ok")
    def _submit(self) -> None:
        key = self.query_one(Input).value.strip()
        if not key or any(ch.isspace() or not ch.isprintable() for ch in key):
            message = self.query_one("#key-message", Static)
            message.add_class("error")
            message.update(Content("An API key is one word of printable characters."))
            return
        self.dismiss(key)

    @on(Button.Pressed, "#key-cancel")
    def action_cancel(self) -> None:
        """Close without changing anything."""
        self.dismiss(None)
