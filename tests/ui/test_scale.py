"""2,000 watched runs: a poll redraws the rows that changed, never the whole list."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from textual.pilot import Pilot

from nekt_tui.api.models import RunStatus
from nekt_tui.clock import FakeClock
from nekt_tui.simulator import World
from nekt_tui.ui.app import FRAME, NektApp
from nekt_tui.ui.status_style import look
from nekt_tui.ui.widgets.watch_list import WatchList

from .conftest import ScriptedSource, advance, make_sim, run_json, scripted_app

N = 2000


def _ids() -> list[str]:
    return [str(uuid.UUID(int=i + 1, version=4)) for i in range(N)]


def _running() -> tuple[list[str], ScriptedSource, NektApp, FakeClock]:
    """The app on 2,000 running runs. No tick: it redraws the running rows' elapsed times,
    and these tests count a poll's redraws."""
    ids = _ids()
    source = ScriptedSource({rid: run_json(rid, "running") for rid in ids})
    app, clock = scripted_app(source, ids, tick_interval=None)
    return ids, source, app, clock


async def _fetch_all(pilot: Pilot[Any], clock: FakeClock) -> None:
    for _ in range(4):
        await advance(pilot, clock, 1)


def _count_rebuilds(app: NektApp) -> list[int]:
    """From now on, one item per rebuild of the visible order (a re-sort, a re-filter)."""
    rebuilt: list[int] = []
    rebuild_view = app.model.rebuild_view

    def counting_rebuild() -> None:
        rebuilt.append(1)
        rebuild_view()

    app.model.rebuild_view = counting_rebuild  # type: ignore[method-assign]
    return rebuilt


async def test_a_poll_redraws_only_changed_rows_of_2000() -> None:
    ids, source, app, clock = _running()
    async with app.run_test(size=(120, 40)) as pilot:
        await _fetch_all(pilot, clock)
        assert all(app.model.rows[rid].run is not None for rid in ids)
        watch_list = app.main.query_one(WatchList)

        drawn: list[int] = []
        render_line = watch_list.render_line

        def counting_render_line(y: int) -> Any:
            drawn.append(y)
            return render_line(y)

        watch_list.render_line = counting_render_line  # type: ignore[method-assign]
        rebuilt = _count_rebuilds(app)

        # One visible run and one far off screen fail; nothing else changes.
        source.answers[ids[1]] = run_json(ids[1], "failed")
        source.answers[ids[1500]] = run_json(ids[1500], "failed")
        await advance(pilot, clock, 2.5)
        assert app.model.rows[ids[1]].status is RunStatus.FAILED
        assert app.model.rows[ids[1500]].status is RunStatus.FAILED
        assert rebuilt == []  # the order does not depend on data: no re-sort, no re-filter
        # Only the changed, visible row's line was drawn again (plus its flash ending).
        assert 0 < len(set(drawn)) <= 2, sorted(set(drawn))

        # With the status sort, a change re-sorts once per frame, not once per event.
        await pilot.press("s")
        rebuilt.clear()
        for rid in ids[2:40]:
            source.answers[rid] = run_json(rid, "success")
        frames: list[float] = []
        draw_now = app.draw_now

        def counting_draw() -> None:
            if app.frame_pending:
                frames.append(clock.monotonic())
            draw_now()

        app.draw_now = counting_draw  # type: ignore[method-assign]
        await advance(pilot, clock, 2.5)
        # 38 answers, each at its own (jittered) instant: merged into frames, on the clock.
        assert 1 <= len(rebuilt) <= len(frames) <= 1 + (2.5 + FRAME) / FRAME
        assert len(rebuilt) < 38
        first = app.model.rows[app.model.view[0]]
        assert first.status is RunStatus.FAILED


async def test_a_sorted_or_filtered_list_resorts_only_when_an_answer_moves_a_row() -> None:
    ids, source, app, clock = _running()
    async with app.run_test(size=(120, 40)) as pilot:
        await _fetch_all(pilot, clock)
        await pilot.press("s")  # by status
        watch_list = app.main.query_one(WatchList)
        watch_list.action_cursor(5)
        await pilot.pause()
        selected = watch_list.selected
        rebuilt = _count_rebuilds(app)
        # Every run's log grows and nothing else: no row moves, so nothing is re-sorted,
        # and the cursor stays on its run.
        for rid in ids:
            source.answers[rid] = run_json(rid, "running", log={"parsed_log": "one\ntwo\n"})
        await advance(pilot, clock, 2.5)
        assert all(app.model.rows[rid].run.parsed_log == "one\ntwo\n" for rid in ids)  # type: ignore[union-attr]
        assert rebuilt == []
        assert watch_list.selected == selected

        # A run far down the list fails: it moves to the top.
        source.answers[ids[1500]] = run_json(ids[1500], "failed")
        await advance(pilot, clock, 2.5)
        assert rebuilt
        assert app.model.view[0] == ids[1500]

        # Filtered to the running ones, a run that succeeds leaves the view at once.
        app.set_filter("status:running")
        await pilot.pause()
        assert ids[7] in app.model.view
        rebuilt.clear()
        source.answers[ids[7]] = run_json(ids[7], "success")
        await advance(pilot, clock, 2.5)
        assert ids[7] not in app.model.view
        assert len(app.model.view) == N - 2


async def test_the_tick_redraws_only_lines_that_move_with_time() -> None:
    ids = _ids()[:30]
    answers = {rid: run_json(rid, "success", ended_at="2026-01-15T11:59:30Z") for rid in ids}
    answers[ids[3]] = run_json(ids[3], "running")
    source = ScriptedSource(dict(answers))
    app, clock = scripted_app(source, ids)
    async with app.run_test(size=(120, 40)) as pilot:
        await advance(pilot, clock, 1)
        watch_list = app.main.query_one(WatchList)
        drawn: list[int] = []
        render_line = watch_list.render_line

        def counting_render_line(y: int) -> Any:
            drawn.append(y)
            return render_line(y)

        watch_list.render_line = counting_render_line  # type: ignore[method-assign]
        await clock.advance(1)  # the tick runs on the clock
        await pilot.pause()
        # Finished runs read "final" and a fixed duration: only the running one is redrawn.
        assert set(drawn) == {4}


async def test_off_screen_rows_changed_in_a_frame_show_their_new_data_when_scrolled_to() -> None:
    ids = _ids()[:200]
    source = ScriptedSource({rid: run_json(rid, "running") for rid in ids})
    app, clock = scripted_app(source, ids)
    async with app.run_test(size=(120, 30)) as pilot:
        for _ in range(4):
            await advance(pilot, clock, 1)
        watch_list = app.main.query_one(WatchList)
        for rid in ids:
            source.answers[rid] = run_json(rid, "failed")
        # Refresh all: every answer arrives at this instant, and one frame draws them all.
        await pilot.press("R")
        await advance(pilot, clock, 0)
        # Every row flashes, on screen or not; the last one, off screen during the frame,
        # is drawn from its new data once scrolled to.
        assert all(watch_list.flashing(rid) == "failed" for rid in ids)
        await pilot.press("end")
        await pilot.pause()
        assert watch_list.selected == ids[-1]
        last = watch_list.render_line(watch_list.cursor - round(watch_list.scroll_y) + 1)
        assert last.text.startswith(look(RunStatus.FAILED).symbol)


def _six_running(clock: object) -> World:
    world = World(seed=5, clock=clock, shape="flat", n_runs=0)  # type: ignore[arg-type]
    for _ in range(6):
        world.add_run((("running", 600.0),), "success")
    return world


@pytest.mark.parametrize("run_list", [True, False])
async def test_the_run_list_setting_decides_whether_pages_stand_in_for_polls(
    run_list: bool,
) -> None:
    sim = make_sim(_six_running, run_list=run_list)
    async with sim.app.run_test(size=(120, 30)) as pilot:
        await sim.advance(pilot, 20)
        pages = sum(1 for r in sim.world.requests if r.path == "/api/v1/runs/")
        per_run = sum(sim.requests_for(rid) for rid in sim.world.run_ids)
        assert all(row.status == "running" for row in sim.app.model.rows.values())
    if run_list:
        assert pages >= 5 and per_run < 20  # one page every 2 s, first polls on their own
    else:
        assert pages == 0 and per_run >= 6 * 10  # every run every 2 s
