"""A tiny Textual app holding one LogPanel, for the log panel's Pilot tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.app import App, ComposeResult

from nekt_tui.api.models import Run
from nekt_tui.ui.widgets.log_panel import LogPanel
from nekt_tui.ui.widgets.log_view import LogView

RUN_A = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
RUN_B = "11111111-2222-4333-8444-555555555555"


def make_run(
    log: str | None,
    *,
    run_id: str = RUN_A,
    slug: str | None = "pipe-x",
    number: int | None = None,
) -> Run:
    """A run carrying `log` (None: the flat shape, which has no log object)."""
    data: dict[str, Any] = {"id": run_id, "status": "running"}
    if log is not None:
        data["log"] = {"parsed_log": log}
        data["pipeline"] = {"slug": slug}
    else:
        data["number"] = number
        data["source"] = slug
    if number is not None:
        data["number"] = number
    return Run.model_validate(data)


def numbered(n: int, start: int = 0) -> list[str]:
    """`n` plain lines `line <i>`."""
    return [f"line {i}" for i in range(start, start + n)]


class LogHost(App[None]):
    """Just a LogPanel, focused."""

    def __init__(self, *, line_cap: int = 500_000, save_dir: Path | None = None) -> None:
        super().__init__()
        self._cap = line_cap
        self._save_dir = save_dir

    def compose(self) -> ComposeResult:
        """The panel under test."""
        yield LogPanel(line_cap=self._cap, save_dir=self._save_dir)

    def on_mount(self) -> None:
        """Keys go to the log view."""
        self.query_one(LogView).focus()

    @property
    def panel(self) -> LogPanel:
        """The panel."""
        return self.query_one(LogPanel)


def screen_rows(view: LogView) -> list[str]:
    """The text of every row the view draws now."""
    height = view.scrollable_content_region.height
    return ["".join(seg.text for seg in view.render_line(y)).rstrip() for y in range(height)]
