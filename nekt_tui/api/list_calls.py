"""The list endpoints of `NektClient` (`list_runs`, `list_pipelines`, `list_json`).

Split from `client.py`: a mixin whose methods build each page's path and parameters
and leave the sending to the client (`_get_page`: retries, bounds, parsing, scrubbing).
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

from nekt_tui.api.lists import JsonPage, PipelineKind, PipelinePage, list_params
from nekt_tui.api.models import RunPage

M = TypeVar("M", bound=BaseModel)


class ListCalls:
    """One page of a list endpoint at a time; the client sends it (`_get_page`)."""

    async def _get_page(self, model: type[M], path: str, params: Any) -> M:
        """GET `path` with `params` and parse the answer as `model` (the client's)."""
        raise NotImplementedError

    async def list_runs(self, page: int = 1, page_size: int = 50) -> RunPage:
        """Fetch one page of `GET /api/v1/runs/`."""
        return await self._get_page(RunPage, "/api/v1/runs/", list_params(page, page_size))

    async def list_pipelines(
        self,
        kind: PipelineKind,
        page: int = 1,
        page_size: int = 50,
        *,
        statuses: tuple[str, ...] = (),
        expand: tuple[str, ...] = (),
    ) -> PipelinePage:
        """Fetch one page of `GET /api/v1/sources/` or `/api/v1/transformations/`;
        `statuses` filters by the last run's status (`last_run_status`)."""
        params = list_params(page, page_size, statuses=statuses, expand=expand)
        return await self._get_page(PipelinePage, f"/api/v1/{kind}/", params)

    async def list_json(
        self,
        path: str,
        page: int = 1,
        page_size: int = 50,
        *,
        statuses: tuple[str, ...] = (),
        expand: tuple[str, ...] = (),
    ) -> JsonPage:
        """One page of a list endpoint (`runs`, `sources`, `transformations`) as the
        JSON object sent (scrubbed like any answer), for `--json` output."""
        if path not in ("runs", "sources", "transformations"):
            raise ValueError(f"not a list endpoint: {path}")
        params = list_params(page, page_size, statuses=statuses, expand=expand)
        return await self._get_page(JsonPage, f"/api/v1/{path}/", params)


__all__ = ["ListCalls"]
