"""Cancelling a run from the app (`X`): asked first, sent once, seen through real polls."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Button, Static

from nekt_tui.api.models import Run, RunStatus
from nekt_tui.clock import FakeClock
from nekt_tui.simulator import World
from nekt_tui.simulator.requests_log import RequestRecord
from nekt_tui.ui.app import NektApp
from nekt_tui.ui.screens.cancel_dialog import CancelDialog
from nekt_tui.ui.screens.help_screen import HelpScreen
from nekt_tui.ui.state.store import RunStore, StoredRun
from tests.app_parts import make_app

from .conftest import (
    HOSTILE_SLUG,
    RUN_A,
    RUN_B,
    ScriptedSource,
    Sim,
    advance,
    make_sim,
    run_json,
    scripted_app,
)

PIPE_A = "salesforce-to-catalog"
PIPE_B = "hubspot-to-catalog"
#: Watched, but the API has never heard of it (404).
RUN_GONE = "22222222-3333-4444-8555-666666666666"


def _world(clock: FakeClock) -> World:
    world = World(seed=1, clock=clock, n_runs=0)
    # Running for ten minutes; a cancel makes it `cancelling` for 5 s, then `canceled`.
    world.add_run((("running", 600.0),), "success", pipeline=PIPE_A, run_id=RUN_A)
    # Finished long ago.
    world.add_run((("running", 10.0),), "success", pipeline=PIPE_B, run_id=RUN_B, ago=100)
    return world


def _posts(sim: Sim) -> list[RequestRecord]:
    return [r for r in sim.world.requests if r.method == "POST"]


def _line_of(app: NektApp, run_id: str) -> str:
    index = app.model.index_of(run_id)
    assert index is not None, f"{run_id} is not shown"
    return app.widgets.watch_list.render_line(index + 1).text


def _toasts(app: NektApp) -> list[str]:
    return [n.message for n in app.toasts]


async def _open(pilot: Pilot[Any], run_id: str) -> CancelDialog:
    app = pilot.app
    assert isinstance(app, NektApp)
    app.widgets.watch_list.select(run_id)
    await pilot.press("X")
    await pilot.pause()
    assert isinstance(app.screen, CancelDialog)
    return app.screen


async def _answered(pilot: Pilot[Any]) -> None:
    """Let the cancel worker get its answer and the app draw what followed."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_confirmed_cancel_is_sent_once_and_polled_to_canceled() -> None:
    sim = make_sim(_world, runs=[RUN_A, RUN_B])
    async with sim.app.run_test(size=(160, 40)) as pilot:
        await sim.advance(pilot, 1)
        assert "running" in _line_of(sim.app, RUN_A)
        dialog = await _open(pilot, RUN_A)
        question = dialog.query_one("#cancel-question", Static).render()
        assert str(question) == f"Cancel {PIPE_A} {RUN_A[:8]}?"
        # A stray Enter must not cancel: the safe button has the focus.
        assert dialog.focused is dialog.query_one("#cancel-keep", Button)

        await pilot.press("y")
        await _answered(pilot)
        posts = _posts(sim)
        assert [(p.path, p.run_id, p.status) for p in posts] == [
            (f"/api/v1/runs/{RUN_A}/cancel/", RUN_A, 200)
        ]
        assert any(m.startswith(f"Cancel requested: {PIPE_A}") for m in _toasts(sim.app))

        # Polled again at once (same instant as the cancel), not at the next interval:
        # the row says cancelling from a real GET, before the clock moves.
        await sim.advance(pilot, 0)
        again = [
            r
            for r in sim.world.requests
            if r.method == "GET" and r.run_id == RUN_A and r.time == posts[0].time
        ]
        assert again, "the run was not polled again after the cancel"
        assert sim.app.model.rows[RUN_A].status is RunStatus.CANCELLING
        assert "cancelling" in _line_of(sim.app, RUN_A)
        assert sim.app.model.rows[RUN_A].run is not None
        assert sim.app.model.rows[RUN_A].pipeline_name == PIPE_A  # the full run, not flat

        # Pressed again while it is cancelling: said so, nothing sent.
        await pilot.press("X")
        await pilot.pause()
        assert not isinstance(sim.app.screen, CancelDialog)
        assert _toasts(sim.app)[-1].endswith("is already being cancelled")

        for _ in range(4):
            await sim.advance(pilot, 2)
        assert sim.app.model.rows[RUN_A].status is RunStatus.CANCELED
        assert "canceled" in _line_of(sim.app, RUN_A)
        assert len(_posts(sim)) == 1


@pytest.mark.parametrize(
    "keys", [["escape"], ["n"], ["enter"]], ids=["escape", "n", "enter-on-keep"]
)
async def test_keeping_the_run_sends_nothing(keys: list[str]) -> None:
    sim = make_sim(_world, runs=[RUN_A, RUN_B])
    async with sim.app.run_test(size=(160, 40)) as pilot:
        await sim.advance(pilot, 1)
        await _open(pilot, RUN_A)
        await pilot.press(*keys)
        await _answered(pilot)
        assert not isinstance(sim.app.screen, CancelDialog)
        await sim.advance(pilot, 3)
        assert _posts(sim) == []
        assert sim.app.model.rows[RUN_A].status is RunStatus.RUNNING
        assert not any("Cancel" in m for m in _toasts(sim.app))


async def test_enter_on_the_cancel_button_confirms() -> None:
    sim = make_sim(_world, runs=[RUN_A, RUN_B])
    async with sim.app.run_test(size=(160, 40)) as pilot:
        await sim.advance(pilot, 1)
        dialog = await _open(pilot, RUN_A)
        await pilot.press("tab")
        assert dialog.focused is dialog.query_one("#cancel-ok", Button)
        await pilot.press("enter")
        await _answered(pilot)
        assert [p.run_id for p in _posts(sim)] == [RUN_A]


async def test_a_finished_run_is_not_offered() -> None:
    sim = make_sim(_world, runs=[RUN_A, RUN_B])
    async with sim.app.run_test(size=(160, 40)) as pilot:
        await sim.advance(pilot, 1)
        assert sim.app.model.rows[RUN_B].status is RunStatus.SUCCESS
        sim.app.widgets.watch_list.select(RUN_B)
        await pilot.press("X")
        await pilot.pause()
        assert not isinstance(sim.app.screen, CancelDialog)
        assert _toasts(sim.app)[-1] == (
            f"{PIPE_B} {RUN_B[:8]} has already finished (success): nothing to cancel"
        )
        await pilot.press("y")  # no dialog: nothing to confirm
        await _answered(pilot)
        assert _posts(sim) == []


def _forbidden(sim: Sim) -> None:
    sim.transport.app.api_key = "a-different-key"  # ours is now refused with 403


def _revoked(sim: Sim) -> None:
    sim.transport.app.revoke_key()


def _rate_limited(sim: Sim) -> None:
    sim.transport.faults.set(rate_limit_rate=1.0, rate_limit_seconds=45, retry_after_date_rate=0.0)


def _server_error(sim: Sim) -> None:
    sim.transport.faults.set(error_rate=1.0)


def _connection_reset(sim: Sim) -> None:
    sim.transport.faults.set(reset_rate=1.0)


def _finished_unseen(sim: Sim) -> None:
    pass  # the run ended in the world while paused in the app: it still shows running


def _after_45s(sim: Sim) -> str:
    at = sim.clock.now() + timedelta(seconds=45)
    return f"press X again after {at:%H:%M:%S} (in 45s)"


CASES: list[tuple[str, Callable[[Sim], None], str, Callable[[Sim], list[str]]]] = [
    (
        "403",
        _forbidden,
        RUN_A,
        lambda sim: [f"Cancel refused for {PIPE_A}", "API key rejected (HTTP 403)"],
    ),
    ("401", _revoked, RUN_A, lambda sim: ["Cancel refused for", "(HTTP 401)", "revoked"]),
    (
        "404",
        lambda sim: None,
        RUN_GONE,
        lambda sim: [f"Cannot cancel {RUN_GONE[:8]}: run {RUN_GONE} not found"],
    ),
    (
        "429",
        _rate_limited,
        RUN_A,
        lambda sim: ["Cancel not sent for", "rate limiting", _after_45s(sim)],
    ),
    (
        "5xx",
        _server_error,
        RUN_A,
        lambda sim: ["Cancel failed for", "the API failed with HTTP 5", "not retried"],
    ),
    (
        "reset",
        _connection_reset,
        RUN_A,
        lambda sim: [f"Cannot cancel {PIPE_A}", "cannot reach 127.0.0.1:8765"],
    ),
    (
        "400-detail",
        _finished_unseen,
        RUN_A,
        lambda sim: [
            f"Cannot cancel {PIPE_A}",
            "refused the request with HTTP 400: Cannot cancel a run that is already success.",
        ],
    ),
]


@pytest.mark.parametrize(
    ("setup", "run_id", "expect"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
async def test_a_refused_cancel_is_one_toast_and_the_app_goes_on(
    setup: Callable[[Sim], None], run_id: str, expect: Callable[[Sim], list[str]]
) -> None:
    def world(clock: FakeClock) -> World:
        built = _world(clock)
        if setup is _finished_unseen:  # ends 30 s in instead of 10 minutes
            built = World(seed=1, clock=clock, n_runs=0)
            built.add_run((("running", 30.0),), "success", pipeline=PIPE_A, run_id=RUN_A)
        return built

    sim = make_sim(world, runs=[RUN_A, RUN_B, RUN_GONE])
    async with sim.app.run_test(size=(160, 40)) as pilot:
        await sim.advance(pilot, 1)
        if setup is _finished_unseen:
            sim.app.widgets.watch_list.select(RUN_A)
            await pilot.press("p")  # paused: the app does not see it finish
            await sim.advance(pilot, 40)
            assert sim.app.model.rows[RUN_A].status is RunStatus.RUNNING
        await _open(pilot, run_id)
        setup(sim)
        wanted = expect(sim)
        before = len(_toasts(sim.app))

        await pilot.press("y")
        await _answered(pilot)

        posts = _posts(sim)
        assert [p.run_id for p in posts] == [run_id]  # sent once, never retried
        # One toast about the cancel; a poll that followed may add a status change.
        new = [m for m in _toasts(sim.app)[before:] if " → " not in m]
        assert len(new) == 1, new
        for part in wanted:
            assert part in new[0], (part, new[0])
        assert "went wrong" not in new[0]
        assert sim.app.is_running and sim.app.screen is sim.app.main
        assert len(sim.app.model) == 3  # the list is kept
        assert sim.app.cancels_sent == set()  # X can be pressed again


async def test_a_run_finished_before_answering_is_polled_again() -> None:
    """A 400 "already finished" is followed by a poll: the row catches up at once."""

    def world(clock: FakeClock) -> World:
        built = World(seed=1, clock=clock, n_runs=0)
        built.add_run((("running", 30.0),), "success", pipeline=PIPE_A, run_id=RUN_A)
        return built

    sim = make_sim(world, runs=[RUN_A])
    async with sim.app.run_test(size=(160, 40)) as pilot:
        await sim.advance(pilot, 1)
        sim.app.widgets.watch_list.select(RUN_A)
        await pilot.press("p")
        await sim.advance(pilot, 40)
        assert sim.app.model.rows[RUN_A].status is RunStatus.RUNNING
        await _open(pilot, RUN_A)
        await pilot.press("y")
        await _answered(pilot)
        await sim.advance(pilot, 0)
        assert sim.app.model.rows[RUN_A].status is RunStatus.SUCCESS


class CancellingSource(ScriptedSource):
    """A scripted source that can also cancel (it records what it was asked)."""

    def __init__(self, answers: dict[str, Run | Exception]) -> None:
        super().__init__(answers)
        self.cancels: list[str] = []

    async def cancel_run(self, run_id: str) -> Run:
        self.cancels.append(run_id)
        answer = self.answers[run_id]
        assert isinstance(answer, Run)
        return answer


async def test_a_hostile_pipeline_name_is_shown_literally() -> None:
    evil = run_json(RUN_A, "running", pipeline={"slug": HOSTILE_SLUG, "triggers": []})
    source = CancellingSource({RUN_A: evil})
    app, clock = scripted_app(source, [RUN_A])
    async with app.run_test(size=(160, 40)) as pilot:
        await advance(pilot, clock, 1)
        dialog = await _open(pilot, RUN_A)
        question = dialog.query_one("#cancel-question", Static)
        assert str(question.render()) == f"Cancel {HOSTILE_SLUG} {RUN_A[:8]}?"
        # Drawn as typed: the brackets reach the screen, no link or style came of them.
        drawn = "\n".join(line.text for line in question.render_lines(question.region.reset_offset))
        assert HOSTILE_SLUG in drawn
        await pilot.press("y")
        await _answered(pilot)
        assert app.is_running
        assert source.cancels == [RUN_A]
        assert _toasts(app)[-1] == f"Cancel requested: {HOSTILE_SLUG} {RUN_A[:8]}"


class SlowCancelSource(CancellingSource):
    """Its cancel answers only when the test opens the gate (a slow API)."""

    def __init__(self, answers: dict[str, Run | Exception], answer: Run) -> None:
        super().__init__(answers)
        self.gate = asyncio.Event()
        self.answer = answer

    async def cancel_run(self, run_id: str) -> Run:
        self.cancels.append(run_id)
        await self.gate.wait()
        return self.answer


async def test_the_cancel_runs_in_the_background_and_its_answer_is_not_shown() -> None:
    # The answer (flat in real life) says canceled under another name: the row must only
    # change through a poll, which here still says running.
    answer = run_json(RUN_A, "canceled", pipeline={"slug": "from-the-cancel", "triggers": []})
    source = SlowCancelSource({RUN_A: run_json(RUN_A, "running")}, answer)
    app, clock = scripted_app(source, [RUN_A])
    async with app.run_test(size=(160, 40)) as pilot:
        await advance(pilot, clock, 1)
        polls = len(source.calls)
        await _open(pilot, RUN_A)
        await pilot.press("y")
        await pilot.pause()
        assert source.cancels == [RUN_A]
        # The answer has not come: the app still takes keys, and X does not send again.
        await pilot.press("X")
        await pilot.pause()
        assert not isinstance(app.screen, CancelDialog)
        assert _toasts(app)[-1] == "A cancel request for pipe-x 3c90c3cc is already on its way"
        assert source.cancels == [RUN_A]

        source.gate.set()
        await _answered(pilot)
        await advance(pilot, clock, 0)
        assert _toasts(app)[-1] == "Cancel requested: pipe-x 3c90c3cc"
        assert len(source.calls) == polls + 1  # polled again at once
        row = app.model.rows[RUN_A]
        assert row.status is RunStatus.RUNNING
        assert row.pipeline_name == "pipe-x"


async def test_a_source_that_cannot_cancel_says_so() -> None:
    source = ScriptedSource({RUN_A: run_json(RUN_A, "running")})
    app, clock = scripted_app(source, [RUN_A])
    async with app.run_test(size=(160, 40)) as pilot:
        await advance(pilot, clock, 1)
        await pilot.press("X")
        await pilot.pause()
        assert not isinstance(app.screen, CancelDialog)
        assert _toasts(app)[-1] == "This run source cannot cancel runs"


async def test_without_a_key_it_says_to_press_k() -> None:
    clock = FakeClock()
    store = RunStore.in_memory([StoredRun(RUN_A, None, None)])
    app = make_app(store=store, clock=clock, problem="no API key", tick_interval=None)
    async with app.run_test(size=(160, 40)) as pilot:
        await advance(pilot, clock, 1)
        await pilot.press("X")
        await pilot.pause()
        assert not isinstance(app.screen, CancelDialog)
        assert _toasts(app)[-1] == "Cancelling needs an API key: press K to enter one"


async def test_x_is_in_the_help_and_the_palette_not_the_footer() -> None:
    sim = make_sim(_world, runs=[RUN_A])
    async with sim.app.run_test(size=(160, 40)) as pilot:
        titles = {cmd.title for cmd in sim.app.get_system_commands(sim.app.main)}
        assert "Cancel run" in titles
        footer = [b for b in sim.app.main.active_bindings.values() if b.binding.key == "X"]
        assert footer and not footer[0].binding.show
        await pilot.press("question_mark")
        assert isinstance(sim.app.screen, HelpScreen)
        text = str(sim.app.screen.query_one("#help-body", Static).render())
        assert any(line.split()[:3] == ["X", "Cancel", "run"] for line in text.splitlines())
