"""The run model parses both documented shapes and stays forward compatible."""

from __future__ import annotations

import json
from datetime import timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from nekt_tui.api.models import (
    ApiToken,
    EventRule,
    PipelineType,
    Run,
    RunPage,
    RunStatus,
    TriggerType,
    UnknownValue,
    User,
    is_unknown,
)

SEED = Path(__file__).parent.parent / "fixtures" / "seed_run.json"
RID = "3c90c3cc-0d44-4b50-8888-8dd25736052a"


def seed() -> dict[str, Any]:
    return json.loads(SEED.read_text())


def flat() -> dict[str, Any]:
    return {
        "id": RID,
        "number": 42,
        "created_at": "2026-01-15T12:00:00Z",
        "updated_at": "2026-01-15T12:05:00Z",
        "started_at": "2026-01-15T12:00:05Z",
        "ended_at": None,
        "status": "pending_events",
        "duration_seconds": None,
        "full_sync": True,
        "extra_config": {"streams": ["contacts"]},
        "credit_charge_status": "first_extraction",
        "el_cost_usd": "0.0125",
        "el_cost_metadata": {"rows": 10},
        "transformation_cost_usd": 1.5,
        "transformation_cost_metadata": None,
        "trigger_type": "api",
        "triggered_by": 7,
        "triggered_by_token": "9b2f9a53-4a26-4a53-9f64-3e1f26b1d7c2",
        "source": "hubspot",
        "destination": None,
        "transformation": None,
    }


def test_seed_page_parses_every_field() -> None:
    run = Run.model_validate(seed())
    assert run.status is RunStatus.QUEUED and not run.is_terminal
    assert run.shape == "nested" and run.has_pipeline and run.has_log
    assert run.pipeline is not None and run.pipeline.type is PipelineType.EXTRACTOR
    trig = run.pipeline.triggers[0]
    assert trig.type is TriggerType.MANUAL and trig.event_rule is EventRule.ANY
    assert trig.cron_timezone == "Africa/Abidjan" and trig.events == ["<string>"]
    assert run.trigger_type is TriggerType.MANUAL
    assert isinstance(run.triggered_by, User) and run.triggered_by.email == "jsmith@example.com"
    assert run.triggered_by.is_active is False
    assert run.parsed_log == "<string>"
    assert run.use_custom_logs is True
    assert run.started_at is not None and run.started_at.tzinfo is not None


def test_token_value_is_never_in_repr_or_dump() -> None:
    data = seed()
    data["triggered_by_token"]["token"] = "tok-secret-123"
    run = Run.model_validate(data)
    assert isinstance(run.triggered_by_token, ApiToken)
    assert "tok-secret-123" not in repr(run)
    assert "tok-secret-123" not in json.dumps(run.model_dump(mode="json"))
    assert run.token_description == "<string>"


def test_flat_shape_parses_into_the_same_model() -> None:
    run = Run.model_validate(flat())
    assert run.shape == "flat" and not run.has_pipeline and not run.has_log
    assert run.parsed_log is None
    assert run.status is RunStatus.PENDING_EVENTS and run.status.is_waiting
    assert run.number == 42 and run.full_sync is True
    assert run.el_cost_usd == Decimal("0.0125") and run.transformation_cost_usd == Decimal("1.5")
    assert run.triggered_by == 7
    assert run.triggered_by_token is not None and run.triggered_by_token.id is not None
    assert run.name == "hubspot"
    assert run.extra_config == {"streams": ["contacts"]}


@pytest.mark.parametrize("status", [s.value for s in RunStatus])
def test_every_documented_status(status: str) -> None:
    run = Run.model_validate({**flat(), "status": status})
    assert run.status == RunStatus(status)
    assert run.is_terminal == (status in ("success", "failed", "canceled"))


def test_unknown_enum_values_are_kept_and_recognisable() -> None:
    data = seed()
    data["status"] = "paused_by_admin"
    data["trigger_type"] = "webhook"
    data["pipeline"]["type"] = "reverse_etl"
    data["pipeline"]["triggers"][0]["type"] = "sensor"
    data["pipeline"]["triggers"][0]["event_rule"] = "majority"
    data["credit_charge_status"] = "refunded"
    run = Run.model_validate(data)
    for value in (
        run.status,
        run.trigger_type,
        run.pipeline and run.pipeline.type,
        run.pipeline and run.pipeline.triggers[0].type,
        run.pipeline and run.pipeline.triggers[0].event_rule,
        run.credit_charge_status,
    ):
        assert isinstance(value, UnknownValue) and is_unknown(value)
    assert run.status == "paused_by_admin" and not run.is_terminal
    assert not is_unknown(RunStatus.RUNNING)


def test_extra_fields_are_ignored_and_missing_ones_absent() -> None:
    run = Run.model_validate({"id": RID, "status": "running", "brand_new": {"x": 1}})
    assert run.pipeline is None and run.started_at is None and run.number is None
    assert not hasattr(run, "brand_new")


def test_naive_datetimes_become_utc() -> None:
    run = Run.model_validate({**flat(), "created_at": "2026-01-15T12:00:00"})
    assert run.created_at is not None and run.created_at.tzinfo is not None
    assert run.created_at.utcoffset() == timezone.utc.utcoffset(None)


@pytest.mark.parametrize(
    ("patch", "path"),
    [
        ({"status": 5}, "status"),
        ({"number": "forty"}, "number"),
        ({"el_cost_usd": "lots"}, "el_cost_usd"),
        ({"started_at": "yesterday"}, "started_at"),
    ],
)
def test_wrong_types_fail_naming_the_field(patch: dict[str, Any], path: str) -> None:
    with pytest.raises(ValidationError) as err:
        Run.model_validate({**flat(), **patch})
    assert err.value.errors()[0]["loc"][0] == path


def test_run_page() -> None:
    page = RunPage.model_validate(
        {"count": 2, "next": None, "previous": None, "results": [seed(), flat()]}
    )
    assert page.count == 2 and [r.shape for r in page.results] == ["nested", "flat"]
