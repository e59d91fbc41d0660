"""The label dialog: name a watched run in the list (`L`); an empty value clears it.

What is typed is cleaned like server text (`clean_label`): a pasted escape sequence or
markup-looking text can never style or move anything, it is shown as typed or dropped.
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

from nekt_tui.ui.state.model import LABEL_MAX, clean_label


class LabelDialog(ModalScreen[str | None]):
    """Dismisses with the new label ("" clears it), or None when cancelled."""

    # The box itself is styled by the shared `.dialog` rule in app.tcss.
    DEFAULT_CSS = """
    LabelDialog { align: center middle; }
    #label-box Label { margin: 1 0 0 0; }
    #label-message { height: auto; margin: 0 0 1 0; color: $text-muted; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, current: str | None, run_title: str) -> None:
        super().__init__()
        self._current = current or ""
        self._run_title = run_title

    def compose(self) -> ComposeResult:
        """Prompt, input prefilled with the current label, hint, buttons."""
        with Vertical(id="label-box", classes="dialog") as box:
            # Content, not a markup string: the title holds the (sanitised) run name.
            box.border_title = Content(f"Label for {self._run_title}")
            yield Label("A name for this run in the watch list (empty: no label):")
            yield Input(
                self._current,
                placeholder="e.g. nightly backfill",
                max_length=LABEL_MAX,
                id="label-input",
            )
            yield Static(
                Content(f"Up to {LABEL_MAX} characters; saved with the watch list."),
                id="label-message",
            )
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="label-cancel")
                yield Button("Save", id="label-ok", variant="primary")

    def on_mount(self) -> None:
        """Type straight away."""
        self.query_one(Input).focus()

    @on(Input.Submitted, "#label-input")
    @on(Button.Pressed, "#label-ok")
    def _submit(self) -> None:
        self.dismiss(clean_label(self.query_one(Input).value) or "")

    @on(Button.Pressed, "#label-cancel")
    def action_cancel(self) -> None:
        """Close without changing the label."""
        self.dismiss(None)
