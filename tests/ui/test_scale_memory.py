"""Memory that grows with the watch list stays small per run (figure 9 measures the app)."""

from __future__ import annotations

import gc
import tracemalloc
from datetime import datetime, timezone
from typing import Any

from nekt_tui.api.models import Run, RunStatus
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


class ParsingSource:
    """Parses a new answer for every poll, as the client does."""

    def __init__(self, *, growing: bool) -> None:
        self.status = "running"
        self.growing = growing
        self.answered = 0

    async def get_run(self, run_id: str, *, patient: bool = False) -> Run:
        self.answered += 1
        if not self.growing:
            return run_json(run_id, self.status)
        log = {"parsed_log": f"line one\nline {self.answered}\n"}
        return run_json(run_id, self.status, log=log)


def young_answers() -> int:
    """Answers a young collection would still walk."""
    return sum(1 for g in (0, 1) for o in gc.get_objects(g) if isinstance(o, Run))


#: Runs polled: enough that their answers would set off young collections of their own.
MANY = [f"{i:08x}-0000-4000-8000-000000000000" for i in range(600)]


async def test_a_frame_of_new_answers_leaves_none_of_them_to_a_later_young_collection() -> None:
    # Each cycle replaces every answer. CPython counts the old answers' deaths against the
    # young generation's count, so the new ones piled up there unnoticed, and the
    # collection that finally came walked all of them in one stall (with 10,000 runs,
    # 20-60 ms, often on a key press). After the frame that draws them, none is left.
    source = ParsingSource(growing=True)
    app, clock = scripted_app(source, MANY, tick_interval=None, interval=600.0)  # type: ignore[arg-type]
    async with app.run_test(size=(80, 24)) as pilot:
        await advance(pilot, clock, 1)
        for status in ("cancelling", "running", "cancelling"):
            source.status = status
            app.action_refresh_all()
            await advance(pilot, clock, 1)
            assert all(app.model.rows[rid].status == status for rid in MANY)
            assert not app.frame_pending
            assert young_answers() == 0


async def test_unchanged_answers_are_left_to_no_later_young_collection_either() -> None:
    # An unchanged answer makes no frame, but the engine keeps it in place of the last.
    source = ParsingSource(growing=False)
    app, clock = scripted_app(source, MANY, tick_interval=1.0, interval=600.0)  # type: ignore[arg-type]
    async with app.run_test(size=(80, 24)) as pilot:
        await advance(pilot, clock, 1)
        for _ in range(3):
            answered = source.answered
            app.action_refresh_all()
            await advance(pilot, clock, 0.1)
            assert source.answered == answered + len(MANY)
            assert not app.frame_pending  # nothing changed: nothing to draw
            await advance(pilot, clock, 1)  # the once-a-second tick
            assert young_answers() == 0
