"""What the demo and the crowd generator need of a world: enough to add runs to it.

`World` has all of this; the builders see only this protocol, so they and the world do
not import each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from nekt_tui.api.enums import RunStatus
from nekt_tui.simulator.entities import SimPipeline


class RunBuilder(Protocol):
    """A world that runs can be added to (see `World.add_run`)."""

    seed: int
    pipelines: dict[str, SimPipeline]
    demo_run_ids: list[str]

    @property
    def run_ids(self) -> list[str]:
        """Every run's ID, in the order the runs were added."""
        ...

    def elapsed(self) -> float:
        """World seconds since the world was made."""
        ...

    def add_run(
        self,
        phases: Sequence[tuple[str | RunStatus, float]] = ...,
        outcome: str | RunStatus = ...,
        *,
        pipeline: str | None = ...,
        shape: str | None = ...,
        lines_per_second: float = ...,
        trigger_type: str | None = ...,
        ago: float = ...,
        cancel_after: float | None = ...,
        cancelling_seconds: float = ...,
        run_id: str | None = ...,
    ) -> str:
        """Add a scripted run; returns its ID."""
        ...
