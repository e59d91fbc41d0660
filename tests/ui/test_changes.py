"""Status changes on screen: flash, toast, history, bell, the away summary, saved statuses."""

from __future__ import annotations

from typing import Any

import pytest

from nekt_tui.api.models import RunStatus
from nekt_tui.simulator import World
from nekt_tui.ui.state.store import RunStore, StoredRun
from nekt_tui.ui.status_style import look
from nekt_tui.ui.widgets.status_panel import status_content

from .conftest import RUN_A, RUN_B, make_sim

RUN_C = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"


def _failing(clock: object) -> World:
    """One run that is running now and fails 10 s later."""
    world = World(seed=3, clock=clock, n_runs=0)  # type: ignore[arg-type]
    world.add_run((("running", 10.0),), "failed", ago=5)
    return world


def _bells(app: Any) -> list[int]:
    rung: list[int] = []
    app.bell = lambda: rung.append(1)  # what reaches the terminal driver
    return rung


async def test_a_transition_flashes_toasts_lands_in_history_and_rings() -> None:
    sim = make_sim(_failing)
    (run_id,) = sim.world.run_ids
    async with sim.app.run_test(size=(120, 40)) as pilot:
        rung = _bells(sim.app)
        await sim.advance(pilot, 1)
        row = sim.app.model.rows[run_id]
        assert look(row.status).key == "running"
        assert sim.app.widgets.watch_list.flashing(run_id) is None
        assert not rung
        for _ in range(12):  # second by second, as the screen would see it
            await sim.advance(pilot, 1)
            if look(row.status).key == "failed":
                break
        assert row.status is RunStatus.FAILED
        # The row flashes in the failure colour ...
        assert sim.app.widgets.watch_list.flashing(run_id) == "failed"
        # ... a toast names the run and the transition ...
        messages = [n.message for n in sim.app.toasts]
        slug = row.name
        # The toast ends with why it failed (the log's last error), after the change.
        assert any(m.startswith(slug) and "running → failed — " in m for m in messages)
        # ... the history has it ...
        assert [(t.old, t.new) for t in row.history][-1] == (RunStatus.RUNNING, RunStatus.FAILED)
        assert "running → ✖ failed" in status_content(row, sim.clock.now()).plain
        # ... and the bell rang once (policy "failures" is the default).
        assert rung == [1]
        # The flash happens once: a second later it is over.
        await sim.advance(pilot, 1.5)
        assert sim.app.widgets.watch_list.flashing(run_id) is None
        assert rung == [1]


@pytest.mark.parametrize(("policy", "expected"), [("off", 0), ("failures", 1), ("all", 2)])
async def test_bell_policy(policy: str, expected: int) -> None:
    def world(clock: object) -> World:
        w = World(seed=4, clock=clock, n_runs=0)  # type: ignore[arg-type]
        w.add_run((("queued", 5.0), ("running", 10.0)), "failed", ago=1)
        return w

    sim = make_sim(world, bell=policy)
    async with sim.app.run_test(size=(120, 40)) as pilot:
        rung = _bells(sim.app)
        for _ in range(20):
            await sim.advance(pilot, 1)
        # queued → running and running → failed: "all" rings for both.
        assert len(rung) == expected


async def test_terminal_policy_rings_on_success_but_not_on_start() -> None:
    def world(clock: object) -> World:
        w = World(seed=5, clock=clock, n_runs=0)  # type: ignore[arg-type]
        w.add_run((("queued", 3.0), ("running", 5.0)), "success", ago=1)
        return w

    sim = make_sim(world, bell="terminal")
    async with sim.app.run_test(size=(120, 40)) as pilot:
        rung = _bells(sim.app)
        for _ in range(5):
            await sim.advance(pilot, 1)
        assert rung == []  # queued → running is not an end
        for _ in range(10):
            await sim.advance(pilot, 1)
        assert rung == [1]


async def test_while_you_were_away_summary_and_saved_statuses() -> None:
    ids = [RUN_A, RUN_B, RUN_C]

    def world(clock: object) -> World:
        w = World(seed=6, clock=clock, n_runs=0)  # type: ignore[arg-type]
        w.add_run((("running", 100.0),), "success", ago=500, run_id=ids[0])  # done meanwhile
        w.add_run((("running", 100.0),), "failed", ago=500, run_id=ids[1])  # failed meanwhile
        w.add_run((("running", 1000.0),), "success", ago=10, run_id=ids[2])  # still running
        return w

    store = RunStore.in_memory(StoredRun(r, None, RunStatus.RUNNING) for r in ids)
    sim = make_sim(world, store=store)
    async with sim.app.run_test(size=(120, 40)) as pilot:
        rung = _bells(sim.app)
        await sim.advance(pilot, 1)
        messages = [n.message for n in sim.app.toasts]
        assert (
            "While you were away: 1 succeeded, 1 failed: postgres-prod-to-catalog 11111111 "
            "failed, zendesk-to-catalog 3c90c3cc succeeded. Press J to go to the failed runs."
        ) in messages
        # No per-run toast and no bell for what happened while the app was closed.
        assert not any("→" in m for m in messages)
        assert rung == []
        # The history still shows the change, and the list remembers the new statuses.
        assert sim.app.model.rows[ids[1]].history[-1].old is RunStatus.RUNNING
        saved = {e.run_id: e.status for e in sim.app.store.entries()}
        assert saved == {
            ids[0]: RunStatus.SUCCESS,
            ids[1]: RunStatus.FAILED,
            ids[2]: RunStatus.RUNNING,
        }


async def test_many_changes_at_once_make_one_toast() -> None:
    def world(clock: object) -> World:
        w = World(seed=7, clock=clock, n_runs=0)  # type: ignore[arg-type]
        for _ in range(6):
            w.add_run((("running", 4.0),), "success", ago=1)
        return w

    sim = make_sim(world)
    async with sim.app.run_test(size=(120, 40)) as pilot:
        await sim.advance(pilot, 0.5)
        # Paused while they all finish; on resume the answers arrive together.
        await pilot.press("P")
        await sim.advance(pilot, 10)
        sim.app.clear_notifications()
        await pilot.press("P")
        await sim.advance(pilot, 0)
        messages = [n.message for n in sim.app.toasts]
        assert "6 runs changed: 6 succeeded" in messages
        assert not any("→" in m for m in messages)
