"""Every pipeline, from `GET /api/v1/sources/` and `GET /api/v1/transformations/`.

Both lists are read page by page (`expand[]=last_run`, so the newer item shape's bare run
ID comes as the run) into one `PipelineRow` per pipeline. A list that fails gives one line
in `problems` and the other list's rows are kept: an API key without the scope of one list
still shows the other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from nekt_tui.api.enums import RunStatus, UnknownValue
from nekt_tui.api.errors import AuthenticationError, NektError, RateLimitedError
from nekt_tui.api.lists import PIPELINE_KINDS, PipelineItem, PipelineKind, PipelinePage
from nekt_tui.api.models import PipelineTrigger

#: Items asked for per page (a server may send fewer), and pages read per list at most.
PAGE_SIZE = 100
MAX_PAGES = 50

#: What each list holds, for people.
KIND_LABEL: dict[PipelineKind, str] = {
    "sources": "source",
    "transformations": "transformation",
}


class PipelineLister(Protocol):
    """What the board needs of the client (`NektClient`)."""

    async def list_pipelines(
        self,
        kind: PipelineKind,
        page: int = 1,
        page_size: int = 50,
        *,
        statuses: tuple[str, ...] = (),
        expand: tuple[str, ...] = (),
    ) -> PipelinePage:
        """One page of a pipeline list."""
        ...


@dataclass(frozen=True, slots=True)
class PipelineRow:
    """One pipeline and its last run, as the board shows it."""

    kind: PipelineKind
    item_id: str | None
    slug: str
    name: str | None
    active: bool | None
    last_run_id: str | None
    last_status: RunStatus | UnknownValue | None
    last_started: datetime | None
    last_ended: datetime | None
    triggers: tuple[PipelineTrigger, ...]

    @property
    def kind_label(self) -> str:
        """`source` or `transformation`."""
        return KIND_LABEL[self.kind]

    @property
    def duration(self) -> float | None:
        """Seconds the last run took (None while it runs or when unknown)."""
        if self.last_started is None or self.last_ended is None:
            return None
        return max(0.0, (self.last_ended - self.last_started).total_seconds())


def row_of(kind: PipelineKind, item: PipelineItem) -> PipelineRow | None:
    """The row of one list item; None for an item naming no pipeline (nothing to show)."""
    slug = item.slug or item.name
    if not slug:
        return None
    last = item.last_run
    return PipelineRow(
        kind=kind,
        item_id=item.id,
        slug=slug,
        name=item.name,
        active=item.active,
        last_run_id=last.id if last is not None else None,
        last_status=last.status if last is not None else None,
        last_started=last.started_at if last is not None else None,
        last_ended=last.ended_at if last is not None else None,
        triggers=tuple(item.pipeline_triggers),
    )


def status_of(exc: NektError) -> int | None:
    """The HTTP status behind an error, when it came from one."""
    code = getattr(exc, "status_code", None)
    return code if isinstance(code, int) and code >= 100 else None


def list_problem(what: str, exc: NektError) -> str:
    """One line for a list that could not be read (`what`: "the sources list")."""
    code = status_of(exc)
    if code == 404:
        return f"{what} is not available on this API (HTTP 404)"
    if isinstance(exc, AuthenticationError):
        return f"{what}: the API key may not read it (HTTP {code}); the watch list is unaffected"
    return f"{what}: {exc}"


@dataclass(frozen=True, slots=True)
class PipelineFetch:
    """What one look at both lists found: the rows, and one line per list that failed."""

    rows: tuple[PipelineRow, ...]
    problems: tuple[str, ...]
    requests: int


async def fetch_pipelines(
    client: PipelineLister,
    *,
    statuses: tuple[str, ...] = (),
    kinds: Sequence[PipelineKind] = PIPELINE_KINDS,
    page_size: int = PAGE_SIZE,
    max_pages: int = MAX_PAGES,
) -> PipelineFetch:
    """Read every page of each list in `kinds` (at most `max_pages` each).

    A 429 stops at once and is raised (nothing else may be sent in its window); any other
    failure of a list is a line in `problems` and the rows read so far are kept."""
    rows: list[PipelineRow] = []
    problems: list[str] = []
    requests = 0
    for kind in kinds:
        for page_no in range(1, max_pages + 1):
            requests += 1
            try:
                page = await client.list_pipelines(
                    kind, page_no, page_size, statuses=statuses, expand=("last_run",)
                )
            except RateLimitedError:
                raise
            except NektError as exc:
                if page_no > 1 and status_of(exc) == 404:
                    break  # DRF answers 404 for a page past the last
                problems.append(list_problem(f"the {kind} list", exc))
                break
            rows.extend(r for item in page.results if (r := row_of(kind, item)) is not None)
            if not page.next or not page.results:
                break
        else:
            problems.append(f"{kind} list: more than {max_pages} pages; the rest is not shown")
    return PipelineFetch(tuple(rows), tuple(problems), requests)


__all__ = [
    "KIND_LABEL",
    "PipelineFetch",
    "PipelineLister",
    "PipelineRow",
    "fetch_pipelines",
    "list_problem",
    "row_of",
    "status_of",
]
