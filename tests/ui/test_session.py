"""The watch session's commands as plain unit tests: no app, no Pilot, a FakeClock.

The session runs against the in-process simulator through the real client, so what a
command does to the engine is seen in the requests the simulator receives.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from nekt_tui.api.client import NektClient
from nekt_tui.api.enums import RunStatus
from nekt_tui.clock import FakeClock
from nekt_tui.simulator import DEMO_KEY, World, app_transport
from nekt_tui.ui.state.connection import ConnKind
from nekt_tui.ui.state.ports import NullScheduler, PollSettings, RecordingView
from nekt_tui.ui.state.session import WatchSession
from nekt_tui.ui.state.store import RunStore, StoredRun, status_save_every
from nekt_tui.watch.entry import WatchEntry
from nekt_tui.watch.watchlist import WatchList

from .conftest import RUN_A, RUN_B

RUN_C = "44444444-5555-4666-8777-888888888888"


class Rig:
    """A session on a simulator world of two runs: A running, B finished."""

    def __init__(self, *, key: bool = True) -> None:
        self.clock = FakeClock()
        self.world = World(seed=1, clock=self.clock, n_runs=0)
        self.world.add_run(
            (("running", 600.0),), "success", pipeline="salesforce-to-catalog", run_id=RUN_A
        )
        self.world.add_run(
            (("running", 10.0),), "success", pipeline="hubspot-to-catalog", run_id=RUN_B, ago=100
        )
        self.clients: list[NektClient] = []
        store = RunStore.in_memory([StoredRun(RUN_A, None, None), StoredRun(RUN_B, None, None)])
        self.session = WatchSession(
            clock=self.clock,
            store=store,
            source=self.client() if key else None,
            make_source=lambda _key: self.client(),
            problem=None if key else "No API key: press K",
            settings=PollSettings(run_list=False),  # one request per run: countable
        )
        self.view = self.session.view
        assert isinstance(self.view, RecordingView)

    def client(self) -> NektClient:
        client = NektClient(
            DEMO_KEY,
            "http://127.0.0.1:8765",
            transport=app_transport(self.world, DEMO_KEY),
            sleep=self.clock.sleep,
            now=self.clock.now,
        )
        self.clients.append(client)
        return client

    def said(self) -> list[str]:
        assert isinstance(self.view, RecordingView)
        return [s.text for s in self.view.said]

    def gets(self, run_id: str) -> int:
        return sum(1 for r in self.world.requests if r.method == "GET" and r.run_id == run_id)

    async def settle(self, seconds: float = 1) -> None:
        await self.clock.advance(seconds)
        scheduler = self.session.scheduler
        if not isinstance(scheduler, NullScheduler):
            await scheduler.idle()

    async def close(self) -> None:
        await self.session.close()
        for client in self.clients:
            await client.aclose()


@pytest.fixture
async def rig() -> AsyncIterator[Rig]:
    rig = Rig()
    rig.session.load()
    rig.session.start_polling()
    await rig.settle()
    yield rig
    await rig.close()


async def test_polling_fills_the_model_from_the_engine(rig: Rig) -> None:
    assert rig.session.model.rows[RUN_A].status is RunStatus.RUNNING
    assert rig.session.model.rows[RUN_B].status is RunStatus.SUCCESS
    assert rig.session.conn.kind is ConnKind.LIVE


async def test_add_watches_and_saves_new_runs_only(rig: Rig) -> None:
    assert rig.session.add([RUN_A, RUN_C]) == [RUN_C]
    assert RUN_C in rig.session.model and RUN_C in rig.session.scheduler
    assert [e.run_id for e in rig.session.store.entries()][-1] == RUN_C
    assert rig.said()[-1] == "Watching 1 more run"
    assert rig.session.add([RUN_A]) == []


async def test_remove_then_undo_brings_the_run_back_in_its_place(rig: Rig) -> None:
    removed = rig.session.remove(RUN_A)
    assert [row.run_id for row in removed] == [RUN_A]
    assert RUN_A not in rig.session.model and RUN_A not in rig.session.scheduler
    assert rig.said()[-1].startswith("Removed ") and rig.said()[-1].endswith("(u undoes)")
    row = rig.session.undo()
    assert row is not None and row.run_id == RUN_A
    assert [e.run_id for e in rig.session.store.entries()] == [RUN_A, RUN_B]
    assert RUN_A in rig.session.scheduler
    assert rig.session.undo() is None
    assert rig.said()[-1] == "Nothing to undo"


async def test_bulk_remove_is_undone_by_one_undo_in_place(rig: Rig) -> None:
    rows = rig.session.remove(RUN_A, RUN_B, RUN_C)  # C is not watched: skipped
    assert [row.run_id for row in rows] == [RUN_A, RUN_B]
    assert len(rig.session.model) == 0
    assert rig.said()[-1] == "Removed 2 runs (u undoes)"
    row = rig.session.undo()
    assert row is not None and row.run_id == RUN_A  # the first of them, to select
    assert list(rig.session.model.rows) == [RUN_A, RUN_B]
    assert [e.run_id for e in rig.session.store.entries()] == [RUN_A, RUN_B]
    assert RUN_A in rig.session.scheduler and RUN_B in rig.session.scheduler
    assert rig.said()[-1] == "Restored 2 runs"
    assert rig.session.undo() is None


async def test_label_sets_saves_and_clears(rig: Rig) -> None:
    row = rig.session.label(RUN_A, "  nightly  ")
    assert row is not None and row.label == "nightly"
    assert rig.said()[-1].startswith("Labelled ")
    assert rig.session.label(RUN_A, "nightly") is None  # unchanged: nothing said
    assert rig.session.label(RUN_A, None) is None  # the dialog was cancelled
    row = rig.session.label(RUN_A, "")
    assert row is not None and row.label is None
    assert rig.said()[-1].startswith("Label cleared: ")


async def test_pause_stops_polling_one_run_and_resume_restarts_it(rig: Rig) -> None:
    row = rig.session.toggle_pause(RUN_A)
    assert row is not None and row.paused
    before = rig.gets(RUN_A)
    await rig.settle(30)
    assert rig.gets(RUN_A) == before
    rig.session.toggle_pause(RUN_A)
    await rig.settle(30)
    assert rig.gets(RUN_A) > before


async def test_pause_all_stops_every_poll(rig: Rig) -> None:
    assert rig.session.toggle_pause_all() is True
    assert rig.said()[-1] == "All polling paused (P resumes)"
    before = len(rig.world.requests)
    await rig.settle(30)
    assert len(rig.world.requests) == before
    assert rig.session.toggle_pause_all() is False
    assert rig.said()[-1] == "Polling resumed"


async def test_refresh_polls_a_finished_run_now(rig: Rig) -> None:
    before = rig.gets(RUN_B)
    rig.session.refresh(RUN_B)
    await rig.settle(0)
    assert rig.gets(RUN_B) == before + 1
    rig.session.refresh_all()
    assert rig.said()[-1] == "Refreshing 2 runs"


async def test_cancel_is_sent_once_and_the_run_is_polled_after(rig: Rig) -> None:
    request = rig.session.cancel(RUN_A)
    assert request is not None
    assert rig.session.cancel(RUN_A) is None  # a second one is never sent
    assert rig.said()[-1].endswith("is already on its way")
    await request
    assert rig.said()[-1].startswith("Cancel requested: ")
    await rig.settle(0)
    assert rig.session.model.rows[RUN_A].status is RunStatus.CANCELLING
    assert rig.session.cancel(RUN_B) is None  # finished
    assert "has already finished" in rig.said()[-1]


async def test_without_a_key_commands_say_so_and_a_key_starts_polling() -> None:
    rig = Rig(key=False)
    session = rig.session
    session.load()
    assert session.start_polling() is None
    assert isinstance(session.scheduler, NullScheduler)
    session.refresh(RUN_A)
    assert rig.said()[-1] == "Not polling: No API key: press K"
    assert session.cancel(RUN_A) is None
    assert rig.said()[-1] == "Cancelling needs an API key: press K to enter one"
    assert len(rig.world.requests) == 0
    assert session.set_key("a key") is True
    await rig.settle()
    assert session.polling_live
    assert session.model.rows[RUN_B].status is RunStatus.SUCCESS
    await rig.close()


async def test_a_run_paused_before_the_key_stays_paused_once_polling_starts() -> None:
    rig = Rig(key=False)
    session = rig.session
    session.load()
    session.start_polling()
    session.toggle_pause(RUN_A)  # works on the list alone
    assert session.model.rows[RUN_A].paused
    session.set_key("a key")
    await rig.settle(30)
    assert rig.gets(RUN_A) == 0
    assert session.model.rows[RUN_B].status is RunStatus.SUCCESS
    await rig.close()


# ---- marks and bulk removal ---------------------------------------------------------


async def test_remove_marked_removes_the_marked_runs_else_the_cursor_run(rig: Rig) -> None:
    model = rig.session.model
    assert rig.session.remove_marked(RUN_A)[0].run_id == RUN_A  # no marks: the cursor run
    rig.session.undo()
    assert model.toggle_mark(RUN_B) is True
    assert model.toggle_mark(RUN_C) is False  # not watched: not marked
    rows = rig.session.remove_marked(RUN_A)  # marks win over the cursor
    assert [row.run_id for row in rows] == [RUN_B]
    assert list(model.rows) == [RUN_A]
    assert model.marks == set()  # a removed run's mark goes with it
    rig.session.undo()
    assert list(model.rows) == [RUN_A, RUN_B] and model.marks == set()
    assert rig.session.remove_marked(None) == []


async def test_marks_are_per_run_through_filters_and_sorts(rig: Rig) -> None:
    model = rig.session.model
    model.toggle_mark(RUN_A)
    assert model.set_filter("hubspot") is None
    model.cycle_sort()
    model.rebuild_view()
    assert model.view == [RUN_B] and model.marked() == [RUN_A]
    assert [row.run_id for row in rig.session.remove_marked(RUN_B)] == [RUN_A]  # hidden too
    assert model.toggle_mark(RUN_B) is True and model.toggle_mark(RUN_B) is False


async def test_remove_finished_removes_every_ended_run_with_one_undo(rig: Rig) -> None:
    rows = rig.session.remove_finished()
    assert [row.run_id for row in rows] == [RUN_B]  # A is still running
    assert rig.said()[-1] == "Removed hubspot-to-catalog " + RUN_B[:8] + " (u undoes)"
    assert rig.session.remove_finished() == []
    assert rig.said()[-1] == "No finished runs to remove"
    rig.session.undo()
    assert list(rig.session.model.rows) == [RUN_A, RUN_B]


async def test_undo_skips_a_run_watched_again_since(rig: Rig) -> None:
    rig.session.remove(RUN_A, RUN_B)
    rig.session.add([RUN_B])
    row = rig.session.undo()
    assert row is not None and row.run_id == RUN_A
    assert sorted(e.run_id for e in rig.session.store.entries()) == sorted([RUN_A, RUN_B])
    assert rig.said()[-1].startswith("Restored ")


async def test_a_big_list_saves_statuses_every_few_seconds_and_loses_none_on_close(
    tmp_path: Path,
) -> None:
    """A status change is written within `status_save_every` (a second for a short list,
    ten for 10,000 runs: each save rewrites the whole file), and closing writes the rest."""
    clock = FakeClock()
    ids = [f"{i:08x}-5555-4666-8777-888888888888" for i in range(3000)]
    path = tmp_path / "watchlist.json"
    WatchList(path, [WatchEntry(rid) for rid in ids]).save()
    store = RunStore(WatchList.load(path))

    def on_disk() -> dict[str, str | None]:
        return {e.run_id: e.last_status for e in WatchList.load(path)}

    session = WatchSession(clock=clock, store=store, problem="No API key: press K")
    session.load()
    assert status_save_every(len(ids)) == 3.0 and status_save_every(20) == 1.0
    assert status_save_every(10_000) == 10.0 and status_save_every(10**6) == 30.0

    def change(i: int, status: RunStatus) -> None:
        session.keep_statuses({ids[i]: (status, clock.now())})
        session.save_if_due()  # what the app's tick does every second

    change(0, RunStatus.RUNNING)
    assert store.saves == 1
    for second in range(1, 3):
        await clock.advance(1)
        change(second, RunStatus.RUNNING)
        assert store.saves == 1, f"saved again {second} s later"
    await clock.advance(1)
    change(3, RunStatus.FAILED)
    assert store.saves == 2
    assert [on_disk()[rid] for rid in ids[:5]] == ["running"] * 3 + ["failed", None]

    await clock.advance(1)
    change(4, RunStatus.SUCCESS)
    assert store.saves == 2
    assert on_disk()[ids[4]] is None
    await session.close()
    assert store.saves == 3
    assert on_disk()[ids[4]] == "success"
