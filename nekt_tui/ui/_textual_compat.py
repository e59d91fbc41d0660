"""Every use of a private Textual name, in one place (Textual 8.2).

Each function says why no public API does the job and which upstream issue it stands on.
`tests/ui/test_compat_canary.py` checks that each private name still exists with the
shape used here, and that the copied thumb arithmetic still matches Textual's drawing: an
upgrade that changes one of them fails there, loudly, not as a wrong scrollbar somewhere.
Nothing else in `nekt_tui` may reach into a Textual or Rich object's underscore names.
"""

from __future__ import annotations

from collections.abc import Mapping
from math import ceil
from typing import Any

from textual.app import App
from textual.geometry import Size
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.widget import Widget


def set_virtual_size_without_layout(view: Widget, size: Size) -> None:
    """Set `view.virtual_size` and update its scrollbars, without a layout of the screen.

    `virtual_size` is a reactive with `layout=True`: every set lays out the whole screen,
    which on a log that grows by a line a poll costs more than drawing it. Textual scrolls
    without a layout since textual#1524 ("Scroll optimization", for textual#547) and does
    the same for a resize that needs no layout (`Widget._size_updated`), but offers no
    public way to change only the scroll range. `set_reactive` is public and skips the
    reactive's layout; `_scroll_update` is what `_size_updated` calls to refresh the
    scrollbars and clamp the scroll position.
    """
    view.set_reactive(Widget.virtual_size, size)
    view._scroll_update(size)


def current_scrollbar(view: Widget, *, vertical: bool) -> ScrollBar | None:
    """The view's scrollbar if it has been made, else None (without making one).

    Textual's public `vertical_scrollbar` / `horizontal_scrollbar` make the bar on first
    read; the slot they fill is private.
    """
    return view._vertical_scrollbar if vertical else view._horizontal_scrollbar


def install_scrollbar(view: Widget, bar: ScrollBar, *, vertical: bool) -> None:
    """Make `bar` the view's scrollbar, started as Textual starts its own (Textual 8.2's
    `Widget.vertical_scrollbar`: fill the slot, hide it, `App._start_widget`).

    Textual has no hook for a widget's scrollbar class: textual#1496 settled on the
    `ScrollBar.renderer` class variable, which changes how every bar draws, not when one
    repaints (see `content_view.QuietScrollBar`).
    """
    if vertical:
        view._vertical_scrollbar = bar
    else:
        view._horizontal_scrollbar = bar
    bar.display = False
    view.app._start_widget(view, bar)


def thumb_eighths(
    length: int, virtual_size: float, window_size: float, position: float, *, vertical: bool
) -> tuple[int, int] | None:
    """The thumb's ends, in eighths of a cell, as `ScrollBarRender.render_bar` places them
    (a copy of its arithmetic, Textual 8.2); None when it draws no thumb.

    `render_bar` computes and draws in one step (textual#4500: the renderer is the
    documented hook; its geometry is not exposed), so whether a new range would move the
    thumb can only be known by repeating the sums. The canary test draws both ways.
    """
    if not (window_size and length and virtual_size and length != virtual_size):
        return None
    eighths = len(ScrollBarRender.VERTICAL_BARS if vertical else ScrollBarRender.HORIZONTAL_BARS)
    thumb_size = max(1, window_size / (virtual_size / length))
    at = (length - thumb_size) * (position / (virtual_size - window_size))
    start = int(at * eighths)
    end = start + ceil(thumb_size * eighths)
    return max(0, start), max(0, end)


def scrollbar_thumb(bar: ScrollBar) -> tuple[int, int] | None:
    """`thumb_eighths` for `bar` as it stands, read as `ScrollBar.render` passes it on."""
    size = bar.size
    length = size.height if bar.vertical else size.width
    virtual = ceil(bar.window_virtual_size)
    window = ceil(bar.window_size if bar.window_size < bar.window_virtual_size else 0)
    return thumb_eighths(length, virtual, window, bar.position, vertical=bar.vertical)


def keymap_in_force(app: App[Any]) -> Mapping[str, str]:
    """The keymap `App.set_keymap` / `update_keymap` last set, keys normalised as Textual
    normalises them ("?" → "question_mark").

    Textual applies the keymap to each binding map as it builds a screen's binding chain
    (`Screen._binding_chain`) and has no getter for the keymap in force (nor a public
    normaliser); the help and the palette need it to show a remapped key.
    """
    return app._keymap


def write_to_terminal(app: App[Any], data: str) -> bool:
    """Write `data` (an escape sequence) to the terminal, between frames; False when the
    app has no terminal (not started, closing, or in a browser, where the sequence would
    mean nothing).

    `App.bell` writes BEL the same way (`self._driver.write`); Textual has no public way
    to send any other sequence to the terminal. The driver's writer keeps the order of
    writes (frames go through it too), so a sequence never lands inside a frame.
    """
    driver = app._driver
    if driver is None or driver.is_web:
        return False
    driver.write(data)
    return True


def normalized_keymap(keymap: Mapping[str, str]) -> dict[str, str]:
    """`keymap` with its keys written as `set_keymap` will store them ("?" →
    "question_mark"), to check it against the bindings before the app runs.

    Textual normalises inside `set_keymap` (`App._normalize_keymap`) and exposes no
    normaliser of its own.
    """
    return dict(App._normalize_keymap(keymap))
