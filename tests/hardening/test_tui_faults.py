"""Faults against the running TUI: responsive, each row its own problem, the header the
global one, and everything recovers by itself when the faults stop."""

from __future__ import annotations

import random
from typing import Any

from textual.pilot import Pilot

from nekt_tui.api.models import RunStatus
from nekt_tui.clock import FakeClock
from nekt_tui.simulator import Faults, World
from nekt_tui.ui.screens.help_screen import HelpScreen
from nekt_tui.watch.events import PollFailed

from .conftest import Rig, html_502, make_rig, record_events, refused, truncated_json

MISSING = "99999999-9999-4999-8999-999999999999"


def four_long_runs(clock: FakeClock) -> World:
    world = World(seed=4, clock=clock, n_runs=0)
    for _ in range(4):
        world.add_run((("running", 3600.0),), "success")
    return world


def shows(line: str, label: str) -> bool:
    """The row shows `label`, whole or cut to its column with an ellipsis."""
    if label in line:
        return True
    return any(label[:n] + "…" in line for n in range(8, len(label)))


def assert_no_failure_reported(rig: Rig) -> None:
    """The app's one place for background failures was never reached."""
    assert rig.app._failures_reported == set()
    assert not [n for n in rig.notices() if "Something went wrong" in n]


async def keys_still_work(rig: Rig, pilot: Pilot[Any]) -> None:
    """Sort, pause/resume, help and filter all answer while the API misbehaves."""
    app = rig.app
    sort = app.model.sort
    await pilot.press("s")
    assert app.model.sort != sort
    selected = app.widgets.watch_list.selected
    assert selected is not None
    await pilot.press("p")
    assert app.model.rows[selected].paused and "paused" in rig.row_text(selected)
    await pilot.press("p")
    assert not app.model.rows[selected].paused
    await pilot.press("question_mark")
    assert isinstance(app.screen, HelpScreen)
    await pilot.press("escape")
    assert not isinstance(app.screen, HelpScreen) and app.screen is app.main
    await pilot.press("slash", "z", "z", "z")
    assert app.model.filter_text == "zzz" and not app.model.view
    await pilot.press("escape")
    assert app.model.filter_text == "" and len(app.model.view) == len(app.model)
    await pilot.press("s", "s", "s")  # back to the order the runs were added in
    assert app.model.sort == sort


async def test_each_row_its_own_problem_header_the_global_one_then_recovery() -> None:
    rig = make_rig(four_long_runs)
    ok, html, cut, bad = rig.world.run_ids
    rig.app.store.add(MISSING)
    rig.run_faults.by_run = {html: html_502, cut: truncated_json, bad: refused}
    async with rig.app.run_test(size=(160, 40)) as pilot:
        await rig.advance(pilot, 3)
        assert "ago" in rig.row_text(ok)
        assert "server error" in rig.row_text(html)
        assert "bad response" in rig.row_text(cut)
        assert shows(rig.row_text(bad), "refused")
        assert "not found" in rig.row_text(MISSING)
        assert "live" in rig.header_text()
        assert rig.app.main.query_one("#notice").display is False

        # A 429 burst with an HTTP-date Retry-After: the header says until when, globally.
        rig.faults.set(rate_limit_rate=1.0, rate_limit_seconds=30.0, retry_after_date_rate=1.0)
        await rig.advance(pilot, 3)
        scheduler = rig.app.scheduler
        assert scheduler is not None and scheduler.rate_limited_until is not None
        until = scheduler.rate_limited_until.strftime("%H:%M:%S")
        assert f"rate limited until {until}" in rig.header_text()
        assert "server error" in rig.row_text(html)  # rows keep their own problems
        await keys_still_work(rig, pilot)
        asked = len(rig.world.requests)
        await rig.advance(pilot, 20)
        assert len(rig.world.requests) == asked  # nothing sent inside the window
        assert rig.world.requests.retry_after_violations() == []

        # The faults stop: every row and the header recover with no key pressed.
        rig.faults.off()
        rig.run_faults.by_run.clear()
        await rig.advance(pilot, 120)
        assert "live" in rig.header_text()
        for run_id in (ok, html, cut, bad):
            row = rig.app.model.rows[run_id]
            assert row.error is None and not row.stale, run_id
            assert row.status is RunStatus.RUNNING
            assert "ago" in rig.row_text(run_id)
        # A run the API does not know is not a fault: it stays "not found", unpolled.
        assert "not found" in rig.row_text(MISSING)
        assert sum(1 for r in rig.world.requests if r.run_id == MISSING) == 1
        assert_no_failure_reported(rig)
    await rig.client.aclose()


async def test_chaos_on_the_demo_world_keeps_the_app_usable_and_honest(
    loop_errors: list[dict[str, Any]],
) -> None:
    faults = Faults.chaos(seed=9)
    faults.set(error_rate=0.15, timeout_rate=0.05, malformed_rate=0.05, html_rate=0.05)
    faults.set(rate_limit_rate=0.01, rate_limit_seconds=8.0, retry_after_date_rate=0.5)
    rig = make_rig(lambda clock: World.demo(clock), faults=faults)
    # Random faults are mostly retried away: one run behind a broken proxy makes sure a
    # second kind of problem is on screen whatever the draws.
    rig.run_faults.by_run = {rig.world.run_ids[0]: html_502}
    events = record_events(rig)
    keys = ["s", "down", "down", "p", "p", "up", "r", "R", "plus", "minus", "tab", "shift+tab"]
    rng = random.Random(9)
    async with rig.app.run_test(size=(110, 30)) as pilot:
        problems_seen: set[str] = set()
        for _ in range(8):
            await rig.advance(pilot, 15)
            await pilot.press(rng.choice(keys))
            for run_id, row in rig.app.model.rows.items():
                if row.error is not None and not row.paused:
                    problems_seen.add(row.error.short)
                    assert shows(rig.row_text(run_id), row.error.short), run_id
            if rig.app.conn.kind == "rate_limited":
                # A 429 that came back at the last instant is drawn at the next frame.
                await rig.advance(pilot, 0)
                assert "rate limited until" in rig.header_text()
        # A row's problem lasts until its next good answer, so the kinds are also counted
        # from what the engine said between two looks.
        problems_seen |= {e.error.short for e in events if isinstance(e, PollFailed)}
        assert len(problems_seen) >= 2, problems_seen
        assert rig.world.requests.retry_after_violations() == []
        rig.app.widgets.watch_list.focus()
        await keys_still_work(rig, pilot)

        rig.faults.off()
        rig.run_faults.by_run.clear()
        for run_id in rig.app.model.rows:
            if rig.app.model.rows[run_id].paused:
                rig.app.widgets.watch_list.select(run_id)
                await pilot.press("p")
        await rig.advance(pilot, 150)
        assert rig.app.conn.kind == "live"
        for run_id, row in rig.app.model.rows.items():
            assert row.error is None and not row.stale, (run_id, row.error)
            assert row.status == rig.world.true_status(run_id), run_id
        assert_no_failure_reported(rig)
    assert loop_errors == []
    await rig.client.aclose()
