"""The engine against the simulator (in-process, FakeClock): what the API actually sees."""

from __future__ import annotations

import random
from collections.abc import Callable

from nekt_tui.api.models import RunStatus
from nekt_tui.simulator import Faults
from nekt_tui.watch.events import AuthProblem, Event, RateLimited, Recovered, StatusChanged
from nekt_tui.watch.scheduler import Scheduler
from tests.watch.conftest import Sim, gaps

Build = Callable[..., Scheduler]


async def test_terminal_run_gets_no_further_request(sim: Sim, make_scheduler: Build) -> None:
    rid = sim.world.add_run([("queued", 10.0), ("running", 20.0)], "success")
    sched = make_scheduler(sim.client)
    sched.watch(rid)
    await sim.clock.advance(3600)
    records = sim.world.requests.for_run(rid)
    times = [r.time for r in records]
    # queued: every 5 s; running: every 2 s; seen terminal at 30 s; then silence for an hour.
    assert times == [0.0, 5.0, 10.0, 12.0, 14.0, 16.0, 18.0, 20.0, 22.0, 24.0, 26.0, 28.0, 30.0]
    assert all(r.status == 200 for r in records)
    assert sched.state(rid).status == RunStatus.SUCCESS


async def test_each_transition_reported_once(
    sim: Sim, make_scheduler: Build, events: list[Event]
) -> None:
    rid = sim.world.add_run(
        [("pending_events", 6.0), ("queued", 10.0), ("running", 30.0)], "failed"
    )
    sched = make_scheduler(sim.client)
    sched.watch(rid)
    await sim.clock.advance(120)
    changes = [(e.old, e.new) for e in events if isinstance(e, StatusChanged)]
    assert changes == [
        (None, "pending_events"),
        ("pending_events", "queued"),
        ("queued", "running"),
        ("running", "failed"),
    ]


async def test_not_found_then_no_more_requests(sim: Sim, make_scheduler: Build) -> None:
    missing = "99999999-9999-4999-8999-999999999999"
    sched = make_scheduler(sim.client)
    sched.watch(missing)
    await sim.clock.advance(600)
    assert [r.status for r in sim.world.requests.for_run(missing)] == [404]
    assert sched.state(missing).not_found


async def test_no_request_inside_any_retry_after_window(
    sim: Sim, make_scheduler: Build, events: list[Event]
) -> None:
    ids = [sim.world.add_run([("running", 300.0)], "success") for _ in range(30)]
    faults = sim.transport.faults
    faults.set(rate_limit_rate=0.02, rate_limit_seconds=12.0, retry_after_date_rate=0.5, seed=5)
    sched = make_scheduler(sim.client, jitter=0.1, rng=random.Random(1))
    for rid in ids:
        sched.watch(rid)
    await sim.clock.advance(600)
    limited = [r for r in sim.world.requests if r.status == 429]
    assert limited, "the fault injection should have produced 429s"
    assert sim.world.requests.retry_after_violations() == []
    assert any(isinstance(e, RateLimited) for e in events)
    # Despite the bursts, every run reached its true final status.
    for rid in ids:
        assert sched.state(rid).status == sim.world.true_status(rid) == RunStatus.SUCCESS


async def test_revoked_key_said_once_no_storm_and_new_key_resumes(
    sim: Sim, make_scheduler: Build, events: list[Event]
) -> None:
    ids = [sim.world.add_run([("running", 900.0)], "success") for _ in range(20)]
    sched = make_scheduler(sim.client)
    for rid in ids:
        sched.watch(rid)
    await sim.clock.advance(30)
    sim.transport.app.revoke_key()
    revoked_at = sim.clock.monotonic()
    await sim.clock.advance(600)
    after = [r for r in sim.world.requests if r.time > revoked_at]
    assert 1 <= len(after) <= sched.concurrency
    assert all(r.status == 401 for r in after)
    assert sum(isinstance(e, AuthProblem) for e in events) == 1
    sim.transport.app.api_key = "sim-key-new"
    new_client = sim.new_client("sim-key-new")
    sched.set_source(new_client)
    await sim.clock.advance(10)
    await new_client.aclose()
    assert [e.scope for e in events if isinstance(e, Recovered)][:1] == ["auth"]
    for rid in ids:
        assert sim.world.requests.for_run(rid)[-1].status == 200


async def test_pause_stops_requests_resume_restarts(sim: Sim, make_scheduler: Build) -> None:
    rid = sim.world.add_run([("running", 900.0)], "success")
    sched = make_scheduler(sim.client)
    sched.watch(rid)
    await sim.clock.advance(10)
    sched.pause(rid)
    n = sim.world.requests.count(rid)
    await sim.clock.advance(100)
    assert sim.world.requests.count(rid) == n
    sched.resume(rid)
    await sim.clock.advance(10)
    assert gaps([r.time for r in sim.world.requests.for_run(rid)][n:]) == [2.0] * 5


async def test_short_soak_with_every_fault(
    sim: Sim, make_scheduler: Build, events: list[Event]
) -> None:
    """Issue 6's soak, small: 50 runs, every fault on for 10 simulated minutes."""
    rng = random.Random(11)
    ids = []
    for _ in range(50):
        phases = [("queued", rng.uniform(0, 60)), ("running", rng.uniform(10, 500))]
        outcome = rng.choice(["success", "failed", "canceled"])
        ids.append(sim.world.add_run(phases, outcome))
    faults = Faults.chaos(seed=11)
    faults.set(retry_after_date_rate=0.5)  # half the 429s say when as an HTTP-date
    sim.transport.app.faults = faults
    sched = make_scheduler(sim.client, jitter=0.1, rng=random.Random(11))
    for rid in ids:
        sched.watch(rid)
    await sim.clock.advance(600)
    assert len({r.fault for r in sim.world.requests} - {None}) >= 5
    faults.off()
    await sim.clock.advance(300)  # back-off is at most 60 s: every run is seen again
    assert sim.world.requests.retry_after_violations() == []
    for rid in ids:
        assert sched.state(rid).status == sim.world.true_status(rid)
        assert sched.state(rid).run is not None and sched.state(rid).run.is_terminal
    # At most one request per interval (2 s) per run, whatever the faults did.
    assert max(sim.world.requests.per_run().values()) <= 900 / 2 + 1
