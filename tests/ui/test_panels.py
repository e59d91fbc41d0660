"""The status and pipeline panels: a growing history scrolls, and costs no screen layout."""

from __future__ import annotations

from typing import Any

from textual import events
from textual.geometry import Region

from nekt_tui.ui.widgets.status_panel import StatusPanel

from .conftest import RUN_A, ScriptedSource, advance, count_layouts, run_json, scripted_app

FLIP = ("cancelling", "running")


def shown(panel: StatusPanel) -> list[str]:
    """The panel's rows as drawn on screen now."""
    return [panel.render_line(y).text for y in range(panel.scrollable_content_region.height)]


def count_layout_requests(panel: StatusPanel) -> list[bool]:
    """From now on, list the `layout` flag of every refresh the panel asks for."""
    asked: list[bool] = []
    original = panel.refresh

    def refresh(*regions: Region, layout: bool = False, **options: Any) -> StatusPanel:
        asked.append(layout)
        return original(*regions, layout=layout, **options)

    panel.refresh = refresh  # type: ignore[method-assign]
    return asked


async def test_a_longer_history_is_drawn_without_laying_out_the_screen() -> None:
    source = ScriptedSource({RUN_A: run_json(RUN_A, "running")})
    app, clock = scripted_app(source, [RUN_A])
    async with app.run_test(size=(200, 60)) as pilot:
        await advance(pilot, clock, 1)
        panel = app.widgets.status
        asked = count_layout_requests(panel)
        layouts = count_layouts(app.main)
        for i in range(3):
            source.answers[RUN_A] = run_json(RUN_A, FLIP[i % 2])
            await advance(pilot, clock, 3)  # one poll at least, whatever the jitter
            assert sum("→" in row for row in shown(panel)) == i + 1
        rows = shown(panel)
        heading = next(i for i, row in enumerate(rows) if row.startswith("History"))
        assert "● running → ◐ cancelling" in rows[heading + 1]  # the newest first
        assert asked and not any(asked)  # redrawn three times, never laid out
        assert layouts == []  # nor was anything else on the screen


async def test_a_history_taller_than_the_panel_scrolls_to_its_first_line() -> None:
    source = ScriptedSource({RUN_A: run_json(RUN_A, "running")})
    app, clock = scripted_app(source, [RUN_A])
    async with app.run_test(size=(100, 30)) as pilot:
        await advance(pilot, clock, 1)
        panel = app.widgets.status
        for i in range(20):
            source.answers[RUN_A] = run_json(RUN_A, FLIP[i % 2])
            await advance(pilot, clock, 3)
        assert panel.show_vertical_scrollbar and panel.max_scroll_y > 0
        asked = count_layout_requests(panel)
        for i in range(20, 23):  # now it only grows past the bottom
            source.answers[RUN_A] = run_json(RUN_A, FLIP[i % 2])
            await advance(pilot, clock, 3)
        assert asked and not any(asked)
        assert sum("→" in line for line in panel.content.plain.splitlines()) == 23
        panel.focus()
        await pilot.press("end")
        await pilot.pause()
        rows = [row for row in shown(panel) if row.strip()]
        assert "first seen" in rows[-1]
        await pilot.press("home")
        await pilot.pause()
        assert shown(panel)[1].startswith("ID")


async def test_text_in_the_status_panel_can_be_selected_for_copying() -> None:
    source = ScriptedSource({RUN_A: run_json(RUN_A, "running")})
    app, clock = scripted_app(source, [RUN_A])
    async with app.run_test(size=(100, 30)) as pilot:
        await advance(pilot, clock, 1)
        panel = app.widgets.status
        id_row = 1 + 1  # the border, then the title line
        await pilot.mouse_down(panel, offset=(13, id_row))
        # A drag: a move with the button held (Pilot.hover moves with no button).
        end = (40, id_row + 1)  # past the end of the ID's line: the ID to its end
        await pilot._post_mouse_events([events.MouseMove], panel, offset=end, button=1)
        await pilot.mouse_up(panel, offset=end)
        await pilot.pause()
        assert (app.screen.get_selected_text() or "").strip() == RUN_A
