"""Confirm cancelling a run (`X`): destructive, so "Keep running" has the focus.

The run's name comes from the server (the pipeline slug) or the user (the label): it is
sanitised by the model and shown as `Content`, so markup-looking text is shown as typed.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class CancelDialog(ModalScreen[bool]):
    """Dismisses with True to cancel the run, False to keep it running."""

    DEFAULT_CSS = """
    CancelDialog { align: center middle; }
    #cancel-question { margin: 1 0 0 0; }
    #cancel-detail { margin: 1 0 1 0; color: $text-muted; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "confirm", "Cancel the run"),
        Binding("n,escape", "keep", "Keep running"),
    ]

    def __init__(self, name: str, run_id: str, label: str | None = None) -> None:
        """`name`: `<pipeline> <#number or short ID>`, already sanitised."""
        super().__init__()
        # Not `_name`: that is the DOM node's own name (`DOMNode.name`).
        self._run_name = name
        self._run_id = run_id
        self._label = label

    def compose(self) -> ComposeResult:
        """The question, the run's full ID (and label), the two buttons."""
        with Vertical(id="cancel-box", classes="dialog") as box:
            box.border_title = "Cancel run"
            box.border_subtitle = "y cancels it · n or escape keeps it"
            yield Static(
                Content.assemble((f"Cancel {self._run_name}?", "bold")), id="cancel-question"
            )
            detail = f"Run {self._run_id}"
            if self._label:
                detail += f" · label: {self._label}"
            yield Static(
                Content(f"{detail}\nThe API stops the run; this cannot be undone."),
                id="cancel-detail",
            )
            with Horizontal(classes="buttons"):
                yield Button("Keep running", id="cancel-keep", variant="primary")
                yield Button("Cancel run", id="cancel-ok", variant="error")

    def on_mount(self) -> None:
        """The safe choice has the focus: a stray Enter keeps the run going."""
        self.query_one("#cancel-keep", Button).focus()

    @on(Button.Pressed, "#cancel-ok")
    def action_confirm(self) -> None:
        """Cancel the run."""
        self.dismiss(True)

    @on(Button.Pressed, "#cancel-keep")
    def action_keep(self) -> None:
        """Close; the run goes on."""
        self.dismiss(False)
