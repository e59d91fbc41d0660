"""A run as JSON at time t, in either documented shape.

Nested (the seed page): `pipeline`, `log`, `triggered_by` and `triggered_by_token` are
objects. Flat (the newer page): no pipeline or log; `number`, `duration_seconds`, costs,
`triggered_by` as an int, `triggered_by_token` as a string, source/destination/transformation.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from nekt_tui.api.enums import RunStatus
from nekt_tui.simulator.entities import SimPipeline, SimRun, SimToken, SimTrigger, SimUser

Iso = Callable[[float], str]
Opt = Callable[[float | None], str | None]


def _opt(iso: Iso) -> Opt:
    return lambda t: None if t is None else iso(t)


def _times(run: SimRun, t: float, iso: Iso) -> dict[str, Any]:
    tl = run.timeline
    started = tl.started_at
    ended = tl.ended_at
    return {
        "created_at": iso(tl.created),
        "updated_at": iso(tl.changed_at(t)),
        "started_at": iso(started) if started is not None and started <= t else None,
        "ended_at": iso(ended) if ended is not None and ended <= t else None,
    }


def trigger_json(trig: SimTrigger, iso: Iso) -> dict[str, Any]:
    """One pipeline trigger."""
    return {
        "id": trig.id,
        "created_at": iso(trig.created),
        "updated_at": iso(trig.created),
        "type": trig.type,
        "cron_expression": trig.cron_expression,
        "cron_timezone": trig.cron_timezone,
        "events": list(trig.events),
        "event_rule": trig.event_rule,
    }


def pipeline_json(pipe: SimPipeline, t: float, iso: Iso) -> dict[str, Any]:
    """The nested `pipeline` object, with its latest run as of time t."""
    opt = _opt(iso)
    latest = pipe.latest_at(t)
    status: RunStatus | None = None
    started = ended = None
    if latest is not None:
        tl = latest.timeline
        status = tl.status_at(t)
        started = tl.started_at if tl.started_at is not None and tl.started_at <= t else None
        ended = tl.ended_at if tl.ended_at is not None and tl.ended_at <= t else None
    if not pipe.template.active:
        current = "inactive"
    elif status is None or status.is_terminal:
        current = "idle"
    else:
        current = status.value
    return {
        "id": pipe.id,
        "slug": pipe.slug,
        "description": pipe.template.description,
        "type": pipe.template.type,
        "active": pipe.template.active,
        "created_at": iso(pipe.created),
        "updated_at": iso(pipe.updated),
        "latest_run_started": opt(started),
        "latest_run_ended": opt(ended),
        "latest_run_status": status.value if status is not None else None,
        "triggers": [trigger_json(trig, iso) for trig in pipe.triggers],
        "current_status": current,
    }


def _gravatar(email: str) -> str:
    digest = hashlib.sha256(email.encode()).hexdigest()
    return f"https://www.gravatar.com/avatar/{digest}?d=identicon"


def user_json(user: SimUser, iso: Iso) -> dict[str, Any]:
    """The nested `triggered_by` user."""
    tpl = user.template
    return {
        "id": tpl.id,
        "first_name": tpl.first_name,
        "last_name": tpl.last_name,
        "email": tpl.email,
        "picture": _gravatar(tpl.email) if tpl.has_picture else None,
        "role": tpl.role,
        "date_joined": iso(user.date_joined),
        "last_login": iso(user.last_login),
        "is_active": True,
    }


def token_json(token: SimToken, last_used: float, iso: Iso) -> dict[str, Any]:
    """The nested `triggered_by_token` object (its `token` value is fake)."""
    return {
        "id": token.id,
        "token": token.value,
        "is_active": token.template.is_active,
        "description": token.template.description,
        "created_at": iso(token.created),
        "updated_at": iso(token.created),
        "last_used_at": iso(last_used),
    }


def nested(run: SimRun, t: float, iso: Iso) -> dict[str, Any]:
    """The run in the seed page's nested shape."""
    tl = run.timeline
    log_updated = run.log.updated_at(tl, t)
    return {
        "id": run.id,
        **_times(run, t, iso),
        "status": tl.status_at(t).value,
        "pipeline": pipeline_json(run.pipeline, t, iso),
        "log": {
            "id": run.log_id,
            "parsed_log": run.log.text(tl, t),
            "created_at": iso(tl.created),
            "updated_at": iso(log_updated if log_updated is not None else tl.created),
        },
        "use_custom_logs": run.use_custom_logs,
        "trigger_type": run.trigger_type,
        "trigger": run.trigger_json(),
        "triggered_by": user_json(run.user, iso) if run.user is not None else None,
        "triggered_by_token": (
            token_json(run.token, tl.created, iso) if run.token is not None else None
        ),
    }


def flat(run: SimRun, t: float, iso: Iso) -> dict[str, Any]:
    """The run in the newer page's flat shape."""
    tl = run.timeline
    status = tl.status_at(t)
    tpl = run.pipeline.template
    ended = tl.ended_at if tl.ended_at is not None and tl.ended_at <= t else None
    started = tl.started_at
    duration = None
    if ended is not None:
        duration = round(ended - (started if started is not None else ended))
    transformation = tpl.type == "transformation"
    cost: str | None = None
    charge: str | None = None
    if ended is not None:
        if status is RunStatus.SUCCESS:
            charge = "first_extraction" if run.number == 1 else "charged"
            cost = run.cost_usd
        else:
            charge = "unsuccessful"
            cost = "0.0000"
    metadata = None
    if cost is not None:
        metadata = {"records": run.records if status is RunStatus.SUCCESS else 0, "credits": cost}
    return {
        "id": run.id,
        "number": run.number,
        **_times(run, t, iso),
        "status": status.value,
        "duration_seconds": duration,
        "full_sync": run.full_sync,
        "extra_config": run.extra_config,
        "credit_charge_status": charge,
        "el_cost_usd": None if transformation else cost,
        "el_cost_metadata": None if transformation else metadata,
        "transformation_cost_usd": cost if transformation else None,
        "transformation_cost_metadata": metadata if transformation else None,
        "use_custom_logs": run.use_custom_logs,
        "trigger_type": run.trigger_type,
        "trigger": run.trigger_json(),
        "triggered_by": run.user.template.id if run.user is not None else None,
        "triggered_by_token": run.token.id if run.token is not None else None,
        "source": run.pipeline.ref(tpl.source),
        "destination": run.pipeline.ref(tpl.destination),
        "transformation": run.pipeline.ref(tpl.transformation),
    }


def run_summary(run: SimRun, t: float, iso: Iso) -> dict[str, Any]:
    """A pipeline's `last_run` object in the older sources/transformations list items."""
    return {"id": run.id, **_times(run, t, iso), "status": run.timeline.status_at(t).value}


def render(run: SimRun, t: float, iso: Iso, shape: str | None = None) -> dict[str, Any]:
    """The run at time t in `shape` (default: the run's own)."""
    return flat(run, t, iso) if (shape or run.shape) == "flat" else nested(run, t, iso)


def state_key(run: SimRun, t: float, shape: str | None = None) -> tuple[object, ...]:
    """A key that changes whenever `render(run, t, ..., shape)` would change."""
    tl = run.timeline
    use = shape or run.shape
    key: tuple[object, ...] = (use, tl.version, tl.index_at(t))
    if use == "nested":
        latest = run.pipeline.latest_at(t)
        key += run.log.state(tl, t)
        if latest is not None:
            key += (latest.id, latest.timeline.version, latest.timeline.index_at(t))
    return key
