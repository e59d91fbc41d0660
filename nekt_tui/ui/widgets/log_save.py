"""The save-log dialog: a file name prompt that never overwrites without asking, writing
plain text unless the user picks the raw log (and saying which it will write)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Static

from nekt_tui.logview.save import plain_log, write_log

PLAIN = "Writes plain text: escape sequences and colours removed, safe to cat."
RAW = (
    "Writes the raw log, as the API sent it: any escape sequences in it are kept, "
    "so cat may retitle the terminal, write its clipboard or clear it."
)


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
        #save-log-mode { color: $text-muted; }
        #save-log-mode.-raw { color: $text-warning; }
        Checkbox { border: none; padding: 0; background: $panel; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+r", "toggle_raw", "Raw or plain"),
    ]

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
            yield Checkbox("raw: the log as the API sent it (ctrl+r)", id="save-log-raw")
            yield Static(PLAIN, id="save-log-mode")
            yield Static(Text(f"in {self._dir} · enter saves · escape cancels"))

    @property
    def raw(self) -> bool:
        """True when the raw log will be written, else plain text."""
        return self.query_one("#save-log-raw", Checkbox).value

    def action_toggle_raw(self) -> None:
        """Switch between writing plain text and the raw log."""
        box = self.query_one("#save-log-raw", Checkbox)
        box.value = not box.value

    @on(Checkbox.Changed, "#save-log-raw")
    def _mode_changed(self, event: Checkbox.Changed) -> None:
        event.stop()
        mode = self.query_one("#save-log-mode", Static)
        mode.update(RAW if event.value else PLAIN)
        mode.set_class(event.value, "-raw")
        self.query_one("#save-log-name", Input).focus()  # enter saves, whatever was clicked

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
            text = self._text if self.raw else plain_log(self._text)
            write_log(path, text, overwrite=overwrite)
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
