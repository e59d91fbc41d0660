"""A seeded crowd of runs with realistic lifecycles, for `World(seed, n_runs=N)`.

Most runs were created in the last few minutes and finish within minutes; some wait in the
queue for a long time; a few run for hours. About 80% succeed, 15% fail, 5% are cancelled.
"""

from __future__ import annotations

import random

from nekt_tui.api.enums import RunStatus
from nekt_tui.simulator.builder import RunBuilder

#: Body log lines a generated run may write at most (keeps a crowd of runs cheap).
MAX_LINES = 5_000
_RATES = {
    "singer": (0.3, 2.0),
    "dbt": (0.2, 1.5),
    "spark": (0.1, 1.0),
    "sql": (0.05, 0.5),
    "reverse": (0.2, 1.5),
}


Phases = list[tuple[RunStatus, float]]


def random_lifecycle(
    rng: random.Random, *, waits_for_events: bool
) -> tuple[Phases, RunStatus, float | None]:
    """A realistic run: its phases, how it ends, and when it is cancelled (if it is).

    Most queue briefly and finish within minutes; 15% queue for 5-30 minutes; 1 in 10
    runs for hours. 80% succeed, 15% fail, 5% are cancelled part-way.
    """
    phases: Phases = []
    if waits_for_events:
        phases.append((RunStatus.PENDING_EVENTS, rng.uniform(5, 120)))
    queued = rng.uniform(1, 45) if rng.random() < 0.85 else rng.uniform(300, 1800)
    phases.append((RunStatus.QUEUED, queued))
    roll = rng.random()
    if roll < 0.65:
        running = rng.uniform(20, 600)
    elif roll < 0.9:
        running = rng.uniform(600, 3600)
    else:
        running = rng.uniform(3600, 5 * 3600)
    phases.append((RunStatus.RUNNING, running))
    phases = [(status, round(seconds, 3)) for status, seconds in phases]
    roll = rng.random()
    cancel_after = None
    if roll < 0.80:
        outcome = RunStatus.SUCCESS
    elif roll < 0.95:
        outcome = RunStatus.FAILED
    else:
        outcome = RunStatus.CANCELED
        cancel_after = round(sum(s for _, s in phases) * rng.uniform(0.2, 0.9), 3)
    return phases, outcome, cancel_after


def populate(world: RunBuilder, n: int, rng: random.Random) -> None:
    """Add `n` generated runs to `world`, oldest first (so run numbers follow creation)."""
    active = sorted(slug for slug, p in world.pipelines.items() if p.template.active)
    plans = []
    for _ in range(n):
        slug = rng.choice(active)
        pipe = world.pipelines[slug]
        kinds = [trig.type for trig in pipe.triggers]
        ttype = rng.choice([*kinds, *kinds, *kinds, "api"])
        roll = rng.random()
        if roll < 0.7:
            ago = rng.uniform(0, 300)
        elif roll < 0.9:
            ago = rng.uniform(300, 3600)
        else:
            ago = rng.uniform(3600, 8 * 3600)
        phases, outcome, cancel_after = random_lifecycle(rng, waits_for_events=ttype == "event")
        running = next(seconds for status, seconds in phases if status is RunStatus.RUNNING)
        low, high = _RATES.get(pipe.template.log_kind, (0.5, 2.0))
        rate = min(rng.uniform(low, high), MAX_LINES / running)
        plans.append((round(ago, 3), slug, ttype, phases, outcome, cancel_after, rate))
    plans.sort(key=lambda plan: -plan[0])
    for ago, slug, ttype, phases, outcome, cancel_after, rate in plans:
        world.add_run(
            phases,
            outcome,
            pipeline=slug,
            trigger_type=ttype,
            ago=ago,
            cancel_after=cancel_after,
            cancelling_seconds=round(rng.uniform(2, 15), 3),
            lines_per_second=round(rate, 3),
        )
