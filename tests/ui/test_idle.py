"""Idle cost and small display rules: what the 1 s tick redraws, counters, filter errors."""

from __future__ import annotations

import gc
from datetime import datetime, timezone
from typing import Any

from nekt_tui.api.models import Run, UnknownValue
from nekt_tui.ui.state.model import Filter, WatchModel

from .conftest import (
    RUN_A,
    RUN_B,
    ScriptedSource,
    advance,
    count_layouts,
    run_json,
    scripted_app,
)

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=timezone.utc)


def test_paused_count_follows_pause_remove_and_restore() -> None:
    model = WatchModel()
    a, b = model.add(RUN_A), model.add(RUN_B)
    model.set_paused(a, True)
    model.set_paused(a, True)  # twice is still one
    model.set_paused(b, True)
    assert model.paused_runs == 2
    removed = model.remove(RUN_A)
    assert removed is a and model.paused_runs == 1
    model.restore(a)
    assert model.paused_runs == 2
    model.set_paused(b, False)
    assert model.paused_runs == 1


def test_unknown_filter_status_changes_nothing_and_says_why() -> None:
    model = WatchModel()
    ok = model.add(RUN_A)
    ok.set_run(Run.model_validate({"id": RUN_A, "status": "failed"}), NOW)
    odd = model.add(RUN_B)
    odd.set_run(Run.model_validate({"id": RUN_B, "status": "exploded"}), NOW)
    assert isinstance(odd.status, UnknownValue)
    assert model.set_filter("status:failed") is None
    model.rebuild_view()
    assert model.view == [RUN_A]
    problem = model.set_filter("status:bogus")
    assert problem is not None and "bogus" in problem and "running" in problem
    model.rebuild_view()
    assert model.view == [RUN_A] and model.filter_text == "status:failed"
    # A status only the server knows, and `unknown` for every such run, are accepted.
    assert model.set_filter("status:exploded") is None
    model.rebuild_view()
    assert model.view == [RUN_B]
    assert model.set_filter("is:unknown") is None
    model.rebuild_view()
    assert model.view == [RUN_B]
    # A filter still being typed asks nothing yet.
    assert Filter.parse("status:") == Filter()


async def test_tick_redraws_only_lines_whose_text_moved() -> None:
    source = ScriptedSource(
        {
            RUN_A: run_json(RUN_A, "success", ended_at="2026-01-15T11:59:30Z"),
            RUN_B: run_json(RUN_B, "running"),
        }
    )
    app, clock = scripted_app(source, [RUN_A, RUN_B])
    async with app.run_test(size=(120, 30)) as pilot:
        await advance(pilot, clock, 1)
        watch_list = app.widgets.watch_list
        redrawn: list[int] = []
        original = watch_list._refresh_rows

        def spy(indexes: Any) -> None:
            got = list(indexes)
            redrawn.extend(got)
            original(got)

        watch_list._refresh_rows = spy  # type: ignore[method-assign]
        await pilot.pause()
        redrawn.clear()
        watch_list.tick()
        # Same clock, nothing moved: nothing is sent again.
        assert redrawn == []
        await clock.advance(1)  # the app's tick runs on the clock
        # A second later only the running run's elapsed time moved; the finished one waits.
        index_b = app.model.index_of(RUN_B)
        assert redrawn == [index_b]
        # The panels' "… ago" moved without a layout pass (the screen is not re-flowed).
        watch_list.select(RUN_B)
        await pilot.pause()
        status = app.widgets.status
        before = status.content.plain
        layouts = count_layouts(app.main)
        await clock.advance(1)
        status.refresh_text()
        await pilot.pause()
        assert status.content.plain != before
        assert layouts == []


async def test_start_freezes_the_heap_and_exit_unfreezes_it() -> None:
    source = ScriptedSource({RUN_A: run_json(RUN_A, "success")})
    app, clock = scripted_app(source, [RUN_A])
    async with app.run_test(size=(80, 24)) as pilot:
        await advance(pilot, clock, 1)
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0
