"""The save-log dialog: a file name prompt that never overwrites without asking."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from nekt_tui.logview.save import write_log


class SaveLogScreen(ModalScreen[Path | None]):
    """Ask where to save; returns the path written, or None when cancelled."""

    DEFAULT_CSS = """
    SaveLogScreen {
        align: center middle;
        #save-log-box {
            width: 80%;
            max-width: 100;
            height: auto;
            border: round $accent;
            background: $panel;
            padding: 0 1;
        }
        #save-log-problem { color: $text-warning; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, text: str, default_name: str, directory: Path) -> None:
        super().__init__()
        self._text = text
        self._default = default_name
        self._dir = directory
        self._armed: Path | None = None  # the existing file the user was warned about

    def compose(self) -> ComposeResult:
        """Title, file name, a line for problems."""
        with Vertical(id="save-log-box"):
            yield Static(Text(f"Save the whole log ({self._line_count()}) to:"))
            yield Input(self._default, id="save-log-name")
            yield Static("", id="save-log-problem")
            yield Static(Text(f"in {self._dir} · enter saves · escape cancels"))

    def _line_count(self) -> str:
        n = self._text.count("\n") + (0 if self._text.endswith("\n") or not self._text else 1)
        return f"{n:,} line{'s' if n != 1 else ''}"

    def _problem(self, message: str) -> None:
        self.query_one("#save-log-problem", Static).update(Text(message))

    @on(Input.Changed, "#save-log-name")
    def _name_changed(self) -> None:
        self._armed = None
        self._problem("")

    @on(Input.Submitted, "#save-log-name")
    def _save(self, event: Input.Submitted) -> None:
        event.stop()
        name = event.value.strip()
        if not name:
            self._problem("Type a file name.")
            return
        path = Path(name).expanduser()
        if not path.is_absolute():
            path = self._dir / path
        overwrite = self._armed == path
        try:
            write_log(path, self._text, overwrite=overwrite)
        except FileExistsError:
            self._armed = path
            self._problem(f"{path} exists. Press enter again to overwrite it, or change the name.")
            return
        except OSError as exc:
            self._problem(f"Could not save: {exc.strerror or exc}")
            return
        self.dismiss(path)

    def action_cancel(self) -> None:
        """Close without saving."""
        self.dismiss(None)
