"""The things a simulated world holds: pipelines, users, tokens and runs (mutable, internal)."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any

from nekt_tui.simulator.catalog import PipelineTemplate, TokenTemplate, UserTemplate
from nekt_tui.simulator.lifecycle import Timeline
from nekt_tui.simulator.logs import RunLogWriter

SHAPES = ("nested", "flat")


@dataclass
class SimTrigger:
    """A pipeline trigger with its identity."""

    id: str
    type: str
    cron_expression: str | None
    cron_timezone: str | None
    events: tuple[str, ...]
    event_rule: str | None
    created: float


@dataclass
class SimPipeline:
    """A pipeline in the world, with its runs in creation order."""

    id: str
    template: PipelineTemplate
    triggers: list[SimTrigger]
    created: float
    updated: float
    next_number: int
    #: The ID of this pipeline's item in the sources or transformations list.
    item_id: str = ""
    #: "older" (`pipeline_slug`, `last_run` object) or "newer" (`slug`, `last_run` ID) items.
    list_shape: str = "older"
    #: A flat run names this pipeline's source/destination/transformation by `item_id`
    #: (an Expandable field left unexpanded) rather than by name.
    ref_by_id: bool = False
    runs: list[SimRun] = field(default_factory=list)
    _created: list[float] = field(default_factory=list, repr=False)

    @property
    def slug(self) -> str:
        """The pipeline's slug."""
        return self.template.slug

    def ref(self, name: str | None) -> str | None:
        """How a flat run names this pipeline's source, destination or transformation."""
        if name is None:
            return None
        return self.item_id if self.ref_by_id else name

    def add(self, run: SimRun) -> None:
        """Record a run of this pipeline."""
        i = bisect_right(self._created, run.timeline.created)
        self._created.insert(i, run.timeline.created)
        self.runs.insert(i, run)

    def latest_at(self, t: float) -> SimRun | None:
        """The most recently created run that exists at time t."""
        i = bisect_right(self._created, t)
        return self.runs[i - 1] if i else None


@dataclass
class SimUser:
    """A workspace member."""

    template: UserTemplate
    date_joined: float
    last_login: float


@dataclass
class SimToken:
    """An API token; `value` is a fake secret."""

    id: str
    template: TokenTemplate
    value: str
    created: float


@dataclass
class SimRun:
    """One run: its pipeline, timeline, log, who triggered it and the per-shape extras."""

    id: str
    pipeline: SimPipeline
    timeline: Timeline
    log: RunLogWriter
    log_id: str
    shape: str
    trigger_type: str
    trigger: SimTrigger | None
    user: SimUser | None
    token: SimToken | None
    number: int
    seed: int
    use_custom_logs: bool
    full_sync: bool
    extra_config: Any
    cost_usd: str
    records: int
    cache_key: tuple[object, ...] | None = field(default=None, repr=False)
    cache_body: bytes = field(default=b"", repr=False)

    def trigger_json(self) -> dict[str, Any]:
        """The run's `trigger` object."""
        trig = self.trigger
        return {
            "type": self.trigger_type,
            "cron_expression": trig.cron_expression if trig else None,
            "cron_timezone": trig.cron_timezone if trig else None,
            "event_rule": trig.event_rule if trig else None,
        }
