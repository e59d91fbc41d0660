"""The board's and the browser's rows without a screen: cell text, filter, sort, problems."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from nekt_tui.api.enums import RunStatus, UnknownValue
from nekt_tui.api.errors import RateLimitedError, ServerError
from nekt_tui.api.models import PipelineTrigger, Run
from nekt_tui.ui.state.listing import (
    Listing,
    ListRow,
    fetch_problem,
    next_fire_text,
    retry_delay,
    run_row,
    took_text,
)

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=timezone.utc)


def _row(name: str, status: RunStatus | UnknownValue | None, minutes_ago: float | None) -> ListRow:
    started = NOW - timedelta(minutes=minutes_ago) if minutes_ago is not None else None
    return ListRow(name, None, status, name, "source", started, None, None)


def test_next_fire_is_the_earliest_cron_then_event_then_manual() -> None:
    hourly = PipelineTrigger.model_validate({"type": "cron", "cron_expression": "0 * * * *"})
    quarter = PipelineTrigger.model_validate({"type": "cron", "cron_expression": "*/15 * * * *"})
    event = PipelineTrigger.model_validate({"type": "event", "events": ["x"]})
    bad = PipelineTrigger.model_validate({"type": "cron", "cron_expression": "not cron"})
    at = NOW + timedelta(minutes=3)
    assert next_fire_text([hourly, quarter], at) == "in 12m"
    assert next_fire_text([event, hourly], at) == "in 57m"
    assert next_fire_text([event], at) == "on event"
    assert next_fire_text([bad], at) == "bad cron"
    assert next_fire_text([], at) == "manual"


def test_took_is_the_duration_or_the_time_so_far_of_a_running_run() -> None:
    running = _row("a", RunStatus.RUNNING, 2)
    assert took_text(running, NOW) == "2m 00s"
    assert took_text(_row("b", RunStatus.FAILED, 2), NOW) == ""
    done = run_row(
        Run.model_validate(
            {
                "id": "3c90c3cc-0d44-4b50-8888-8dd25736052a",
                "status": "success",
                "duration_seconds": 75,
            }
        )
    )
    assert took_text(done, NOW) == "1m 15s"


def test_run_rows_are_sanitised_once() -> None:
    run = Run.model_validate(
        {
            "id": "3C90C3CC-0D44-4B50-8888-8DD25736052A",
            "status": "failed",
            "pipeline": {"slug": "a\x1b[31mred\x1b[0m\nb"},
        }
    )
    row = run_row(run)
    assert row.name == "ared␊b"
    assert row.key == row.run_id == "3c90c3cc-0d44-4b50-8888-8dd25736052a"


def test_filter_by_status_and_words_and_sort_by_status_or_start() -> None:
    listing = Listing("status")
    listing.set_rows(
        [
            _row("ok-pipe", RunStatus.SUCCESS, 1),
            _row("bad-pipe", RunStatus.FAILED, 30),
            _row("busy-pipe", RunStatus.RUNNING, 5),
            _row("odd-pipe", UnknownValue("exploded"), 2),
            _row("new-pipe", None, None),
        ]
    )
    assert [r.name for r in listing.view] == [
        "bad-pipe",
        "busy-pipe",
        "odd-pipe",
        "ok-pipe",
        "new-pipe",
    ]
    listing.set_sort("started")
    assert [r.name for r in listing.view][:4] == ["ok-pipe", "odd-pipe", "busy-pipe", "bad-pipe"]
    assert listing.view[-1].name == "new-pipe"
    assert listing.set_filter("status:failed,running") is None
    assert {r.name for r in listing.view} == {"bad-pipe", "busy-pipe"}
    assert listing.set_filter("status:unknown") is None
    assert [r.name for r in listing.view] == ["odd-pipe"]
    assert listing.set_filter("BUSY") is None
    assert [r.name for r in listing.view] == ["busy-pipe"]
    problem = listing.set_filter("status:nope")
    assert problem is not None and problem.startswith("Unknown status nope: use pending")
    assert [r.name for r in listing.view] == ["busy-pipe"]  # unchanged


def test_problems_are_one_line_and_a_429_waits_for_its_window() -> None:
    limited = RateLimitedError(90.0, NOW + timedelta(seconds=90))
    line = fetch_problem("the runs list", limited)
    assert line == "the runs list: rate limited by the API; trying again after 12:01:30"
    assert retry_delay(limited, 30.0, NOW) == 90.0
    assert retry_delay(RateLimitedError(None), 30.0, NOW) == 30.0
    assert retry_delay(ServerError(502), 30.0, NOW) == 30.0
    broken = fetch_problem("the runs list", ServerError(502, "x\ny\x1b[2J"))
    assert "\n" not in broken and "\x1b" not in broken and broken.startswith("the runs list: ")
    assert fetch_problem("the runs list", ValueError("boom")) == (
        "the runs list could not be read (ValueError); the watch list is unaffected"
    )
