"""The log panel says why a run has no log yet (not found, server error, slow, too large),
never "waiting for the first poll" for a run whose polls failed."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from textual.widgets import Static

from nekt_tui.api.errors import (
    AnswerTooLargeError,
    ApiUnreachableError,
    BadResponseError,
    NektError,
    RateLimitedError,
    RunNotFoundError,
    ServerError,
    SlowAnswerError,
)
from nekt_tui.ui.widgets.log_panel import WAITING, LogPanel
from nekt_tui.ui.widgets.log_status import problem_line
from tests.logview.host import LogHost, make_run, numbered, screen_rows

from .conftest import RUN_A, RUN_B, ScriptedSource, advance, make_sim, run_json, scripted_app

NOW = datetime(2026, 1, 15, 14, 2, 0, tzinfo=timezone.utc)
LATER = NOW + timedelta(seconds=72)  # 14:03:12
NOT_FOUND = "not found: check the ID, or that the key's workspace owns it"


def status(panel: LogPanel) -> str:
    return str(panel.query_one("#log-status", Static).render())


@pytest.mark.parametrize(
    ("error", "next_try", "waiting_since", "expected"),
    [
        (RunNotFoundError(RUN_A), None, None, NOT_FOUND),
        (ServerError(500), LATER, None, "server error (HTTP 500), next try 14:03:12"),
        (ServerError(502, "Bad Gateway"), None, None, "server error (HTTP 502)"),
        (
            BadResponseError("not valid JSON"),
            LATER,
            None,
            "bad response: not valid JSON, next try 14:03:12",
        ),
        (
            SlowAnswerError("api.nekt.ai", 30),
            None,
            NOW - timedelta(seconds=45),
            "slow: waiting for an answer for 45s",
        ),
        (SlowAnswerError("api.nekt.ai", 30), None, None, "slow: waiting for an answer for 30s"),
        # Slow (a request unanswered) with no error yet, or after an older one.
        (None, None, NOW - timedelta(seconds=45), "slow: waiting for an answer for 45s"),
        (
            ServerError(500),
            LATER,
            NOW - timedelta(seconds=90),
            "slow: waiting for an answer for 1m 30s",
        ),
        (None, LATER, None, None),
        (AnswerTooLargeError(256 << 20), LATER, None, "answer too large (over 256 MB): not read"),
        (
            ApiUnreachableError("api.nekt.ai", "connection refused"),
            LATER,
            None,
            "cannot reach api.nekt.ai: connection refused, next try 14:03:12",
        ),
        (RateLimitedError(30), LATER, None, "rate limited by the API, next try 14:03:12"),
        (
            ServerError(500),
            NOW + timedelta(days=1),
            None,
            "server error (HTTP 500), next try 2026-01-16 14:02",
        ),
    ],
)
def test_problem_lines(
    error: NektError | None,
    next_try: datetime | None,
    waiting_since: datetime | None,
    expected: str | None,
) -> None:
    line = problem_line(error, now=NOW, next_try=next_try, waiting_since=waiting_since, zone=None)
    assert line == expected


def test_server_text_in_a_problem_is_sanitised() -> None:
    error = BadResponseError("field status: \x1b]0;pwned\x07[b]x[/b]\x1b[2J\nsecond")
    line = problem_line(error, now=NOW)
    assert line is not None
    assert "\x1b" not in line and "\n" not in line and "\x07" not in line
    assert line is not None and "[b]x[/b]" in line  # shown as sent, never read as markup


async def test_the_panel_shows_the_problem_instead_of_waiting() -> None:
    async with LogHost().run_test(size=(80, 12)) as pilot:
        panel = pilot.app.query_one(LogPanel)
        panel.select(RUN_A, None)
        await pilot.pause()
        assert screen_rows(panel.view)[0] == WAITING
        panel.show_problem(RUN_A, BadResponseError("[@click=app.quit]x[/]"), now=NOW)
        await pilot.pause()
        assert screen_rows(panel.view)[0] == "bad response: [@click=app.quit]x[/]"
        assert status(panel) == "bad response: [@click=app.quit]x[/]"
        panel.show_problem(RUN_B, RunNotFoundError(RUN_B), now=NOW)  # not the selected run
        await pilot.pause()
        assert "bad response" in screen_rows(panel.view)[0]
        panel.show_problem(RUN_A, None, now=NOW)  # the problem ended, no answer yet
        await pilot.pause()
        assert screen_rows(panel.view)[0] == WAITING


async def test_a_problem_after_a_log_keeps_the_log_and_tells_in_the_status_line() -> None:
    async with LogHost().run_test(size=(120, 12)) as pilot:
        panel = pilot.app.query_one(LogPanel)
        panel.select(RUN_A, make_run("\n".join(numbered(20)) + "\n"))
        await pilot.pause()
        panel.show_problem(RUN_A, ServerError(503), now=NOW, next_try=LATER)
        await pilot.pause()
        assert screen_rows(panel.view)[-1] == "line 19"
        assert status(panel).startswith("line 20 of 20 · following")
        assert status(panel).endswith("server error (HTTP 503), next try 14:03:12")
        panel.show_problem(RUN_A, None, now=NOW)
        await pilot.pause()
        assert "server error" not in status(panel)


async def test_another_run_does_not_inherit_the_problem() -> None:
    async with LogHost().run_test(size=(80, 12)) as pilot:
        panel = pilot.app.query_one(LogPanel)
        panel.select(RUN_A, None)
        panel.show_problem(RUN_A, RunNotFoundError(RUN_A), now=NOW)
        panel.select(RUN_B, None)
        await pilot.pause()
        assert screen_rows(panel.view)[0] == WAITING


async def test_slow_run_counts_the_wait() -> None:
    async with LogHost().run_test(size=(80, 12)) as pilot:
        panel = pilot.app.query_one(LogPanel)
        panel.select(RUN_A, None)
        since = NOW - timedelta(seconds=45)
        error = SlowAnswerError("api.nekt.ai", 30)
        panel.show_problem(RUN_A, error, now=NOW, waiting_since=since)
        await pilot.pause()
        assert screen_rows(panel.view)[0] == "slow: waiting for an answer for 45s"
        panel.show_problem(RUN_A, error, now=NOW + timedelta(seconds=20), waiting_since=since)
        await pilot.pause()
        assert screen_rows(panel.view)[0] == "slow: waiting for an answer for 1m 05s"
        # The answer came (RunUpdated): the log replaces the wait.
        panel.update_run(RUN_A, make_run("at last\n"), None)
        panel.show_problem(RUN_A, None, now=NOW + timedelta(seconds=21))
        await pilot.pause()
        assert screen_rows(panel.view)[0] == "at last"
        assert "slow" not in status(panel)


# --- in the app ------------------------------------------------------------------------


def _log_lines(panel: LogPanel) -> tuple[str, str]:
    """The log view's first line of text (a message folded over rows is joined back) and
    the status line."""
    rows = screen_rows(panel.view)
    if panel.view.message is not None:
        return " ".join(row for row in rows if row), status(panel)
    return rows[0], status(panel)


async def test_app_a_run_that_404s_says_not_found_in_the_log_panel() -> None:
    source = ScriptedSource({RUN_A: RunNotFoundError(RUN_A), RUN_B: run_json(RUN_B, "running")})
    app, clock = scripted_app(source, [RUN_A, RUN_B])
    async with app.run_test(size=(100, 30)) as pilot:
        await advance(pilot, clock, 1)
        assert app.widgets.watch_list.selected == RUN_A
        first, line = _log_lines(app.widgets.log_panel)
        assert first == NOT_FOUND
        assert line == NOT_FOUND


async def test_app_a_run_that_500s_says_server_error_and_when_it_is_tried_again() -> None:
    source = ScriptedSource({RUN_A: ServerError(500), RUN_B: run_json(RUN_B, "running")})
    app, clock = scripted_app(source, [RUN_A, RUN_B])
    async with app.run_test(size=(100, 30)) as pilot:
        await advance(pilot, clock, 1)
        assert app.scheduler is not None
        due = app.scheduler.state(RUN_A).next_due
        assert due is not None
        first, _ = _log_lines(app.widgets.log_panel)
        assert first == f"server error (HTTP 500), next try {due:%H:%M:%S}"
        # It answers: the log replaces the problem.
        source.answers[RUN_A] = run_json(RUN_A, "running")
        await advance(pilot, clock, 60)
        first, line = _log_lines(app.widgets.log_panel)
        assert first == "line one"
        assert "server error" not in line


async def test_app_simulator_404_for_an_unknown_run() -> None:
    unknown = "99999999-9999-4999-8999-999999999999"
    sim = make_sim(runs=[unknown])
    async with sim.app.run_test(size=(100, 30)) as pilot:
        await sim.advance(pilot, 1)
        first, line = _log_lines(sim.app.widgets.log_panel)
        assert first == NOT_FOUND
        assert line == NOT_FOUND


async def test_a_long_problem_is_folded_to_the_panel_width() -> None:
    async with LogHost().run_test(size=(36, 12)) as pilot:
        panel = pilot.app.query_one(LogPanel)
        panel.select(RUN_A, None)
        panel.show_problem(RUN_A, RunNotFoundError(RUN_A), now=NOW)
        await pilot.pause()
        rows = [row for row in screen_rows(panel.view) if row]
        assert len(rows) > 1
        assert " ".join(rows) == NOT_FOUND  # all of it readable, nothing scrolled off
