"""The two list screens, for the app to open and for `[keys]` to remap their keys."""

from __future__ import annotations

from textual.dom import DOMNode

from nekt_tui.ui.screens.pipelines import PipelinesScreen
from nekt_tui.ui.screens.runs_browser import RunsBrowserScreen
from nekt_tui.ui.widgets.list_table import ListTable

#: The classes whose bindings a `[keys]` table may remap.
LIST_KEY_CLASSES: tuple[type[DOMNode], ...] = (PipelinesScreen, RunsBrowserScreen, ListTable)

#: The help's sections for the two screens and their table.
LIST_SECTIONS: tuple[tuple[str, type[DOMNode]], ...] = (
    ("Pipelines board (b)", PipelinesScreen),
    ("Recent runs (h)", RunsBrowserScreen),
    ("Pipelines and recent runs: the table", ListTable),
)
#: What the help says of them besides their keys.
LIST_HELP = (
    "Pipelines board and recent runs: / filters (words, status:failed,running); the lists "
    "are read again every list_interval seconds (30 by default).",
)

__all__ = [
    "LIST_HELP",
    "LIST_KEY_CLASSES",
    "LIST_SECTIONS",
    "PipelinesScreen",
    "RunsBrowserScreen",
]
