"""The help screen: every key, generated from the declared bindings and the keymap in
force, so it cannot go out of date."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.widgets import Static

from nekt_tui.ui.keymap import bindings_in_force

Section = tuple[str, list[tuple[str, str]]]


def binding_rows(app: App[Any], node: DOMNode | type[DOMNode]) -> list[tuple[str, str]]:
    """(keys, description) for each described binding of `node` (a node, or a class of
    nodes not shown yet), keys joined with commas: the keys in force (a `[keys]` entry in
    the config moves them)."""
    cls = node if isinstance(node, type) else type(node)
    by_action: dict[str, tuple[list[str], str]] = {}
    for bindings in bindings_in_force(app, cls).key_to_bindings.values():
        for binding in bindings:
            if not binding.description:
                continue
            keys, _ = by_action.setdefault(binding.action, ([], binding.description))
            shown = app.get_key_display(binding)
            if shown not in keys:
                keys.append(shown)
    return [(", ".join(keys), description) for keys, description in by_action.values()]


def help_sections(
    app: App[Any], parts: Iterable[tuple[str, DOMNode | type[DOMNode] | None]]
) -> list[Section]:
    """One section per titled node (or class of nodes) that has described bindings."""
    sections: list[Section] = []
    for title, node in parts:
        if node is None:
            continue
        rows = binding_rows(app, node)
        if rows:
            sections.append((title, rows))
    return sections


def help_content(sections: Sequence[Section], extra: Sequence[str] = ()) -> Content:
    """The help text: a key column and a description column per section."""
    width = max((len(keys) for _, rows in sections for keys, _ in rows), default=8) + 2
    lines: list[Content] = []
    for title, rows in sections:
        lines.append(Content.assemble((title, "bold $accent"), end="\n"))
        for keys, description in rows:
            lines.append(Content.assemble("  ", (keys.ljust(width), "bold"), description, end="\n"))
        lines.append(Content("\n"))
    for text in extra:
        lines.append(Content.assemble((text, "$text-muted"), end="\n"))
    return Content("").join(lines)


class HelpScreen(ModalScreen[None]):
    """Lists every key; escape, q or ? closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "Close help"),
    ]

    def __init__(self, sections: Sequence[Section], extra: Sequence[str] = ()) -> None:
        super().__init__()
        self._content = help_content(sections, extra)

    def compose(self) -> ComposeResult:
        """A scrollable box of keys."""
        with VerticalScroll(id="help-box", classes="dialog") as box:
            box.border_title = "Keys"
            box.border_subtitle = "escape closes"
            yield Static(self._content, id="help-body")

    def action_close(self) -> None:
        """Back to the app."""
        self.dismiss(None)
