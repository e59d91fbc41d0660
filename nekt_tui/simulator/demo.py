"""The demo world: eleven runs that, at the start, show every status and every trigger type.

Within the first minute several of them change status (one fails with a traceback, one
finishes cancelling, queued and pending ones start), one keeps running and logging for
45 minutes, two finished ones have thousands of log lines, and one is served flat.
"""

from __future__ import annotations

import random
from typing import TypeVar

from nekt_tui.simulator.builder import RunBuilder
from nekt_tui.simulator.generate import random_lifecycle

B = TypeVar("B", bound=RunBuilder)

_P = "pending_events"
_Q = "queued"
_R = "running"


#: How far back (world seconds) background runs reach.
_BACKGROUND_SPAN = 7200.0
#: Body log lines a background run writes at most: pages of the run list stay realistic
#: (every item carries its log) without each costing megabytes.
_BACKGROUND_LINES = 400


def build_demo(world: B, *, flat_run: bool = True, background_runs: int = 0) -> B:
    """Add the demo runs to an empty world and return it.

    `flat_run` serves the Zendesk run flat whatever the world's detail setting (the demo
    as it always was); `background_runs` adds older runs of many pipelines (see
    `add_background_runs`).
    """
    add = world.add_run
    # pending_events now; queued at +20 s, running at +28 s, success at +128 s.
    add(
        ((_P, 25), (_Q, 8), (_R, 100)),
        "success",
        pipeline="customer-360",
        trigger_type="event",
        ago=5,
        lines_per_second=4,
    )
    # queued now; running at +12 s for three minutes.
    add(
        ((_Q, 15), (_R, 170)),
        "success",
        pipeline="salesforce-to-catalog",
        trigger_type="cron",
        ago=3,
        lines_per_second=2,
    )
    # A long manual sync: its log keeps growing for 45 minutes.
    add(
        ((_Q, 6), (_R, 2700)),
        "success",
        pipeline="hubspot-to-catalog",
        trigger_type="manual",
        ago=130,
        lines_per_second=1.5,
    )
    # Running now, fails with a traceback at +39 s.
    add(
        ((_Q, 4), (_R, 110)),
        "failed",
        pipeline="postgres-prod-to-catalog",
        trigger_type="api",
        ago=75,
        lines_per_second=3,
    )
    # Finished 4 minutes ago with ~3,000 log lines.
    add(
        ((_Q, 10), (_R, 1250)),
        "success",
        pipeline="daily-revenue-rollup",
        trigger_type="cron",
        ago=1500,
        lines_per_second=2.5,
    )
    # Failed 16 minutes ago (a reverse-ETL upsert error with its traceback).
    add(
        ((_P, 40), (_Q, 12), (_R, 260)),
        "failed",
        pipeline="catalog-to-salesforce",
        trigger_type="event",
        ago=1300,
        lines_per_second=2,
    )
    # Cancelled two seconds ago: cancelling now, canceled at +7 s.
    add(
        ((_Q, 5), (_R, 600)),
        "success",
        pipeline="stripe-to-catalog",
        trigger_type="cron",
        ago=200,
        cancel_after=198,
        cancelling_seconds=9,
        lines_per_second=2,
    )
    # Cancelled by hand an hour ago.
    add(
        ((_Q, 20), (_R, 1800)),
        "success",
        pipeline="google-ads-to-catalog",
        trigger_type="manual",
        ago=3700,
        cancel_after=420,
        cancelling_seconds=6,
        lines_per_second=1,
    )
    # The flat shape: running now, success at +85 s.
    add(
        ((_Q, 10), (_R, 95)),
        "success",
        pipeline="zendesk-to-catalog",
        trigger_type="api",
        ago=20,
        shape="flat" if flat_run else None,
        lines_per_second=2,
    )
    # Finished 6 minutes ago with ~8,000 log lines.
    add(
        ((_Q, 30), (_R, 2000)),
        "success",
        pipeline="shopify-to-catalog",
        trigger_type="cron",
        ago=2400,
        lines_per_second=4,
    )
    # pending_events now; queued at +10 s, running at +16 s, success at +58 s.
    add(
        ((_P, 12), (_Q, 6), (_R, 42)),
        "success",
        pipeline="marketing-attribution",
        trigger_type="event",
        ago=2,
        lines_per_second=1.5,
    )
    world.demo_run_ids = world.run_ids
    add_background_runs(world, background_runs)
    return world


def add_background_runs(world: RunBuilder, n: int) -> None:
    """Add up to `n` seeded runs of the active pipelines, created in the last two hours,
    each before any run its pipeline already has (so that run stays its pipeline's latest
    and looks as it did). Run numbers are then renumbered in creation order."""
    if n <= 0:
        return
    rng = random.Random(f"nekt-sim:{world.seed}:background")
    now = world.elapsed()
    first = {
        slug: min((r.timeline.created for r in p.runs), default=now)
        for slug, p in world.pipelines.items()
        if p.template.active
    }
    touched = set()
    for _ in range(n):
        ago = rng.uniform(5, _BACKGROUND_SPAN)
        # Only pipelines whose own runs are newer, then: their newest run stays the one
        # the demo scripted (its pipeline panel and `last_run` look as without background).
        allowed = sorted(slug for slug, created in first.items() if created > now - ago)
        if not allowed:
            continue
        slug = rng.choice(allowed)
        pipe = world.pipelines[slug]
        kinds = [trig.type for trig in pipe.triggers]
        ttype = rng.choice([*kinds, *kinds, "api"])
        phases, outcome, cancel_after = random_lifecycle(rng, waits_for_events=ttype == "event")
        running = sum(seconds for _, seconds in phases)
        world.add_run(
            phases,
            outcome,
            pipeline=slug,
            trigger_type=ttype,
            ago=round(ago, 3),
            cancel_after=cancel_after,
            lines_per_second=round(min(rng.uniform(0.2, 1.0), _BACKGROUND_LINES / running), 3),
        )
        touched.add(slug)
    for slug in touched:
        pipe = world.pipelines[slug]
        start = min(r.number for r in pipe.runs)
        for i, run in enumerate(pipe.runs):  # already in creation order
            run.number = start + i
        pipe.next_number = start + len(pipe.runs)


#: The pipeline of the big log (its dbt lines take about `_LINE_BYTES` each in the body).
_BIG_PIPELINE = "daily-revenue-rollup"
_LINE_BYTES = 102


def add_big_log_run(
    world: RunBuilder,
    mb: float,
    *,
    lines_per_second: float = 5.0,
    running_for: float = 3600.0,
    pipeline: str | None = None,
) -> str:
    """Add one run whose log is already about `mb` MB and keeps growing by
    `lines_per_second` for `running_for` more seconds, then succeeds; returns its ID.

    The answer a bandwidth budget is for (`nekt-tui simulate --big-log-mb 20`)."""
    lines = mb * 1_000_000 / _LINE_BYTES
    ago = lines / lines_per_second
    if pipeline is None and _BIG_PIPELINE in world.pipelines:
        pipeline = _BIG_PIPELINE
    return world.add_run(
        [("running", ago + running_for)],
        "success",
        pipeline=pipeline,
        shape="nested",
        ago=ago,
        lines_per_second=lines_per_second,
    )
