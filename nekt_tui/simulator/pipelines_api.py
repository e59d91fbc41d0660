"""`GET /api/v1/sources/` and `GET /api/v1/transformations/`: every pipeline of the world,
each in exactly one of the two lists.

Sources are the pipelines that move data through a connector: extractions (source →
catalog) and destinations / reverse ETL (catalog → destination; no documented endpoint of
their own, and they have a connector, not an output table). Transformations are the
transformation pipelines.

Two documented item shapes, per pipeline (`SimPipeline.list_shape`): the older page's
(`pipeline_slug`, `pipeline_active`, `last_run` as an object) and the newer page's (`slug`,
`active`, `last_run` as a bare run ID, which `expand[]=last_run` turns into the run).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from nekt_tui.simulator import expand, shapes
from nekt_tui.simulator.entities import SimPipeline

if TYPE_CHECKING:
    from nekt_tui.simulator.world import World

#: Endpoint name → the pipeline types it lists.
KINDS = {
    "sources": ("extractor", "destination"),
    "transformations": ("transformation",),
}
#: Endpoint name → its filters besides `last_run_status`.
_FILTERS = {
    "sources": ("connector_slug",),
    "transformations": ("output_table_name", "pipeline_current_status"),
}


def pipelines(world: World, kind: str, pairs: Sequence[tuple[str, str]]) -> list[SimPipeline]:
    """The pipelines the list `kind` holds now, filtered by the query `pairs`."""
    query = dict(pairs)
    t = world.elapsed()
    chosen = [p for p in world.pipelines.values() if p.template.type in KINDS[kind]]
    statuses = _csv(query.get("last_run_status"))
    if statuses is not None:
        chosen = [p for p in chosen if _last_status(p, t) in statuses]
    for name in _FILTERS[kind]:
        wanted = _csv(query.get(name))
        if wanted is not None:
            chosen = [p for p in chosen if _field(world, p, name) in wanted]
    return chosen


def item(world: World, kind: str, pipe: SimPipeline, tree: expand.Tree) -> dict[str, Any]:
    """One list item, in the pipeline's item shape, expanded by `tree`."""
    t = world.elapsed()
    tpl = pipe.template
    info = shapes.pipeline_json(pipe, t, world.iso)
    latest = pipe.latest_at(t)
    cron = next((trig for trig in pipe.triggers if trig.type == "cron"), None)
    name = tpl.transformation or tpl.source or tpl.destination or tpl.slug
    newer = pipe.list_shape == "newer"
    last_run: Any = None
    if latest is not None:
        if not newer:
            last_run = shapes.run_summary(latest, t, world.iso)
        elif "last_run" in tree:
            last_run = expand.run_object(world, latest.id, tree["last_run"])
        else:
            last_run = latest.id
    body: dict[str, Any] = {
        "id": pipe.item_id,
        "name": name,
        "description": tpl.description,
        "slug" if newer else "pipeline_slug": pipe.slug,
        "active" if newer else "pipeline_active": tpl.active,
        "pipeline_current_status": info["current_status"],
        "pipeline_triggers": info["triggers"],
        "last_run": last_run,
        "full_sync_cron": cron.cron_expression if cron is not None else None,
        "full_sync_cron_timezone": cron.cron_timezone if cron is not None else None,
    }
    if kind == "transformations":
        body["output_table_name"] = tpl.output_table
    return body


def _csv(value: str | None) -> set[str] | None:
    if value is None or not value.strip():
        return None  # DRF ignores an empty filter
    return {v.strip() for v in value.split(",") if v.strip()}


def _last_status(pipe: SimPipeline, t: float) -> str | None:
    latest = pipe.latest_at(t)
    return latest.timeline.status_at(t).value if latest is not None else None


def _field(world: World, pipe: SimPipeline, name: str) -> str | None:
    tpl = pipe.template
    if name == "connector_slug":
        return tpl.connector_slug
    if name == "output_table_name":
        return tpl.output_table
    current: str = shapes.pipeline_json(pipe, world.elapsed(), world.iso)["current_status"]
    return current
