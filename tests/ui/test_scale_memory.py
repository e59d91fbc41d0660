"""Memory that grows with the watch list stays small per run (figure 9 measures the app)."""

from __future__ import annotations

import gc
import tracemalloc
from datetime import datetime, timezone
from typing import Any

from nekt_tui.api.models import RunStatus
from nekt_tui.ui.state.model import HISTORY_KEPT, Transition

from .conftest import RUN_A, ScriptedSource, advance, run_json, scripted_app

AT = datetime(2026, 1, 15, 12, 0, tzinfo=timezone.utc)


def test_a_kept_status_change_costs_under_72_bytes() -> None:
    # 10,000 runs that each changed status HISTORY_KEPT times keep 500,000 of these: at
    # 96 bytes each (an instance with a dict), 48 MB; with slots, 28 MB.
    count = 10 * HISTORY_KEPT * 200
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = [Transition(AT, RunStatus.RUNNING, RunStatus.SUCCESS) for _ in range(count)]
        used = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert len(kept) == count
    per_change = (used - 8 * count) / count  # less the list's own pointer to each
    assert per_change < 72, f"{per_change:.0f} bytes per kept status change"


async def test_the_app_holds_off_full_collections_and_runs_one_every_ten_minutes() -> None:
    ids = [RUN_A]
    source = ScriptedSource({RUN_A: run_json(RUN_A, "success")})
    before = gc.get_threshold()
    full: list[float] = []

    def on_gc(phase: str, info: dict[str, Any]) -> None:
        if phase == "stop" and info["generation"] == 2:
            full.append(clock.monotonic())

    app, clock = scripted_app(source, ids, tick_interval=1.0)
    gc.callbacks.append(on_gc)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await advance(pilot, clock, 1)
            # Never by itself: with 10,000 runs one walks 200,000 objects, loop stopped.
            assert gc.get_threshold()[2] > 1_000_000
            assert gc.isenabled()
            full.clear()
            for _ in range(9):
                await clock.advance(60)
            await pilot.pause()
            assert full == []
            await clock.advance(61)
            await pilot.pause()
            assert len(full) == 1  # from the tick, once ten minutes have passed
    finally:
        gc.callbacks.remove(on_gc)
    assert gc.get_threshold() == before  # given back at exit (tests run many apps)
