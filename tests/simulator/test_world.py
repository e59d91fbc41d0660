"""The world: deterministic, moving on the clock through the documented lifecycle."""

from __future__ import annotations

import json
import math
from collections import Counter
from datetime import datetime

import pytest

from nekt_tui.api.models import RunStatus
from nekt_tui.clock import FakeClock
from nekt_tui.simulator import World
from nekt_tui.simulator.lifecycle import Timeline

S = RunStatus


def all_json(world: World) -> list[dict[str, object] | None]:
    return [world.run_json(rid) for rid in world.run_ids]


async def test_same_seed_same_world_and_json_over_time() -> None:
    a_clock, b_clock = FakeClock(), FakeClock()
    a = World(seed=7, clock=a_clock, shape="mixed", n_runs=40)
    b = World(seed=7, clock=b_clock, shape="mixed", n_runs=40)
    assert a.run_ids == b.run_ids
    assert all_json(a) == all_json(b)
    for step in (3, 60, 600):
        await a_clock.advance(step)
        await b_clock.advance(step)
        assert all_json(a) == all_json(b)
    rid = a.add_run(pipeline="customer-360")
    assert rid == b.add_run(pipeline="customer-360")
    assert a.run_json(rid) == b.run_json(rid)


def test_different_seeds_differ(fake_clock: FakeClock) -> None:
    a = World(seed=1, clock=fake_clock)
    b = World(seed=2, clock=fake_clock)
    assert set(a.run_ids).isdisjoint(b.run_ids)
    assert all_json(a) != all_json(b)


async def test_scripted_run_moves_through_its_timeline(fake_clock: FakeClock) -> None:
    world = World(clock=fake_clock, n_runs=0)
    rid = world.add_run([("pending_events", 5), ("queued", 10), ("running", 30)], "failed")
    seen = []
    for _ in range(50):
        seen.append(world.true_status(rid))
        await fake_clock.advance(1)
    assert seen[0] is S.PENDING_EVENTS
    assert seen.index(S.QUEUED) == 5
    assert seen.index(S.RUNNING) == 15
    assert seen.index(S.FAILED) == 45
    assert world.run_json(rid)["status"] == "failed"  # type: ignore[index]
    assert world.outcome(rid) is S.FAILED


async def test_timestamps_follow_the_timeline(fake_clock: FakeClock) -> None:
    world = World(clock=fake_clock, n_runs=0)
    rid = world.add_run([("queued", 10), ("running", 30)], "success", ago=2)
    data = world.run_json(rid)
    assert data is not None
    assert data["created_at"] == "2026-01-15T11:59:58Z"
    assert data["updated_at"] == "2026-01-15T11:59:58Z"
    assert data["started_at"] is None and data["ended_at"] is None
    await fake_clock.advance(8)
    data = world.run_json(rid)
    assert data is not None
    assert (data["status"], data["started_at"], data["updated_at"]) == (
        "running",
        "2026-01-15T12:00:08Z",
        "2026-01-15T12:00:08Z",
    )
    await fake_clock.advance(100)
    data = world.run_json(rid)
    assert data is not None
    assert data["ended_at"] == data["updated_at"] == "2026-01-15T12:00:38Z"


async def test_speed_scales_world_time(fake_clock: FakeClock) -> None:
    world = World(clock=fake_clock, n_runs=0, speed=60)
    rid = world.add_run([("queued", 60), ("running", 600)], "success")
    await fake_clock.advance(1.5)
    assert world.true_status(rid) is S.RUNNING
    times = [t for t, _ in world.transitions(rid)]
    assert times == pytest.approx([0.0, 1.0, 11.0])
    world.speed = 1  # changing speed does not jump
    assert world.elapsed() == pytest.approx(90)
    await fake_clock.advance(1)
    assert world.elapsed() == pytest.approx(91)


async def test_cancel_goes_through_cancelling_to_canceled(fake_clock: FakeClock) -> None:
    world = World(clock=fake_clock, n_runs=0)
    rid = world.add_run([("queued", 2), ("running", 100)], "success", cancelling_seconds=4)
    await fake_clock.advance(10)
    assert world.cancel(rid) is True
    assert world.true_status(rid) is S.CANCELLING
    assert world.outcome(rid) is S.CANCELED
    assert world.cancel(rid) is True  # again while cancelling: accepted, nothing changes
    await fake_clock.advance(3.9)
    assert world.true_status(rid) is S.CANCELLING
    await fake_clock.advance(0.2)
    assert world.true_status(rid) is S.CANCELED
    assert world.cancel(rid) is False  # terminal
    with pytest.raises(KeyError):
        world.cancel("00000000-0000-4000-8000-000000000000")


def test_cancel_before_the_run_starts(fake_clock: FakeClock) -> None:
    world = World(clock=fake_clock, n_runs=0)
    rid = world.add_run([("queued", 60), ("running", 60)], "success")
    world.cancel(rid)
    data = world.run_json(rid)
    assert data is not None and data["status"] == "cancelling"
    assert data["started_at"] is None


def test_scripted_cancel_and_canceled_outcome() -> None:
    tl = Timeline(
        0, [("queued", 5), ("running", 20)], "success", cancel_at=10, cancelling_seconds=3
    )
    assert [s for _, s in tl.transitions] == [S.QUEUED, S.RUNNING, S.CANCELLING, S.CANCELED]
    assert tl.transitions[-1][0] == 13
    tl = Timeline(0, [("running", 20)], "canceled")
    assert [s for _, s in tl.transitions] == [S.RUNNING, S.CANCELLING, S.CANCELED]
    forever = Timeline(0, [("running", math.inf)], "success")
    assert forever.ended_at is None and forever.status_at(1e9) is S.RUNNING


@pytest.mark.parametrize(
    ("phases", "outcome"),
    [
        ([("running", 5), ("queued", 5)], "success"),
        ([("queued", 5), ("queued", 5)], "success"),
        ([("cancelling", 5)], "success"),
        ([("queued", -1)], "success"),
        ([("queued", 5)], "running"),
        ([("queued", 5)], "paused"),
        ([("queued", math.inf), ("running", 5)], "success"),
    ],
)
def test_bad_scripts_are_refused(phases: list[tuple[str, float]], outcome: str) -> None:
    with pytest.raises(ValueError):
        Timeline(0, phases, outcome)


def test_add_run_options_are_checked(sim_world: World) -> None:
    with pytest.raises(ValueError, match="shape"):
        sim_world.add_run(shape="sideways")
    with pytest.raises(ValueError, match="trigger_type"):
        sim_world.add_run(trigger_type="webhook")
    with pytest.raises(KeyError):
        sim_world.add_run(pipeline="no-such-pipeline")
    rid = sim_world.add_run(run_id="3C90C3CC-0D44-4B50-8888-8DD25736052A")
    assert rid == "3c90c3cc-0d44-4b50-8888-8dd25736052a"
    with pytest.raises(ValueError, match="already exists"):
        sim_world.add_run(run_id=rid)
    with pytest.raises(ValueError):
        World(shape="weird")
    with pytest.raises(ValueError):
        World(speed=0)


def test_unknown_run_is_none(sim_world: World) -> None:
    assert sim_world.run_json("00000000-0000-4000-8000-000000000000") is None
    assert sim_world.run_body("nope") is None


async def test_demo_world_shows_everything_at_start_and_moves(fake_clock: FakeClock) -> None:
    world = World.demo(fake_clock, detail=None)  # the demo as it was: one run flat
    assert 8 <= len(world.run_ids) <= 14
    infos = [world.describe(rid) for rid in world.run_ids]
    assert {i.status for i in infos} == set(RunStatus)
    assert {i.trigger_type for i in infos} == {"manual", "cron", "event", "api"}
    assert {i.pipeline_type for i in infos} == {"extractor", "transformation", "destination"}
    assert [i.shape for i in infos].count("flat") == 1
    failed = [i for i in infos if i.outcome is S.FAILED]
    assert failed and all("Traceback (most recent call last):" in _log(world, i.id) for i in
                          failed if i.status is S.FAILED)  # fmt: skip
    assert max(len(_log(world, i.id).splitlines()) for i in infos) > 5000
    before = {i.id: i.status for i in infos}
    await fake_clock.advance(60)
    changed = [rid for rid in world.run_ids if world.true_status(rid) is not before[rid]]
    assert len(changed) >= 4
    long_run = world.find_run(slug="hubspot-to-catalog")
    lines_then = len(_log(world, long_run).splitlines())
    await fake_clock.advance(600)
    assert world.true_status(long_run) is S.RUNNING
    assert len(_log(world, long_run).splitlines()) > lines_then + 500


def _log(world: World, rid: str) -> str:
    data = world.run_json(rid, "nested")
    assert data is not None
    return str(data["log"]["parsed_log"])


def test_generated_world_has_realistic_lifecycles(fake_clock: FakeClock) -> None:
    world = World(seed=3, clock=fake_clock, n_runs=500)
    infos = [world.describe(rid) for rid in world.run_ids]
    outcomes = Counter(i.outcome for i in infos)
    assert outcomes[S.SUCCESS] > outcomes[S.FAILED] > outcomes[S.CANCELED] > 0
    now = Counter(i.status for i in infos)
    assert now[S.RUNNING] > 50 and now[S.QUEUED] > 10 and now[S.SUCCESS] > 50
    ends = sorted(i.ends_in for i in infos if i.ends_in)
    assert ends[len(ends) // 2] < 1800  # most finish early
    assert ends[-1] > 3600  # a few run for hours
    assert {i.slug for i in infos} >= {"hubspot-to-catalog", "customer-360", "catalog-to-hubspot"}


async def test_run_body_cache_matches_fresh_json(fake_clock: FakeClock) -> None:
    world = World(seed=5, clock=fake_clock, shape="mixed", n_runs=30)
    for step in (0, 0.5, 7, 120, 900):
        await fake_clock.advance(step)
        for rid in world.run_ids:
            body = world.run_body(rid)
            assert body is not None
            assert json.loads(body) == world.run_json(rid)


def test_set_shape(sim_world: World) -> None:
    rid = sim_world.run_ids[0]
    sim_world.set_shape(rid, "flat")
    assert "pipeline" not in (sim_world.run_json(rid) or {})
    sim_world.set_shape(rid, "nested")
    assert "pipeline" in (sim_world.run_json(rid) or {})
    assert "number" in (sim_world.run_json(rid, "flat") or {})


async def test_a_run_can_appear_later(fake_clock: FakeClock) -> None:
    world = World(clock=fake_clock, n_runs=0)
    first = world.add_run([("running", 10)], "success", pipeline="stripe-to-catalog", ago=100)
    later = world.add_run(
        [("queued", 5), ("running", 10)], "success", pipeline="stripe-to-catalog", ago=-30
    )
    assert not world.exists(later) and world.run_json(later) is None
    assert world.run_body(later) is None
    assert [r.id for r in world.newest_first()] == [later, first]
    before = world.run_json(first)
    assert before is not None and before["pipeline"]["latest_run_status"] == "success"
    await fake_clock.advance(30)
    assert world.exists(later)
    after = world.run_json(first)
    assert after is not None and after["pipeline"]["latest_run_status"] == "queued"
    assert after["pipeline"]["latest_run_started"] is None
    assert after["pipeline"]["current_status"] == "queued"


async def test_a_sped_up_world_never_dates_a_run_in_the_viewers_future(
    fake_clock: FakeClock,
) -> None:
    world = World(clock=fake_clock, n_runs=0, speed=60)
    rid = world.add_run([("queued", 60), ("running", 600)], "success")
    await fake_clock.advance(12)  # 12 clock seconds: 12 world minutes, the run is over
    data = world.run_json(rid)
    assert data is not None and data["status"] == "success"
    now = fake_clock.now()
    times = {
        k: datetime.fromisoformat(data[k].replace("Z", "+00:00"))
        for k in ("started_at", "ended_at")
    }
    assert all(t <= now for t in times.values())
    # What took 10 world minutes took 10 seconds for whoever watches it.
    assert (times["ended_at"] - times["started_at"]).total_seconds() == pytest.approx(10, abs=1)
    stamps = [line[:20] for line in data["log"]["parsed_log"].splitlines() if line[:4].isdigit()]
    assert stamps and max(stamps) <= now.strftime("%Y-%m-%dT%H:%M:%SZ")
