"""The status sweep: pages of the run list stand in for the polls of the runs they list."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from nekt_tui.api.errors import NektError, RateLimitedError, ServerError
from nekt_tui.api.models import Run, RunPage, RunStatus
from nekt_tui.clock import FakeClock
from nekt_tui.watch import sweep
from nekt_tui.watch.events import AuthProblem, Event, PollFailed, RateLimited, StatusChanged
from nekt_tui.watch.scheduler import Scheduler
from tests.watch.conftest import FakeSource, Sim, make_run

Build = Callable[..., Scheduler]


def _ids(n: int, tag: int = 0) -> list[str]:
    return [str(uuid.UUID(int=(tag << 64) + i + 1, version=4)) for i in range(n)]


def _detail_gets(sim: Sim, rid: str) -> int:
    return sum(1 for r in sim.world.requests.for_run(rid) if r.method == "GET")


def _list_requests(sim: Sim) -> list[float]:
    return [r.time for r in sim.world.requests if r.path == "/api/v1/runs/"]


async def test_one_page_stands_in_for_every_listed_run(
    sim: Sim, make_scheduler: Build, events: list[Event]
) -> None:
    """Six running runs for a minute: one list request per interval, each run fetched on
    its own once (its first poll, for the details), and every change still seen in time."""
    ends = [20.0 + 5 * i for i in range(6)]
    ids = [sim.world.add_run([("running", end)], "success", lines_per_second=0) for end in ends]
    sched = make_scheduler(sim.client)
    for rid in ids:
        sched.watch(rid)
    await sim.clock.advance(60)
    lists = _list_requests(sim)
    # A sweep every 2 s while at least `MIN_RUNS` runs are polled: until the third one ends.
    assert 8 <= len(lists) <= 16
    assert all(b - a >= 2.0 - 1e-9 for a, b in itertools.pairwise(lists))
    for rid in ids:
        done = [
            e
            for e in events
            if isinstance(e, StatusChanged) and e.run_id == rid and e.new.is_terminal
        ]
        assert len(done) == 1
        assert sched.state(rid).status == RunStatus.SUCCESS
    # Without the sweep these six runs would have cost ~120 requests.
    gets = sum(_detail_gets(sim, rid) for rid in ids)
    assert gets + len(lists) < 45
    assert sched.polls_saved > 30


async def test_status_changes_are_seen_within_an_interval(
    sim: Sim, make_scheduler: Build, events: list[Event]
) -> None:
    ends = [11.3 + 3.1 * i for i in range(8)]
    ids = [sim.world.add_run([("running", end)], "failed", lines_per_second=0) for end in ends]
    sched = make_scheduler(sim.client)
    for rid in ids:
        sched.watch(rid)
    await sim.clock.advance(60)
    for rid, end in zip(ids, ends, strict=True):
        [seen] = [
            e
            for e in events
            if isinstance(e, StatusChanged) and e.run_id == rid and e.new == "failed"
        ]
        at = (seen.at - sim.clock.now()).total_seconds() + sim.clock.monotonic()
        assert end <= at <= end + 2.0 + 1e-6
    assert sched.polls_saved > 0


async def test_without_sweep_no_list_request(sim: Sim, make_scheduler: Build) -> None:
    ids = [sim.world.add_run([("running", 100.0)], "success") for _ in range(6)]
    sched = make_scheduler(sim.client, sweep=False)
    for rid in ids:
        sched.watch(rid)
    await sim.clock.advance(20)
    assert _list_requests(sim) == []
    assert sched.polls_saved == 0


async def test_few_runs_are_not_swept(sim: Sim, make_scheduler: Build) -> None:
    ids = [sim.world.add_run([("running", 100.0)], "success") for _ in range(sweep.MIN_RUNS - 1)]
    sched = make_scheduler(sim.client)
    for rid in ids:
        sched.watch(rid)
    await sim.clock.advance(20)
    assert _list_requests(sim) == []


async def test_page_without_watched_runs_is_retried_rarely(sim: Sim, make_scheduler: Build) -> None:
    """Watched runs older than the first page: the page is not worth it, so it is asked
    for again only after `RETRY` sweeps, then twice as rarely."""
    watched = [sim.world.add_run([("running", 1e6)], "success", ago=50) for _ in range(5)]
    for _ in range(sweep.PAGE_SIZE):
        sim.world.add_run([("running", 1e6)], "success", ago=10)
    sched = make_scheduler(sim.client)
    for rid in watched:
        sched.watch(rid)
    await sim.clock.advance(200)
    lists = _list_requests(sim)
    assert len(lists) == 3
    assert [round(b - a) for a, b in itertools.pairwise(lists)] == [34, 66]
    # Each watched run is still polled on its own every interval.
    assert all(_detail_gets(sim, rid) >= 95 for rid in watched)


@dataclass
class ListingSource(FakeSource):
    """A fake source that can also list runs: `pages(page, clock time)` answers."""

    pages: Callable[[int, float], RunPage | NektError] = lambda _p, _t: RunPage()
    list_hold: float = 0.0
    list_calls: list[float] = field(default_factory=list)

    async def list_runs(self, page: int = 1, page_size: int = 50) -> RunPage:
        self.list_calls.append(self.clock.monotonic())
        if self.list_hold:
            await self.clock.sleep(self.list_hold)
        result = self.pages(page, self.clock.monotonic())
        if isinstance(result, NektError):
            raise result
        return result


def _page(runs: list[Run]) -> RunPage:
    return RunPage(count=len(runs), results=runs)


def _flat(run_id: str, status: str) -> Run:
    return Run.model_validate({"id": run_id, "status": status, "duration_seconds": 3})


async def test_listed_copy_missing_the_log_does_not_stand_in(
    clock: FakeClock, make_scheduler: Build, events: list[Event]
) -> None:
    """The list answers flat (no log) while the detail is nested: the runs are still
    polled one by one, and their log is never blanked by a listed copy."""
    ids = _ids(5)
    source = ListingSource(
        clock,
        lambda rid, _t: make_run(rid, "running", log="line 1\n"),
        pages=lambda _p, _t: _page([_flat(rid, "running") for rid in ids]),
    )
    sched = make_scheduler(source)
    for rid in ids:
        sched.watch(rid)
    await clock.advance(20)
    assert source.list_calls  # it looked
    assert sched.polls_saved == 0
    assert all(len(source.times(rid)) >= 10 for rid in ids)
    assert all(sched.state(rid).run.parsed_log == "line 1\n" for rid in ids)  # type: ignore[union-attr]


async def test_listed_copy_as_complete_stands_in(clock: FakeClock, make_scheduler: Build) -> None:
    ids = _ids(5)
    source = ListingSource(
        clock,
        lambda rid, _t: make_run(rid, "running", log="a\n"),
        pages=lambda _p, _t: _page([make_run(rid, "running", log="a\nb\n") for rid in ids]),
    )
    sched = make_scheduler(source)
    for rid in ids:
        sched.watch(rid)
    await clock.advance(20)
    assert all(len(source.times(rid)) == 1 for rid in ids)
    assert all(sched.state(rid).run.parsed_log == "a\nb\n" for rid in ids)  # type: ignore[union-attr]
    assert len(source.list_calls) == 10


async def test_page_older_than_an_answer_never_takes_a_run_back(
    clock: FakeClock, make_scheduler: Build, events: list[Event]
) -> None:
    """A slow page says "running" for a run whose own poll, answered meanwhile, said
    "success": the run stays finished and no change back is reported."""
    ids = _ids(5)
    source = ListingSource(
        clock,
        lambda rid, t: make_run(rid, "success" if rid == ids[0] and t >= 2.5 else "running"),
        pages=lambda _p, _t: _page([make_run(rid, "running") for rid in ids]),
        list_hold=3.0,  # sent at 0 s, answered at 3 s
    )
    sched = make_scheduler(source)
    for rid in ids:
        sched.watch(rid)
    await clock.advance(10)
    assert sched.state(ids[0]).status == RunStatus.SUCCESS
    news = [(e.old, e.new) for e in events if isinstance(e, StatusChanged) and e.run_id == ids[0]]
    assert news == [(None, "running"), ("running", "success")]


async def test_paused_run_is_not_taken_from_the_list(
    clock: FakeClock, make_scheduler: Build, events: list[Event]
) -> None:
    ids = _ids(5)
    status = {"now": "running"}
    source = ListingSource(
        clock,
        lambda rid, _t: make_run(rid, "running"),
        pages=lambda _p, _t: _page([make_run(rid, status["now"]) for rid in ids]),
    )
    sched = make_scheduler(source)
    for rid in ids:
        sched.watch(rid)
    await clock.advance(3)
    sched.pause(ids[0])
    status["now"] = "failed"
    await clock.advance(10)
    assert sched.state(ids[0]).status == RunStatus.RUNNING  # paused: nothing new taken
    assert all(sched.state(rid).status == RunStatus.FAILED for rid in ids[1:])


async def test_failing_sweep_backs_off_and_polling_goes_on(
    clock: FakeClock, make_scheduler: Build, events: list[Event]
) -> None:
    ids = _ids(5)
    source = ListingSource(
        clock,
        lambda rid, _t: make_run(rid, "running"),
        pages=lambda _p, _t: ServerError(502),
    )
    sched = make_scheduler(source)
    for rid in ids:
        sched.watch(rid)
    await clock.advance(60)
    # Once every run has its first answer (2 s), then 4, 8 and 16 s after each failure.
    assert source.list_calls == [2.0, 6.0, 14.0, 30.0]
    assert not [e for e in events if isinstance(e, PollFailed)]  # nothing for the user
    assert all(len(source.times(rid)) == 31 for rid in ids)


async def test_sweep_answered_429_holds_every_request(
    clock: FakeClock, make_scheduler: Build, events: list[Event]
) -> None:
    ids = _ids(5)

    def pages(_p: int, t: float) -> RunPage | NektError:
        if t < 3:
            return RateLimitedError(retry_after=10.0)
        return _page([make_run(rid, "running") for rid in ids])

    source = ListingSource(clock, lambda rid, _t: make_run(rid, "running"), pages=pages)
    sched = make_scheduler(source)
    for rid in ids:
        sched.watch(rid)
    await clock.advance(2)  # the first sweep, once every run has its first answer
    assert source.list_calls == [2.0]
    [limited] = [e for e in events if isinstance(e, RateLimited)]
    assert limited is not None
    before = len(source.calls)
    await clock.advance(9.9)
    assert len(source.calls) == before  # nothing sent inside the window
    await clock.advance(30)
    assert sched.rate_limited_until is None
    assert len(source.calls) > before


async def test_sweep_refused_key_stops_everything_once(
    sim: Sim, make_scheduler: Build, events: list[Event]
) -> None:
    ids = [sim.world.add_run([("running", 900.0)], "success") for _ in range(6)]
    sched = make_scheduler(sim.client)
    for rid in ids:
        sched.watch(rid)
    await sim.clock.advance(1)  # every run has its first answer; the first sweep is next
    sim.transport.app.revoke_key()
    await sim.clock.advance(300)
    after = [r for r in sim.world.requests if r.time > 1]
    assert [(r.path, r.status) for r in after] == [("/api/v1/runs/", 401)]
    assert sum(isinstance(e, AuthProblem) for e in events) == 1
