"""The bandwidth budget against the in-process simulator, on a FakeClock (issue 18.1):
bytes per virtual second, small runs on time, `r` at once, a large run's change seen."""

from __future__ import annotations

from collections.abc import Callable

from nekt_tui.api.enums import RunStatus
from nekt_tui.simulator.demo import add_big_log_run
from nekt_tui.watch.events import Event, RunUpdated, StatusChanged
from nekt_tui.watch.scheduler import Scheduler
from tests.watch.conftest import Sim

Build = Callable[..., Scheduler]

#: Bytes per second: a 2 MB answer may then be fetched about every 20 s.
BUDGET = 100_000


def big_and_small(sim: Sim, *, small: int = 5, big_ends: float = 3600.0) -> tuple[str, list[str]]:
    """One running run with a 2 MB (uncompressed) answer beside `small` small ones."""
    sim.transport.app.gzip.enabled = False  # the budget itself, not gzip, is tested here
    big = add_big_log_run(sim.world, 2.0, lines_per_second=2.0, running_for=big_ends)
    smalls = [
        sim.world.add_run([("running", 3600.0)], "success", lines_per_second=0.05)
        for _ in range(small)
    ]
    return big, smalls


def changed_to(events: list[Event], rid: str, status: RunStatus) -> float | None:
    """When (clock seconds from 0) `rid` was seen to reach `status`."""
    for event in events:
        if isinstance(event, StatusChanged) and event.run_id == rid and event.new == status:
            return event.at.timestamp() - START
    return None


START = 0.0


async def test_bytes_per_second_stay_within_the_budget(
    sim: Sim, make_scheduler: Build, events: list[Event]
) -> None:
    big, smalls = big_and_small(sim)
    sched = make_scheduler(sim.client, max_bandwidth=BUDGET, jitter=0.1)
    for rid in [big, *smalls]:
        sched.watch(rid)
    await sim.clock.advance(600)
    rate = sim.client.received_bytes / 600
    assert rate <= 1.1 * BUDGET
    # Paced, not starved: its news came about every 20 s (its own polls, and pages of the
    # run list that carry it: both paid from the budget).
    news = [e for e in events if isinstance(e, RunUpdated) and e.run_id == big]
    assert len(news) >= 20
    pacing = sched.pacing(big)
    assert pacing is not None and pacing.size > 1_900_000 and 15 < pacing.every < 60
    for rid in smalls:  # the small runs keep their 2 s
        assert sched.pacing(rid) is None
        assert len(sim.world.requests.for_run(rid)) >= 600 / 2.2


async def test_without_a_budget_the_large_run_costs_its_size_every_interval(
    sim: Sim, make_scheduler: Build
) -> None:
    big, smalls = big_and_small(sim)
    sched = make_scheduler(sim.client)
    for rid in [big, *smalls]:
        sched.watch(rid)
    await sim.clock.advance(120)
    assert sim.client.received_bytes / 120 > 5 * BUDGET  # what the budget is for
    assert sched.pacing(big) is None


async def test_a_small_run_reaches_success_on_time(
    sim: Sim, make_scheduler: Build, events: list[Event]
) -> None:
    global START
    START = sim.clock.now().timestamp()
    big, _ = big_and_small(sim, small=0)
    quick = sim.world.add_run([("running", 31.0)], "success", lines_per_second=0.05)
    sched = make_scheduler(sim.client, max_bandwidth=BUDGET)
    sched.watch(big)
    sched.watch(quick)
    await sim.clock.advance(120)
    seen = changed_to(events, quick, RunStatus.SUCCESS)
    assert seen is not None and seen <= 31.0 + sched.interval + 1.0


async def test_refresh_fetches_a_paced_run_at_once(sim: Sim, make_scheduler: Build) -> None:
    big, smalls = big_and_small(sim)
    sched = make_scheduler(sim.client, max_bandwidth=BUDGET)
    for rid in [big, *smalls]:
        sched.watch(rid)
    await sim.clock.advance(30)
    assert sched.pacing(big) is not None
    before = len(sim.world.requests.for_run(big))
    await sim.clock.advance(1.0)
    assert len(sim.world.requests.for_run(big)) == before  # paced: not yet
    sched.refresh(big)
    await sim.clock.advance(0)
    records = sim.world.requests.for_run(big)
    assert len(records) == before + 1 and records[-1].time == sim.clock.monotonic()


async def test_a_change_of_the_large_run_is_seen_within_its_paced_interval(
    sim: Sim, make_scheduler: Build, events: list[Event]
) -> None:
    global START
    START = sim.clock.now().timestamp()
    big, smalls = big_and_small(sim, big_ends=200.0)
    ends = sim.world.transitions(big)[-1][0] - sim.world.elapsed()
    sched = make_scheduler(sim.client, max_bandwidth=BUDGET, jitter=0.1)
    for rid in [big, *smalls]:
        sched.watch(rid)
    await sim.clock.advance(ends - 1)
    pacing = sched.pacing(big)
    assert pacing is not None and pacing.every > 10
    await sim.clock.advance(120)
    seen = changed_to(events, big, RunStatus.SUCCESS)
    assert seen is not None
    assert ends < seen <= ends + pacing.every + 1.0


async def test_a_finished_large_run_takes_no_share(sim: Sim, make_scheduler: Build) -> None:
    sim.transport.app.gzip.enabled = False
    done = sim.world.add_run([("running", 500.0)], "success", ago=600.0, lines_per_second=20.0)
    big = add_big_log_run(sim.world, 2.0, lines_per_second=2.0)
    sched = make_scheduler(sim.client, max_bandwidth=BUDGET)
    sched.watch(done)
    sched.watch(big)
    await sim.clock.advance(60)
    assert (sim.client.last_size(done) or 0) > 500_000  # large, but never polled again
    pacing = sched.pacing(big)
    # The whole budget is the running run's: about 2 MB / 100 KB/s, not half of it.
    assert pacing is not None and 15 < pacing.every < 25
