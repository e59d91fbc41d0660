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


async def test_a_finished_run_says_final_and_when_it_was_fetched_without_ticking() -> None:
    """A finished run's data never changes: the status panel says "final" with the clock
    time of the fetch, a line that does not move every second (an idle screen stays
    still), while a running run's freshness keeps counting."""
    done, running = RUN_A, "11111111-2222-4333-8444-555555555555"
    source = ScriptedSource(
        {
            done: run_json(
                done,
                "success",
                created_at="2026-01-15T09:59:00Z",
                started_at="2026-01-15T10:00:00Z",
                ended_at="2026-01-15T10:30:00Z",
            ),
            running: run_json(running, "running"),
        }
    )
    app, clock = scripted_app(source, [done, running])
    async with app.run_test(size=(160, 48)) as pilot:
        await advance(pilot, clock, 1)
        panel = app.widgets.status
        app.widgets.watch_list.select(done)
        await advance(pilot, clock, 1)
        data = [row for row in shown(panel) if row.startswith("Data")]
        assert data and "final, fetched 12:00:00" in data[0]
        before = shown(panel)
        await advance(pilot, clock, 5)
        assert shown(panel) == before
        app.widgets.watch_list.select(running)
        await advance(pilot, clock, 3)
        data = [row for row in shown(panel) if row.startswith("Data")]
        assert data and ("ago" in data[0] or "just now" in data[0])
