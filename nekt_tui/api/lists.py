"""The documented list endpoints: `GET /api/v1/runs/`, `/api/v1/sources/` and
`/api/v1/transformations/` (DRF pages), in both documented item shapes.

A sources or transformations item comes in the older page's shape (`pipeline_slug`,
`pipeline_active`, `last_run` as an object) or the newer page's (`slug`, `active`,
`last_run` as a bare run ID that `expand[]=last_run` turns into the run). Both parse into
`PipelineItem`; `slug`, `active` and `last_run` read either.

Pages are asked for by number on the configured host: a page's `next` link is only read
as "there is another page", never followed (it may name another host, which must never
see the key).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, RootModel

from nekt_tui.api.models import (
    OptDatetime,
    OptStatus,
    PipelineTrigger,
    Run,
    _Model,
)

#: The pipeline list endpoints, by the name the API gives them.
PipelineKind = Literal["sources", "transformations"]
PIPELINE_KINDS: tuple[PipelineKind, ...] = ("sources", "transformations")


class LastRun(_Model):
    """A pipeline's last run as a list item carries it (older shape, or expanded)."""

    id: str
    status: OptStatus = None
    created_at: OptDatetime = None
    updated_at: OptDatetime = None
    started_at: OptDatetime = None
    ended_at: OptDatetime = None


def _last_run_ref(value: Any) -> Any:
    # The newer shape sends a bare run ID: keep one type either way.
    return {"id": value} if isinstance(value, str) else value


class PipelineItem(_Model):
    """One item of `GET /api/v1/sources/` or `GET /api/v1/transformations/`."""

    id: str | None = None
    name: str | None = None
    description: str | None = None
    # Older shape, then newer shape: read through `slug` / `active`.
    pipeline_slug: str | None = None
    slug_: str | None = Field(default=None, alias="slug")
    pipeline_active: bool | None = None
    active_: bool | None = Field(default=None, alias="active")
    pipeline_current_status: str | None = None
    pipeline_triggers: list[PipelineTrigger] = Field(default_factory=list)
    last_run: Annotated[LastRun | None, BeforeValidator(_last_run_ref)] = None
    full_sync_cron: str | None = None
    full_sync_cron_timezone: str | None = None
    output_table_name: str | None = None

    @property
    def slug(self) -> str | None:
        """The pipeline's slug, whichever shape named it."""
        return self.slug_ or self.pipeline_slug

    @property
    def active(self) -> bool | None:
        """Whether the pipeline is active, whichever shape said it."""
        return self.active_ if self.active_ is not None else self.pipeline_active

    @property
    def last_run_known(self) -> bool:
        """The item says more of its last run than its ID (older shape, or expanded)."""
        run = self.last_run
        return run is not None and run.status is not None


class PipelinePage(_Model):
    """One page of a pipeline list (DRF pagination)."""

    count: int | None = None
    next: str | None = None
    previous: str | None = None
    results: list[PipelineItem] = Field(default_factory=list)


class JsonPage(RootModel[dict[str, Any]]):
    """A list page's JSON object as sent (`--json` prints its items unchanged)."""

    def items(self) -> list[Any]:
        """The page's `results`, as sent (an empty list if it has none)."""
        results = self.root.get("results")
        return results if isinstance(results, list) else []

    @property
    def has_next(self) -> bool:
        """The page says another one follows."""
        return bool(self.root.get("next"))


def list_params(
    page: int,
    page_size: int,
    *,
    statuses: tuple[str, ...] = (),
    expand: tuple[str, ...] = (),
    extra: dict[str, str] | None = None,
) -> list[tuple[str, str | int]]:
    """The query of one list page (`expand[]` repeated, `last_run_status` comma-joined)."""
    if page < 1 or page_size < 1:
        raise ValueError("page and page_size must be positive")
    params: list[tuple[str, str | int]] = [("page", page), ("page_size", page_size)]
    if statuses:
        params.append(("last_run_status", ",".join(statuses)))
    for name, value in (extra or {}).items():
        params.append((name, value))
    params.extend(("expand[]", field) for field in expand)
    return params


__all__ = [
    "PIPELINE_KINDS",
    "JsonPage",
    "LastRun",
    "PipelineItem",
    "PipelineKind",
    "PipelinePage",
    "Run",
    "list_params",
]
