"""What the screen says for a slow run, an unreachable host and a far-off Retry-After.

The engine's events are fed straight to the app (its callback, as the scheduler calls
it), on a frozen clock, so what is shown is checked at exact times.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from nekt_tui.api.errors import (
    AnswerTooLargeError,
    ApiUnreachableError,
    AuthenticationError,
    BadResponseError,
    RunNotFoundError,
    ServerError,
    SlowAnswerError,
)
from nekt_tui.clock import FakeClock
from nekt_tui.ui.app import FRAME, NektApp
from nekt_tui.ui.widgets.watch_list import WatchList
from nekt_tui.watch.events import (
    HostDown,
    PollFailed,
    RateLimited,
    Recovered,
    RunSlow,
    RunUpdated,
)
from tests.logview.host import screen_rows

from .conftest import RUN_A, RUN_B, ScriptedSource, advance, run_json, scripted_app


def _header(app: NektApp) -> str:
    return str(app.widgets.header.render())


def _status(app: NektApp) -> str:
    return app.widgets.status.build(app.model.get(RUN_A), app.now()).plain


async def _feed(app: NektApp, *events: object) -> None:
    for event in events:
        app.on_engine_event(event)  # type: ignore[arg-type]
    clock = app.session.clock
    assert isinstance(clock, FakeClock)
    await clock.advance(FRAME)  # the frame that draws them, on the app's clock


async def test_a_slow_run_says_how_long_it_has_waited_then_shows_its_data() -> None:
    source = ScriptedSource({RUN_A: run_json(RUN_A, "running"), RUN_B: run_json(RUN_B, "running")})
    app, clock = scripted_app(source, [RUN_A, RUN_B])
    async with app.run_test(size=(120, 30)) as pilot:
        await advance(pilot, clock, 1)
        asked = clock.now()
        app.scheduler.pause()  # type: ignore[union-attr]  # only the fed events move
        await _feed(app, RunSlow(RUN_A, asked, asked + timedelta(seconds=30)))
        await advance(pilot, clock, 45)
        row_text = app.main.query_one(WatchList).render_line(1).text
        assert "slow 45s" in row_text
        assert "slow: waiting 45s for its answer" in _status(app)
        assert "unreachable" not in _header(app)  # one slow run is not the host down
        run = run_json(RUN_A, "success")
        await _feed(
            app,
            RunUpdated(RUN_A, run, None, None, clock.now()),
            Recovered("run", RUN_A, clock.now()),
        )
        await pilot.pause()
        row_text = app.main.query_one(WatchList).render_line(1).text
        assert "slow" not in row_text and "✔" in row_text and "final" in row_text
        assert "slow" not in _status(app)


async def test_a_slow_answer_error_on_a_row_counts_its_wait() -> None:
    source = ScriptedSource({RUN_A: SlowAnswerError("api.nekt.ai", 30)})
    app, clock = scripted_app(source, [RUN_A])
    async with app.run_test(size=(120, 30)) as pilot:
        await advance(pilot, clock, 1)
        assert "slow" in app.main.query_one(WatchList).render_line(1).text
        assert "slow" in _status(app) and "not fetched yet" not in _status(app)


async def test_host_down_shows_one_retry_time_and_recovers() -> None:
    source = ScriptedSource({RUN_A: run_json(RUN_A, "running")})
    app, clock = scripted_app(source, [RUN_A])
    async with app.run_test(size=(140, 30)) as pilot:
        await advance(pilot, clock, 1)
        now = clock.now()
        error = ApiUnreachableError("api.nekt.ai", "connection refused")
        await _feed(app, HostDown(now + timedelta(seconds=72), error, now))
        assert "unreachable: retrying at 12:01:13" in _header(app)
        await _feed(app, Recovered("host", None, now + timedelta(seconds=73)))
        assert "live" in _header(app) and "unreachable" not in _header(app)


async def test_one_unreachable_run_does_not_turn_a_live_header() -> None:
    source = ScriptedSource({RUN_A: run_json(RUN_A, "running"), RUN_B: run_json(RUN_B, "running")})
    app, clock = scripted_app(source, [RUN_A, RUN_B])
    async with app.run_test(size=(140, 30)) as pilot:
        await advance(pilot, clock, 1)
        error = ApiUnreachableError("api.nekt.ai", "the request timed out")
        await _feed(app, PollFailed(RUN_B, error, None, clock.now()))
        assert "live" in _header(app)
        assert "unreachable" in app.main.query_one(WatchList).render_line(2).text


async def test_a_retry_after_on_another_day_shows_its_date() -> None:
    source = ScriptedSource({RUN_A: run_json(RUN_A, "running")})
    app, clock = scripted_app(source, [RUN_A])
    async with app.run_test(size=(140, 30)) as pilot:
        await advance(pilot, clock, 1)
        now = clock.now()
        await _feed(app, RateLimited(now + timedelta(days=2, hours=11, seconds=59), now))
        assert "rate limited until 2026-01-17 23:01:00" in _header(app)
        await _feed(app, RateLimited(now + timedelta(seconds=30), now))
        assert "rate limited until 12:00:31" in _header(app)


@pytest.mark.parametrize(
    ("error", "said"),
    [
        (RunNotFoundError(RUN_A), "! not found"),
        (ServerError(500), "! server error, next try 12:00:"),
        (BadResponseError("not valid JSON"), "! bad response, next try 12:00:"),
        (ApiUnreachableError("api.nekt.ai", "the request timed out"), "! unreachable, next try"),
        (SlowAnswerError("api.nekt.ai", 30), "! slow: waiting 1s for its answer"),
        (AnswerTooLargeError(256 << 20), "! answer too large (over 256 MB): not read"),
    ],
)
async def test_a_failed_first_poll_says_what_happened(error: Exception, said: str) -> None:
    source = ScriptedSource({RUN_A: error})
    app, clock = scripted_app(source, [RUN_A])
    async with app.run_test(size=(120, 30)) as pilot:
        await advance(pilot, clock, 1)
        text = _status(app)
        assert said in text.splitlines()[0]
        assert "not fetched yet" not in text
        assert app.run_problem(RUN_A) is not None


async def test_a_refused_key_is_said_in_the_pipeline_panel() -> None:
    source = ScriptedSource({RUN_A: AuthenticationError(403, "Invalid API key.")})
    app, clock = scripted_app(source, [RUN_A])
    async with app.run_test(size=(200, 50)) as pilot:
        await advance(pilot, clock, 1)
        assert app.conn.kind == "auth"
        pipeline = app.widgets.pipeline.build(app.model.get(RUN_A), app.now()).plain
        assert "Waiting for the first answer" not in pipeline
        assert "API key was refused" in pipeline
        assert "API key refused" in _status(app).splitlines()[0]
        assert "API key was refused" in (app.run_problem(RUN_A) or "")


async def test_the_log_panel_says_what_a_failed_poll_came_to_and_a_refused_key() -> None:
    source = ScriptedSource({RUN_A: RunNotFoundError(RUN_A)})
    app, clock = scripted_app(source, [RUN_A])
    async with app.run_test(size=(120, 30)) as pilot:
        await advance(pilot, clock, 1)
        assert log_message(app).startswith("not found")
        source.answers[RUN_A] = AuthenticationError(403, "Invalid API key.")
        await pilot.press("r")
        await advance(pilot, clock, 1)
        # No run was ever fetched: the log panel names what stops every run.
        assert "API key" in log_message(app) and "waiting" not in log_message(app)


def log_message(app: NektApp) -> str:
    """The message the log panel shows in place of a log (folded rows joined back)."""
    view = app.widgets.log_panel.view
    assert view.message is not None
    return " ".join(row for row in screen_rows(view) if row)
