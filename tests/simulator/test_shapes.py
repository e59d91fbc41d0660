"""Both documented shapes: the seed's nested keys, the flat page's keys, and they parse."""

from __future__ import annotations

import zoneinfo
from typing import Any

import pytest
from croniter import croniter

from nekt_tui.api.models import ApiToken, Run, RunStatus, User
from nekt_tui.clock import FakeClock
from nekt_tui.simulator import World
from nekt_tui.simulator.catalog import FAKE_TOKEN_PREFIX

FLAT_KEYS = {
    "id", "number", "created_at", "updated_at", "started_at", "ended_at", "status",
    "duration_seconds", "full_sync", "extra_config", "credit_charge_status", "el_cost_usd",
    "el_cost_metadata", "transformation_cost_usd", "transformation_cost_metadata",
    "use_custom_logs", "trigger_type", "trigger", "triggered_by", "triggered_by_token",
    "source", "destination", "transformation",
}  # fmt: skip


def keys_of(obj: Any) -> Any:
    """The key structure of a JSON value (a list by its first item, if it holds objects)."""
    if isinstance(obj, dict):
        return {k: keys_of(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [keys_of(obj[0])] if obj and isinstance(obj[0], dict) else []
    return None


def test_nested_shape_has_exactly_the_seed_keys(
    fake_clock: FakeClock, seed_run_json: dict[str, Any]
) -> None:
    world = World(clock=fake_clock, n_runs=0)
    manual = world.add_run(trigger_type="manual", pipeline="hubspot-to-catalog")
    api = world.add_run(trigger_type="api", pipeline="hubspot-to-catalog")
    seed = keys_of(seed_run_json)
    for rid in (manual, api):
        data = world.run_json(rid)
        assert data is not None
        got = keys_of(data)
        for part in ("triggered_by", "triggered_by_token"):
            # A run has a user or a token, the other is null.
            if data[part] is None:
                got[part] = seed[part]
        assert got == seed


def test_flat_shape_has_the_flat_keys(fake_clock: FakeClock) -> None:
    world = World(clock=fake_clock, shape="flat")
    for rid in world.run_ids:
        data = world.run_json(rid)
        assert data is not None
        assert set(data) == FLAT_KEYS
        assert isinstance(data["triggered_by"], int | None)
        assert isinstance(data["triggered_by_token"], str | None)


@pytest.mark.parametrize("shape", ["nested", "flat", "mixed"])
async def test_every_run_parses_at_every_stage(fake_clock: FakeClock, shape: str) -> None:
    world = World(seed=11, clock=fake_clock, shape=shape, n_runs=60)
    shapes_seen = set()
    for step in (0, 30, 300, 3000, 30000):
        await fake_clock.advance(step)
        for rid in world.run_ids:
            run = Run.model_validate(world.run_json(rid))
            assert run.id == rid
            assert isinstance(run.status, RunStatus)
            assert run.name
            shapes_seen.add(run.shape)
            check_times(run)
            if run.shape == "flat" and run.is_terminal:
                assert run.duration_seconds is not None and run.credit_charge_status is not None
    assert shapes_seen == ({"nested", "flat"} if shape == "mixed" else {shape})


def check_times(run: Run) -> None:
    assert run.created_at is not None and run.updated_at is not None
    assert run.created_at <= run.updated_at
    if run.started_at is not None:
        assert run.created_at <= run.started_at <= run.updated_at
    if run.ended_at is not None:
        assert run.is_terminal and run.ended_at == run.updated_at
    else:
        assert not run.is_terminal


def test_triggers_are_real_cron_and_time_zones(sim_world: World) -> None:
    kinds = set()
    for pipe in sim_world.pipelines.values():
        assert pipe.template.type in ("extractor", "transformation", "destination")
        for trig in pipe.triggers:
            kinds.add(trig.type)
            if trig.type == "cron":
                assert trig.cron_expression and croniter.is_valid(trig.cron_expression)
                assert trig.cron_timezone
                zoneinfo.ZoneInfo(trig.cron_timezone)
            if trig.type == "event":
                assert trig.events and trig.event_rule == "any"
    assert kinds == {"manual", "cron", "event"}


def test_who_triggered_matches_the_trigger_type(fake_clock: FakeClock) -> None:
    world = World(clock=fake_clock, n_runs=0)
    by_type = {t: world.add_run(trigger_type=t) for t in ("manual", "cron", "event", "api")}
    for ttype, rid in by_type.items():
        run = Run.model_validate(world.run_json(rid))
        assert run.trigger_type == ttype and run.trigger is not None
        assert run.trigger.type == ttype
        assert isinstance(run.triggered_by, User) == (ttype == "manual")
        assert (run.triggered_by_token is not None) == (ttype == "api")
    api = world.run_json(by_type["api"])
    assert api is not None
    token = api["triggered_by_token"]
    assert token["token"].startswith(FAKE_TOKEN_PREFIX)
    assert token["description"]
    assert isinstance(Run.model_validate(api).triggered_by_token, ApiToken)
    cron = Run.model_validate(world.run_json(by_type["cron"]))
    assert cron.trigger is not None and cron.trigger.cron_expression
