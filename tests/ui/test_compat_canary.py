"""Canaries for `nekt_tui.ui._textual_compat`: each private Textual name it relies on still
exists with the shape it uses, and its copy of the scrollbar thumb arithmetic still matches
Textual's own drawing. A Textual upgrade that changes one of them fails here, by name.

Also: no other module of the package reaches into a Textual object's private names, and no
widget of ours overwrites one by accident.
"""

from __future__ import annotations

import importlib
import inspect
import itertools
import pathlib
import re

import pytest
from rich.segment import Segment
from rich.style import Style
from textual.app import App, ComposeResult
from textual.dom import DOMNode
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.widget import Widget

import nekt_tui
from nekt_tui.ui import _textual_compat as compat
from nekt_tui.ui.screens.cancel_dialog import CancelDialog

PACKAGE = pathlib.Path(nekt_tui.__file__).parent


def _params(function: object) -> list[str]:
    return list(inspect.signature(function).parameters)  # type: ignore[arg-type]


# --- the private names themselves ------------------------------------------------------


def test_scroll_update_takes_the_virtual_size() -> None:
    assert _params(Widget._scroll_update) == ["self", "virtual_size"], (
        "Textual changed Widget._scroll_update: see set_virtual_size_without_layout"
    )


def test_start_widget_takes_parent_and_widget() -> None:
    assert _params(App._start_widget) == ["self", "parent", "widget"], (
        "Textual changed App._start_widget: see install_scrollbar"
    )


def test_a_new_widget_has_empty_scrollbar_slots() -> None:
    widget = Widget()
    assert widget._vertical_scrollbar is None, "Textual renamed Widget._vertical_scrollbar"
    assert widget._horizontal_scrollbar is None, "Textual renamed Widget._horizontal_scrollbar"


def test_render_bar_keeps_its_arguments() -> None:
    assert _params(ScrollBarRender.render_bar)[:7] == [
        "size",
        "virtual_size",
        "window_size",
        "position",
        "thickness",
        "vertical",
        "back_color",
    ], "Textual changed ScrollBarRender.render_bar: see thumb_eighths"


class _Scrolled(ScrollView):
    """A line view with nothing in it but a scroll range."""


class _ScrollApp(App[None]):
    def compose(self) -> ComposeResult:
        yield _Scrolled()


async def test_installed_scrollbar_is_the_one_textual_uses() -> None:
    """A bar installed through the seam is the one Textual shows and updates."""
    async with _ScrollApp().run_test(size=(40, 10)) as pilot:
        view = pilot.app.query_one(_Scrolled)
        assert compat.current_scrollbar(view, vertical=True) is None
        mine = ScrollBar(True, "vertical", thickness=view.scrollbar_size_vertical)
        compat.install_scrollbar(view, mine, vertical=True)
        assert compat.current_scrollbar(view, vertical=True) is mine
        assert view.vertical_scrollbar is mine
        assert mine.parent is view
        compat.set_virtual_size_without_layout(view, Size(20, 100))
        await pilot.pause()
        assert view.virtual_size == Size(20, 100)
        assert view.max_scroll_y == 100 - view.scrollable_content_region.height
        assert mine.window_virtual_size == 100


async def test_scroll_range_change_is_no_layout() -> None:
    """The point of the seam: the range changes, the screen is not laid out again."""
    async with _ScrollApp().run_test(size=(40, 10)) as pilot:
        view = pilot.app.query_one(_Scrolled)
        view.virtual_size = Size(20, 50)
        await pilot.pause()
        layouts: list[bool] = []
        real = view.refresh

        def spy(*args: object, layout: bool = False, **kwargs: object) -> object:
            layouts.append(layout)
            return real(*args, layout=layout, **kwargs)  # type: ignore[arg-type]

        view.refresh = spy  # type: ignore[method-assign]
        compat.set_virtual_size_without_layout(view, Size(20, 60))
        assert view.virtual_size == Size(20, 60)
        assert not any(layouts)


# --- the copied thumb arithmetic -------------------------------------------------------

# As `ScrollBar._render_bar` passes them: a window as big as the range is no window, and
# the position stays within the range.
_CASES = sorted(
    {
        (length, virtual, window if window < virtual else 0, position, vertical)
        for length, virtual, window, position, vertical in itertools.product(
            [1, 3, 10, 24],  # bar length in cells
            [0, 5, 10, 24, 25, 100, 1_001],  # virtual size
            [0, 4, 10, 23],  # window
            [0, 0.5, 3, 7.25, 40, 977],  # position
            [True, False],
        )
        if position <= max(0, virtual - (window if window < virtual else 0))
    }
)


def _drawn(length: int, virtual: int, window: int, position: float, vertical: bool) -> object:
    segments = ScrollBarRender.render_bar(length, virtual, window, position, 1, vertical)
    return tuple((s.text, s.style) for s in segments.segments if isinstance(s, Segment))


@pytest.mark.parametrize("vertical", [True, False])
def test_same_thumb_is_drawn_the_same(vertical: bool) -> None:
    """Two states with the same thumb ends draw the very same bar: holding the repaint of
    one that did not move (QuietScrollBar) never leaves a stale bar on screen."""
    drawings: dict[object, set[object]] = {}
    for length, virtual, window, position, v in _CASES:
        if v is not vertical:
            continue
        key = (length, compat.thumb_eighths(length, virtual, window, position, vertical=v))
        drawings.setdefault(key, set()).add(_drawn(length, virtual, window, position, v))
    stale = {key: len(seen) for key, seen in drawings.items() if len(seen) > 1}
    assert not stale, f"thumb_eighths no longer matches ScrollBarRender.render_bar: {stale}"


def test_no_thumb_means_no_thumb_drawn() -> None:
    for length, virtual, window, position, vertical in _CASES:
        if compat.thumb_eighths(length, virtual, window, position, vertical=vertical) is None:
            segments = ScrollBarRender.render_bar(length, virtual, window, position, 1, vertical)
            styles = {s.style for s in segments.segments if isinstance(s, Segment) and s.text}
            assert all(style is None or not style.meta for style in styles), (
                length,
                virtual,
                window,
                position,
            )


def test_scrollbar_thumb_reads_the_bar_as_textual_renders_it() -> None:
    """`scrollbar_thumb` passes the bar's sizes on as `ScrollBar._render_bar` does."""
    bar = ScrollBar(True, "vertical")
    bar.window_virtual_size, bar.window_size, bar.position = 100.4, 9.5, 30
    renderable = bar._render_bar(Style())
    assert isinstance(renderable, ScrollBarRender)
    assert (renderable.virtual_size, renderable.window_size) == (101, 10)
    assert renderable.position == 30
    expected = compat.thumb_eighths(
        0, renderable.virtual_size, renderable.window_size, 30, vertical=True
    )
    assert compat.scrollbar_thumb(bar) == expected


# --- nobody else reaches in ------------------------------------------------------------


def _textual_private_names() -> set[str]:
    import textual

    names: set[str] = set()
    for path in pathlib.Path(textual.__file__).parent.rglob("*.py"):
        names.update(re.findall(r"self\.(_[a-z]\w*)\s*(?::[^=\n]*)?=", path.read_text()))
    for cls in (DOMNode, Widget, App, ScrollView, ScrollBar):
        names.update(n for n in dir(cls) if n.startswith("_") and not n.startswith("__"))
    return names


def test_only_the_compat_module_uses_textual_private_names() -> None:
    """Outside `_textual_compat`, no `x._name` on anything but our own `self`."""
    textual_names = _textual_private_names()
    found = []
    for path in sorted((PACKAGE / "ui").rglob("*.py")):
        if path.name == "_textual_compat.py":
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            code = line.split("#", 1)[0]
            for match in re.finditer(r"(\w+)\.(_[a-z]\w*)", code):
                owner, name = match.groups()
                if owner != "self" and name in textual_names:
                    found.append(f"{path.relative_to(PACKAGE)}:{number}: {owner}.{name}")
    assert not found, "private Textual names outside _textual_compat:\n" + "\n".join(found)


def _ui_node_classes() -> list[type[DOMNode]]:
    classes: list[type[DOMNode]] = []
    for path in sorted((PACKAGE / "ui").rglob("*.py")):
        module_name = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        module = importlib.import_module(module_name)
        for value in vars(module).values():
            if (
                inspect.isclass(value)
                and value.__module__ == module_name
                and issubclass(value, DOMNode)
            ):
                classes.append(value)
    return classes


def _inherited_private_names(cls: type) -> set[str]:
    """Underscore names the Textual (and Rich) classes in `cls`'s MRO define or assign."""
    names: set[str] = set()
    for base in cls.__mro__:
        if not base.__module__.startswith(("textual", "rich")):
            continue
        names.update(n for n in vars(base) if n.startswith("_") and not n.startswith("__"))
        try:
            source = inspect.getsource(base)
        except (OSError, TypeError):
            continue
        names.update(re.findall(_ASSIGNED, source))
    return names


_ASSIGNED = r"self\.(_[a-z]\w*)\s*(?::[^=\n]*)?="


def test_no_widget_of_ours_overwrites_a_textual_attribute() -> None:
    """A widget's own `self._x` never lands on a name its Textual base classes use."""
    clashes = []
    for cls in _ui_node_classes():
        own = set(re.findall(_ASSIGNED, inspect.getsource(cls)))
        for name in sorted(own & _inherited_private_names(cls)):
            clashes.append(f"{cls.__qualname__}.{name}")
    assert not clashes, f"attributes that overwrite Textual's own: {clashes}"


def test_cancel_dialog_keeps_its_dom_name() -> None:
    """The run's name (a server slug or a user's label) is not the dialog's DOM name."""
    dialog = CancelDialog("nightly-sync #4", "run-1", "mine")
    assert dialog.name is None


def test_the_keymap_is_where_textual_keeps_it() -> None:
    app = App[None]()
    assert app._keymap == {}, "Textual renamed App._keymap: see keymap_in_force"
    app.set_keymap({"some-id": "?,ctrl+x"})
    assert compat.keymap_in_force(app) == {"some-id": "question_mark,ctrl+x"}


def test_keymaps_are_normalised_as_set_keymap_does() -> None:
    keymap = {"some-id": "?, ctrl+x", "other": "X"}
    app = App[None]()
    app.set_keymap(keymap)
    assert compat.normalized_keymap(keymap) == dict(compat.keymap_in_force(app))


def test_the_bell_still_writes_through_the_driver() -> None:
    assert "self._driver.write(" in inspect.getsource(App.bell), (
        "Textual changed how App.bell reaches the terminal: see write_to_terminal"
    )


async def test_a_sequence_reaches_the_running_apps_driver() -> None:
    app = App[None]()
    assert compat.write_to_terminal(app, "\x07") is False  # no terminal before it runs
    async with app.run_test():
        driver = app._driver
        assert driver is not None, "Textual renamed App._driver: see write_to_terminal"
        sent: list[str] = []
        driver.write = sent.append  # type: ignore[method-assign]
        assert compat.write_to_terminal(app, "\x1b]9;hello\x07") is True
        assert sent == ["\x1b]9;hello\x07"]
