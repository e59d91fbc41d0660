"""Small things a user notices: cut labels, interval steps, the help at 80 columns, the
status sort, short IDs that tell runs apart, toasts over the help."""

from __future__ import annotations

import pytest

from nekt_tui.api.enums import UnknownValue
from nekt_tui.api.errors import RunNotFoundError
from nekt_tui.ui.screens.help_screen import HelpScreen
from nekt_tui.ui.state.model import WatchModel
from nekt_tui.ui.status_style import look
from nekt_tui.ui.widgets.status_panel import status_content
from nekt_tui.ui.widgets.watch_list import WatchList

from .conftest import RUN_A, RUN_B, ScriptedSource, advance, run_json, scripted_app

RUN_C = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
RUN_D = "dddddddd-0000-4000-8000-000000000000"


def test_a_long_unknown_status_is_cut_with_an_ellipsis() -> None:
    shown = look(UnknownValue("paused_for_review"))
    assert shown.label == "paused_for_revi…"
    assert look(UnknownValue("on_hold")).label == "on_hold"


async def test_a_long_unknown_status_in_the_status_panel() -> None:
    source = ScriptedSource({RUN_A: run_json(RUN_A, "paused_for_review")})
    app, clock = scripted_app(source, [RUN_A])
    async with app.run_test(size=(120, 30)) as pilot:
        await advance(pilot, clock, 1)
        first = status_content(app.model.get(RUN_A), app.now()).plain.splitlines()[0]
        assert first.startswith("? paused_for_revi…")
        # A filter still finds it by its whole name.
        assert app.model.set_filter("status:paused_for_review") is None
        app.list_changed()
        assert app.model.view == [RUN_A]


@pytest.mark.parametrize(("interval", "waiting"), [(2.0, 5.0), (2.5, 6.0), (1.5, 3.6)])
async def test_faster_then_slower_comes_back_exactly(interval: float, waiting: float) -> None:
    source = ScriptedSource({RUN_A: run_json(RUN_A, "running")})
    app, clock = scripted_app(source, [RUN_A], interval=interval, waiting_interval=waiting)
    async with app.run_test(size=(120, 30)) as pilot:
        await advance(pilot, clock, 0)  # started, the first answer drawn
        start = str(app.widgets.header.render())
        for keys in (("plus", "minus"), ("minus", "plus"), ("plus", "plus", "minus", "minus")):
            await pilot.press(*keys)
            assert app.scheduler is not None
            assert (app.scheduler.interval, app.scheduler.waiting_interval) == (interval, waiting)
            assert str(app.widgets.header.render()) == start


async def test_the_help_fits_80_columns() -> None:
    source = ScriptedSource({RUN_A: run_json(RUN_A, "running")})
    app, _clock = scripted_app(source, [RUN_A])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        box = app.screen.query_one("#help-box")
        assert box.region.x >= 0 and box.region.right <= 80


async def test_toasts_do_not_cover_the_help() -> None:
    source = ScriptedSource({RUN_A: run_json(RUN_A, "running")})
    app, _clock = scripted_app(source, [RUN_A])
    async with app.run_test(size=(100, 40), notifications=True) as pilot:
        await pilot.press("question_mark")
        app.notify("TOAST-OVER-HELP", timeout=60)
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert not [t for t in app.screen.query("Toast") if t.region and t.display]
        await pilot.press("escape")
        await pilot.pause()
        await pilot.pause()
        # Kept for the dashboard.
        assert [t for t in app.screen.query("Toast") if t.region and t.display]


async def test_status_sort_puts_runs_with_problems_with_the_failures() -> None:
    source = ScriptedSource(
        {
            RUN_A: run_json(RUN_A, "success"),
            RUN_B: RunNotFoundError(RUN_B),
            RUN_C: run_json(RUN_C, "running"),
            RUN_D: run_json(RUN_D, "failed"),
        }
    )
    app, clock = scripted_app(source, [RUN_A, RUN_B, RUN_C, RUN_D])
    async with app.run_test(size=(120, 30)) as pilot:
        await advance(pilot, clock, 1)
        await pilot.press("s")
        assert app.model.sort == "status"
        assert app.model.view == [RUN_D, RUN_B, RUN_C, RUN_A]


def test_short_ids_are_the_shortest_unique_prefix_of_at_least_8() -> None:
    model = WatchModel()
    a = model.add("3c90c3cc-0d44-4b50-8888-8dd25736052a")
    b = model.add("3c90c3cc-0d99-4b50-8888-8dd25736052a")
    c = model.add(RUN_B)
    model.rebuild_view()
    assert (a.short_id, b.short_id) == ("3c90c3cc-0d4", "3c90c3cc-0d9")
    assert c.short_id == RUN_B[:8]
    assert a.number == "3c90c3cc-0d4" and a.name == "3c90c3cc-0d4"
    model.remove(b.run_id)
    model.rebuild_view()
    assert a.short_id == "3c90c3cc"


async def test_the_list_shows_ids_that_tell_runs_apart() -> None:
    twin_a = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
    twin_b = "3c90c3cc-0d99-4b50-8888-8dd25736052a"
    source = ScriptedSource({twin_a: RunNotFoundError(twin_a), twin_b: RunNotFoundError(twin_b)})
    app, clock = scripted_app(source, [twin_a, twin_b])
    async with app.run_test(size=(120, 30)) as pilot:
        await advance(pilot, clock, 1)
        watch_list = app.main.query_one(WatchList)
        assert "3c90c3cc-0d4 " in watch_list.render_line(1).text
        assert "3c90c3cc-0d9 " in watch_list.render_line(2).text
