"""The log renderer draws from a frozen context, and its caches are keyed by the view's
render generation: a bumped generation (or a new base style) redraws every line, an
unchanged one draws nothing anew, and nothing is cleared by hand."""

from __future__ import annotations

import dataclasses

import pytest
from rich.style import Style

from nekt_tui.logview.layout import FullView, RowMap
from nekt_tui.logview.store import LineStore
from nekt_tui.ui.widgets.log_render import LineRenderer, RenderContext

WIDTH = 30


def _styles(*names: str, partial: bool = False) -> Style:
    return {"log-view--error": Style(bold=True), "log-view--gutter": Style(dim=True)}.get(
        names[0], Style.null()
    )


def _context(lines: list[str], generation: int = 0, base: Style | None = None) -> RenderContext:
    store = LineStore()
    store.reset(lines)
    view = FullView(store)
    rows = RowMap()
    rows.rebuild(view, store.width, None)
    return RenderContext(
        generation=generation,
        base=base or Style(color="white"),
        width=WIDTH,
        store=store,
        rows=rows,
        view=view,
        matches=None,
        message=None,
        no_match_note=False,
        fold_width=None,
        scroll_x=0,
        gutter_width=0,
        component_style=_styles,
    )


def _paint(renderer: LineRenderer, context: RenderContext, rows: int) -> list[str]:
    renderer.begin_repaint(context)
    try:
        return [renderer.row(y).text.rstrip() for y in range(rows)]
    finally:
        renderer.end_repaint()


def test_the_context_is_frozen() -> None:
    context = _context(["a"])
    with pytest.raises(dataclasses.FrozenInstanceError):
        context.width = 3  # type: ignore[misc]


def test_a_repaint_draws_only_from_its_context() -> None:
    """No view at all: the renderer needs nothing but the context it is handed."""

    def no_view() -> RenderContext:
        raise AssertionError("the renderer read the view during a repaint")

    renderer = LineRenderer(no_view)
    assert _paint(renderer, _context(["one", "ERROR two"]), 3) == ["one", "ERROR two", ""]


def test_same_generation_reuses_every_row_and_a_new_one_redraws() -> None:
    renderer = LineRenderer(lambda: _context([]))
    context = _context([f"line {i}" for i in range(5)])
    _paint(renderer, context, 5)
    styled, built = renderer.lines_styled, renderer.rows_built
    _paint(renderer, context, 5)
    assert (renderer.lines_styled, renderer.rows_built) == (styled, built)
    bumped = dataclasses.replace(context, generation=1)
    assert _paint(renderer, bumped, 5) == [f"line {i}" for i in range(5)]
    assert renderer.lines_styled - styled == 5
    assert renderer.rows_built - built == 5


def test_a_new_base_style_redraws_in_it() -> None:
    """A theme changes the view's style without the view knowing: the lines drawn in the
    old style are not reused."""
    renderer = LineRenderer(lambda: _context([]))
    context = _context(["plain"])
    renderer.begin_repaint(context)
    old = renderer.row(0)
    renderer.end_repaint()
    red = dataclasses.replace(context, base=Style(color="red"))
    renderer.begin_repaint(red)
    new = renderer.row(0)
    renderer.end_repaint()
    assert new is not old
    assert {seg.style.color.name for seg in new if seg.style and seg.style.color} == {"red"}


def test_outside_a_repaint_the_view_is_read_again() -> None:
    """A row drawn by hand (no repaint under way) asks for a fresh context each time."""
    contexts = [_context(["first"]), _context(["second"], generation=1)]
    renderer = LineRenderer(lambda: contexts[0])
    assert renderer.row(0).text.rstrip() == "first"
    contexts[0] = contexts[1]
    assert renderer.row(0).text.rstrip() == "second"
