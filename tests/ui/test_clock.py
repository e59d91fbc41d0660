"""One clock: the app's frames and its once-a-second tick run on the injected clock."""

from __future__ import annotations

import asyncio
from typing import Any

from nekt_tui.clock import FakeClock
from nekt_tui.ui.app import FRAME
from nekt_tui.ui.state.timers import ClockTimers
from nekt_tui.ui.widgets.watch_list import WatchList

from .conftest import RUN_A, ScriptedSource, advance, run_json, scripted_app


async def test_elapsed_times_move_when_the_clock_moves_without_a_hand_made_tick() -> None:
    source = ScriptedSource({RUN_A: run_json(RUN_A, "running")})
    app, clock = scripted_app(source, [RUN_A], interval=60.0, waiting_interval=60.0)
    async with app.run_test(size=(120, 30)) as pilot:
        await advance(pilot, clock, 0)
        watch_list = app.main.query_one(WatchList)
        drawn: list[str] = []
        render_line = watch_list.render_line

        def recording_render_line(y: int) -> Any:
            strip = render_line(y)
            drawn.append(strip.text)
            return strip

        watch_list.render_line = recording_render_line  # type: ignore[method-assign]
        await clock.advance(5)  # no poll is due: only the tick can move the line
        await pilot.pause()
        assert any("1m 05s" in line for line in drawn), drawn


async def test_an_answer_is_drawn_one_frame_of_the_clock_later() -> None:
    source = ScriptedSource({RUN_A: run_json(RUN_A, "running")})
    app, clock = scripted_app(source, [RUN_A], interval=60.0, waiting_interval=60.0)
    async with app.run_test(size=(120, 30)) as pilot:
        await advance(pilot, clock, 0)
        source.answers[RUN_A] = run_json(RUN_A, "failed")
        await pilot.press("r")
        await clock.advance(0)
        await pilot.pause()
        # The answer is in the model, and waits for the frame, however long real time runs.
        assert app.model.rows[RUN_A].status == "failed"
        assert app.frame_pending
        await clock.advance(FRAME)
        await pilot.pause()
        assert not app.frame_pending
        assert app.main.query_one(WatchList).flashing(RUN_A) == "failed"


async def test_the_toasts_are_what_the_user_was_told_since_the_last_clear() -> None:
    app, _clock = scripted_app(ScriptedSource(), [])
    async with app.run_test(size=(120, 30)) as pilot:
        app.say("first")
        await pilot.pause()
        assert [n.message for n in app.toasts] == ["first"]
        app.clear_notifications()
        app.say("second", "warning")
        await pilot.pause()
        assert [(n.message, n.severity) for n in app.toasts] == [("second", "warning")]


async def test_an_interval_beats_on_the_clock_from_its_start_until_stopped() -> None:
    clock = FakeClock()
    beats: list[float] = []
    timers = ClockTimers(clock)
    timers.call_every(1.0, lambda: beats.append(clock.monotonic()))
    await clock.advance(3.5)
    assert beats == [1.0, 2.0, 3.0]
    timers.stop()
    await clock.advance(2)
    assert beats == [1.0, 2.0, 3.0]
    assert timers.active == 0


async def test_a_failing_callback_is_reported_and_the_interval_goes_on() -> None:
    clock = FakeClock()
    failures: list[BaseException] = []
    calls: list[float] = []

    def boom() -> None:
        calls.append(clock.monotonic())
        raise ValueError("bad frame")

    timers = ClockTimers(clock, failures.append)
    timers.call_every(1.0, boom)
    timers.call_later(0.5, boom)
    await clock.advance(2)
    assert calls == [0.5, 1.0, 2.0]
    assert [str(e) for e in failures] == ["bad frame"] * 3
    timers.stop()
    await asyncio.sleep(0)
