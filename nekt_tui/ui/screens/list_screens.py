"""The two list screens, for the app to open and for `[keys]` to remap their keys."""

from __future__ import annotations

from textual.dom import DOMNode

from nekt_tui.ui.screens.pipelines import PipelinesScreen
from nekt_tui.ui.screens.runs_browser import RunsBrowserScreen
from nekt_tui.ui.widgets.list_table import ListTable

#: The classes whose bindings a `[keys]` table may remap.
LIST_KEY_CLASSES: tuple[type[DOMNode], ...] = (PipelinesScreen, RunsBrowserScreen, ListTable)

__all__ = ["LIST_KEY_CLASSES", "PipelinesScreen", "RunsBrowserScreen"]
