"""Where each part of an assembled run came from (no pydantic: the UI reads it at start-up).

See `assemble.py` for how the parts are gathered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

#: The sources a part may come from, as the panels name them.
DETAIL = "detail"
RUN_LIST = "run list"
SOURCES_LIST = "sources list"
TRANSFORMATIONS_LIST = "transformations list"
EXPAND = "expand"


@dataclass(frozen=True, slots=True)
class Origin:
    """Where one part of a run came from (`source`: "run list", ...) and when it was fetched."""

    source: str
    at: datetime

    def describe(self, what: str, now: datetime) -> str:
        """`log from the run list, 4 s old` (`what`: "log", "triggers", "user")."""
        age = max(0, int((now - self.at).total_seconds()))
        via = {DETAIL: "the run's detail", EXPAND: "the detail with expand[]=triggered_by"}
        where = via.get(self.source, f"the {self.source}")
        return f"{what} from {where}, {_age(age)} old"


def _age(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h"


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a run's log, pipeline (with triggers) and user came from, or why they are not
    known. A `*_problem` is one line for the panel ("log not available: ...")."""

    log: Origin | None = None
    pipeline: Origin | None = None
    user: Origin | None = None
    log_problem: str | None = None
    pipeline_problem: str | None = None
    user_problem: str | None = None


__all__ = [
    "DETAIL",
    "EXPAND",
    "RUN_LIST",
    "SOURCES_LIST",
    "TRANSFORMATIONS_LIST",
    "Origin",
    "Provenance",
]
