"""Dates no local time can hold are shown (as sent, marked odd), never a crash.

Go's zero time west of UTC, year 9999 east of it, and an offset of +23:59 at either end
overflow `datetime.astimezone`; the app must keep running and say what it was sent.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest

from nekt_tui.api.models import Run
from nekt_tui.ui import timefmt

from .conftest import RUN_A, RUN_B, ScriptedSource, advance, run_json, scripted_app

RUN_C = "22222222-3333-4444-8555-666666666666"
ZERO = "0001-01-01T00:00:00Z"
END = "9999-12-31T23:59:59Z"
ODD_OFFSET = "0001-01-01T00:30:00+23:59"


@pytest.fixture(params=["America/Los_Angeles", "Asia/Tokyo"])
def local_zone(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Local time west, then east, of UTC (restored to the tests' UTC after)."""
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield request.param
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()


def _odd_run(run_id: str, when: str, status: str = "success") -> Run:
    pipeline = {
        "slug": "pipe-odd",
        "latest_run_started": when,
        "latest_run_ended": when,
        "triggers": [{"type": "cron", "cron_expression": "0 3 * * *"}],
    }
    ended = when if status == "success" else None
    return run_json(
        run_id, status, created_at=when, started_at=when, ended_at=ended, pipeline=pipeline
    )


async def test_selecting_runs_with_odd_dates_shows_them(local_zone: str) -> None:
    source = ScriptedSource(
        {
            RUN_A: _odd_run(RUN_A, ZERO),
            RUN_B: _odd_run(RUN_B, END, "running"),
            RUN_C: _odd_run(RUN_C, ODD_OFFSET),
        }
    )
    app, clock = scripted_app(source, [RUN_A, RUN_B, RUN_C])
    async with app.run_test(size=(200, 50)) as pilot:
        await advance(pilot, clock, 1)
        shown = []
        for _ in range(3):
            shown.append(
                app.widgets.status.build(
                    app.model.get(app.widgets.watch_list.selected), app.now()
                ).plain
            )
            await pilot.press("down")
            await advance(pilot, clock, 1)
        for _ in range(4):  # every sort order, "started" among them
            await pilot.press("s")
            await pilot.pause()
        assert app.is_running and app.return_code is None
        assert "Something went wrong" not in " ".join(n.message for n in app.toasts)
        assert "0001-01-01 00:00 UTC (odd date)" in shown[0]
        assert "9999-12-31 23:59 UTC (odd date)" in shown[1]
        assert "0001-01-01 00:30 +23:59 (odd date)" in shown[2]


@pytest.mark.parametrize("sent", [ZERO, END, ODD_OFFSET])
def test_every_time_text_is_total(local_zone: str, sent: str) -> None:
    dt = datetime.fromisoformat(sent.replace("Z", "+00:00"))  # 3.10 reads no "Z"
    now = datetime(2026, 1, 15, 12, 0, tzinfo=timezone.utc)
    assert "odd date" in timefmt.local(dt, now)
    assert "odd date" in timefmt.clock_time(dt)
    assert "odd date" in timefmt.clock_minutes(dt)
    assert "odd date" in timefmt.moment(dt, now)
    assert timefmt.ago(dt, now) == ""
    assert timefmt.between(dt, now) is None


def test_spans_of_no_number_are_a_dash() -> None:
    assert timefmt.span(float("inf")) == "—"
    assert timefmt.compact(float("nan")) == "—"
    assert timefmt.span(3 * 86400 + 7200) == "3d 02h"


def test_a_deadline_on_another_day_shows_its_date() -> None:
    now = datetime(2026, 1, 15, 12, 0, tzinfo=timezone.utc)
    assert timefmt.moment(now + timedelta(minutes=3), now, timezone.utc) == "12:03:00"
    later = now + timedelta(days=400)
    assert timefmt.moment(later, now, timezone.utc) == "2027-02-19 12:00:00"
