"""The API key revoked mid-session: said once, polling stops, no storm; a fix resumes."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from textual.widgets import Input, Static

from nekt_tui.clock import FakeClock
from nekt_tui.simulator import World
from nekt_tui.ui.screens.key_dialog import KeyDialog
from nekt_tui.watch.events import AuthProblem, Event, Recovered

from .conftest import SECRET, SECRET_TAIL, Rig, make_rig, record_events

NEW_KEY = "sk-live-H6-new-0123456789abcdef"


def ten_long_runs(clock: FakeClock) -> World:
    world = World(seed=5, clock=clock, n_runs=0)
    for _ in range(10):
        world.add_run((("running", 3600.0),), "success")
    return world


def screen_text(rig: Rig) -> str:
    """The header, the notice and every toast, as text."""
    notice = str(rig.app.main.query_one("#notice", Static).render())
    return "\n".join([rig.header_text(), notice, *rig.notices()])


async def revoke_and_wait(rig: Rig, pilot: Any, events: list[Event]) -> float:
    """Poll happily, revoke the key, let five minutes pass; returns when it was revoked."""
    await rig.advance(pilot, 10)
    assert rig.app.conn.kind == "live"
    assert all(r.status == 200 for r in rig.world.requests)
    rig.sim.app.revoke_key()
    revoked_at = rig.clock.monotonic()
    await rig.advance(pilot, 300)
    return revoked_at


async def test_revoked_key_one_message_no_storm_then_R_resumes() -> None:
    rig = make_rig(ten_long_runs)
    events = record_events(rig)
    async with rig.app.run_test(size=(140, 30)) as pilot:
        revoked_at = await revoke_and_wait(rig, pilot, events)
        scheduler = rig.app.scheduler
        assert scheduler is not None

        # One clear message: the header and the notice say what to do, once.
        assert sum(isinstance(e, AuthProblem) for e in events) == 1
        assert rig.app.conn.kind == "auth"
        assert "authentication failed" in rig.header_text()
        notice = str(rig.app.main.query_one("#notice", Static).render())
        assert "NEKT_API_KEY" in notice and "revoked" in notice
        assert len([n for n in rig.notices() if "key" in n.lower()]) <= 1
        text = screen_text(rig)
        assert SECRET not in text and SECRET_TAIL not in text

        # Polling stopped: only what was already in flight was answered (401), then silence.
        after = [r for r in rig.world.requests if r.time > revoked_at]
        assert 1 <= len(after) <= scheduler.concurrency
        assert all(r.status == 401 for r in after)
        assert max(r.time for r in after) <= revoked_at + 2.5  # one interval, with jitter

        # R with the key still revoked: one probe, no storm, still the same message.
        asked = len(rig.world.requests)
        await pilot.press("R")
        await rig.advance(pilot, 60)
        assert len(rig.world.requests) == asked + 1
        assert rig.app.conn.kind == "auth"

        # The key works again (re-enabled on the server): R resumes every run.
        rig.sim.app.revoked.clear()
        rig.sim.app.api_key = SECRET
        await pilot.press("R")
        await rig.advance(pilot, 10)
        assert rig.app.conn.kind == "live"
        assert "authentication failed" not in rig.header_text()
        assert rig.app.main.query_one("#notice").display is False
        assert any(isinstance(e, Recovered) and e.scope == "auth" for e in events)
        for run_id in rig.world.run_ids:
            assert rig.world.requests.for_run(run_id)[-1].status == 200
            assert rig.app.model.rows[run_id].error is None
    await rig.client.aclose()


async def test_new_key_through_the_engine_resumes_without_restart() -> None:
    rig = make_rig(ten_long_runs)
    events = record_events(rig)
    async with rig.app.run_test(size=(140, 30)) as pilot:
        await revoke_and_wait(rig, pilot, events)
        assert rig.app.conn.kind == "auth"
        rig.sim.app.api_key = NEW_KEY
        scheduler = rig.app.scheduler
        assert scheduler is not None
        fixed_at = rig.clock.monotonic()
        scheduler.set_source(rig.new_client(NEW_KEY))
        await rig.advance(pilot, 10)
        assert rig.app.conn.kind == "live"
        fresh = [r for r in rig.world.requests if r.time >= fixed_at]
        assert fresh and all(r.status == 200 for r in fresh)
        assert {r.run_id for r in fresh if r.run_id} == set(rig.world.run_ids)
        assert sum(isinstance(e, AuthProblem) for e in events) == 1
    for client in (rig.client, *rig.extra_clients):
        await client.aclose()


async def test_new_key_typed_in_the_app_resumes_and_is_never_shown(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    rig = make_rig(ten_long_runs)
    events = record_events(rig)
    async with rig.app.run_test(size=(140, 30), notifications=True) as pilot:
        await revoke_and_wait(rig, pilot, events)
        assert rig.app.conn.kind == "auth"
        rig.sim.app.api_key = NEW_KEY
        asked = len(rig.world.requests)

        # Garbage is refused inline and changes nothing.
        await pilot.press("K")
        dialog = rig.app.screen
        assert isinstance(dialog, KeyDialog)
        dialog.query_one(Input).value = "two words"
        await pilot.press("enter")
        assert rig.app.screen is dialog and rig.app.conn.kind == "auth"
        assert len(rig.world.requests) == asked

        # The new key: typed into a password field, never drawn.
        dialog.query_one(Input).value = NEW_KEY
        await pilot.pause()
        typed = rig.app.export_screenshot()
        await pilot.press("enter")
        fixed_at = rig.clock.monotonic()
        await rig.advance(pilot, 10)
        assert rig.app.conn.kind == "live"
        fresh = [r for r in rig.world.requests if r.time >= fixed_at]
        assert {r.run_id for r in fresh if r.status == 200 and r.run_id} == set(rig.world.run_ids)
        shot = rig.app.export_screenshot()
        shown = screen_text(rig)
    for text in (typed, shot, shown, caplog.text):
        for part in (NEW_KEY, NEW_KEY[:12], NEW_KEY[-12:], SECRET, SECRET_TAIL):
            assert part not in text
    await rig.client.aclose()
