"""The three panels against an API that answers the detail flat (issue 15): the log from
the run list, the triggers from the pipeline lists, the user from expand, each saying
where it came from; and one clear line when a source is missing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import textual.constants
from textual.widgets import Static

from nekt_tui.api.models import User
from nekt_tui.simulator import World
from nekt_tui.ui.widgets.log_panel import LogPanel
from nekt_tui.ui.widgets.pipeline_panel import pipeline_content
from nekt_tui.ui.widgets.status_panel import status_content

from .conftest import Sim, make_sim

SnapCompare = Callable[..., bool]

#: Seconds into the demo: postgres-prod-to-catalog has just failed with a traceback.
MOMENT = 41


@pytest.fixture(autouse=True)
def _still(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(textual.constants, "TEXTUAL_ANIMATIONS", "none")
    monkeypatch.delenv("NO_COLOR", raising=False)


def _flat_demo(clock: Any) -> World:
    return World.demo(clock, detail="flat", background_runs=200)


def _log_status(sim: Sim) -> str:
    return str(sim.app.query_one(LogPanel).query_one("#log-status", Static).render())


async def _select(sim: Sim, pilot: Any, run_id: str) -> None:
    sim.app.widgets.watch_list.select(run_id)
    await sim.advance(pilot, 0)


def test_flat_three_panels_160x48(snap_compare: SnapCompare) -> None:
    """The failed run of the flat demo: its traceback, its cron trigger with next fires,
    where each came from."""
    sim = make_sim(_flat_demo)

    async def run_before(pilot: Any) -> None:
        for _ in range(MOMENT):
            await sim.advance(pilot, 1)
        pilot.app.clear_notifications()
        await pilot.press("J")
        await sim.advance(pilot, 0)

    assert snap_compare(sim.app, terminal_size=(160, 48), run_before=run_before)


async def test_failed_run_on_a_later_page_fills_every_panel() -> None:
    sim = make_sim(_flat_demo)
    world = sim.world
    # A background run (many pipelines' runs are newer): page 2 or later of the list.

    def crons(run_id: str) -> bool:
        triggers = world.pipelines[world.describe(run_id).slug].triggers
        return any(t.type == "cron" for t in triggers)

    old = next(
        r
        for r in reversed(world.newest_first())
        if world.describe(r.id).status.value == "failed" and crons(r.id)
    )
    assert world.newest_first().index(old) >= 50
    sim = make_sim(_flat_demo, runs=[old.id])
    async with sim.app.run_test(size=(160, 48)) as pilot:
        await sim.advance(pilot, 3)
        await _select(sim, pilot, old.id)
        row = sim.app.model.rows[old.id]
        assert row.run is not None and "Traceback" in (row.run.parsed_log or "")
        assert "log from the run list" in _log_status(sim)
        now = sim.clock.now()
        pipeline = pipeline_content(row, now).plain
        assert pipeline.startswith("pipeline from the run list, ")
        assert "next " in pipeline  # a cron trigger's next fires
        assert row.name == world.describe(old.id).slug


@pytest.mark.parametrize(("list_error", "origin"), [(None, "the run list"), (403, "expand")])
async def test_status_panel_names_the_user(list_error: int | None, origin: str) -> None:
    """From the run list's copy when it has been read, else from the detail asked with
    `expand[]=triggered_by` (a key without the list's scope)."""
    sim = make_sim(_flat_demo)
    if list_error is not None:
        sim.transport.app.list_errors["list"] = list_error
    manual = next(r for r in sim.world.run_ids if sim.world.describe(r).trigger_type == "manual")
    async with sim.app.run_test(size=(160, 48)) as pilot:
        await sim.advance(pilot, 3)
        row = sim.app.model.rows[manual]
        assert row.run is not None and isinstance(row.run.triggered_by, User)
        text = status_content(row, sim.clock.now()).plain
        by = next(line for line in text.splitlines() if line.startswith("By"))
        assert "@" in by and f"(from {origin})" in by
        assert "user #" not in by


async def test_list_missing_says_so_in_the_log_panel_and_triggers_come_from_sources() -> None:
    sim = make_sim(_flat_demo)
    sim.transport.app.list_errors["list"] = 404
    rid = sim.world.find_run(slug="salesforce-to-catalog")
    async with sim.app.run_test(size=(160, 48)) as pilot:
        await sim.advance(pilot, 3)
        await _select(sim, pilot, rid)
        row = sim.app.model.rows[rid]
        assert row.status is not None  # the status keeps working
        panel = sim.app.query_one(LogPanel)
        expected = "log not available: the run list is not available on this API (HTTP 404)"
        assert panel.view.message == expected
        assert expected in _log_status(sim)
        pipeline = pipeline_content(row, sim.clock.now()).plain
        assert pipeline.startswith("triggers from the sources list, ")
        assert row.name == "salesforce-to-catalog"
