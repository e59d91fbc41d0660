"""Figure 2: requests the engine sends in a simulated day vs a naive fixed-interval poller,
and how late it reports each status change.

The day runs on a `FakeClock` against the in-process simulator (`app_transport`), so
eight hours take seconds and every time is exact. Runs start throughout the day; each is
watched from the moment it starts until the end of the day, as a user who adds runs as
they are triggered would. Their lifecycles follow the simulator's own crowd generator
(`nekt_tui/simulator/generate.py`): most are short, some wait in the queue for long, a
few run for hours, and 80/15/5% succeed/fail/are cancelled.

The engine polls each active run every `interval` and each waiting one every
`waiting_interval` (the `ideal` count), except that pages of the run list stand in for the
polls of the runs they list (`nekt_tui/watch/sweep.py`): `run_list_requests` and
`polls_saved` in the raw numbers say how much.

The naive poller fetches every watched run every `interval` whatever its status, so its
count is exact arithmetic: `floor((day_end - watched_at) / interval) + 1` per run.
`naive_requests_measured` runs it for real on a short day to check that arithmetic.
"""

from __future__ import annotations

import asyncio
import bisect
import itertools
import math
import random
import statistics
from dataclasses import dataclass
from typing import Any

from benchmarks.common import Figure, Row, Size, log
from nekt_tui.api.client import NektClient
from nekt_tui.api.models import RunStatus
from nekt_tui.clock import FakeClock
from nekt_tui.simulator import DEMO_KEY, World, app_transport
from nekt_tui.simulator.generate import random_lifecycle
from nekt_tui.watch.events import Event, StatusChanged
from nekt_tui.watch.scheduler import Scheduler

HOUR = 3600.0


@dataclass(frozen=True)
class Plan:
    """One run of the day: when it starts and how it goes."""

    start: float
    phases: tuple[tuple[RunStatus, float], ...]
    outcome: RunStatus
    cancel_after: float | None
    cancelling: float


def plan_day(n_runs: int, day: float, seed: int) -> list[Plan]:
    """`n_runs` lifecycles starting uniformly over the day (leaving its last 30 minutes)."""
    rng = random.Random(f"nekt-bench-day:{seed}")
    plans = []
    for _ in range(n_runs):
        start = rng.uniform(0.0, max(1.0, day - 0.5 * HOUR))
        # The simulator's own mix: 1 in 4 runs is event-triggered and first waits for events.
        waits = rng.random() < 0.25
        phases, outcome, cancel_after = random_lifecycle(rng, waits_for_events=waits)
        plans.append(
            Plan(
                round(start, 3), tuple(phases), outcome, cancel_after, round(rng.uniform(2, 15), 3)
            )
        )
    plans.sort(key=lambda p: p.start)
    return plans


def naive_requests(plans: list[Plan], day: float, interval: float) -> int:
    """What a poller fetching every watched run every `interval` sends in the day."""
    return sum(math.floor((day - p.start) / interval + 1e-9) + 1 for p in plans)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1))
    return ordered[k]


def _latencies(
    world: World, seen: dict[str, list[tuple[float, Any]]], day: float
) -> dict[str, Any]:
    """For every true status change before the day's end: how long until the engine said so.

    A change counts as seen by the first status event for the run at or after it (which
    may already name a later status, if the run moved on before the next poll). A change
    is "on an active run" when the run was running or cancelling before it, so it was
    being polled every `interval`.
    """
    every: list[float] = []
    active: list[float] = []
    missed = 0
    for rid in world.run_ids:
        changes = world.transitions(rid)
        events = seen.get(rid, [])
        times = [t for t, _ in events]
        for (_, before), (when, _status) in itertools.pairwise(changes):
            if when > day:
                break
            i = bisect.bisect_left(times, when - 1e-9)
            if i >= len(times):
                missed += 1
                continue
            latency = times[i] - when
            every.append(latency)
            if before.is_active:
                active.append(latency)

    def stats(values: list[float]) -> dict[str, float | None]:
        if not values:
            return {"n": 0, "median": None, "p95": None, "max": None}
        return {
            "n": len(values),
            "median": statistics.median(values),
            "p95": _percentile(values, 0.95),
            "max": max(values),
        }

    return {"all": stats(every), "active": stats(active), "unseen": missed}


async def simulate_day(
    plans: list[Plan], day: float, *, interval: float, waiting_interval: float, seed: int
) -> dict[str, Any]:
    """Run the engine through the day; requests sent and status-change latencies."""
    clock = FakeClock()
    world = World(seed=seed, clock=clock, shape="flat", n_runs=0)
    transport = app_transport(world, DEMO_KEY)
    seen: dict[str, list[tuple[float, Any]]] = {}

    def on_event(event: Event) -> None:
        if isinstance(event, StatusChanged):
            seen.setdefault(event.run_id, []).append((clock.monotonic(), event.new))

    async with NektClient(
        DEMO_KEY, "http://127.0.0.1:8765", transport=transport, sleep=clock.sleep
    ) as client:
        scheduler = Scheduler(
            client,
            clock=clock,
            interval=interval,
            waiting_interval=waiting_interval,
            on_event=on_event,
            rng=random.Random(seed),
        )
        async with scheduler:
            for plan in plans:
                await clock.advance(max(0.0, plan.start - clock.monotonic()))
                rid = world.add_run(
                    plan.phases,
                    plan.outcome,
                    cancel_after=plan.cancel_after,
                    cancelling_seconds=plan.cancelling,
                    lines_per_second=0.0,
                )
                scheduler.watch(rid)
            await clock.advance(day - clock.monotonic())
            await scheduler.idle()
    by_status: dict[str, int] = {}
    for rid in world.run_ids:
        by_status[world.true_status(rid).value] = by_status.get(world.true_status(rid).value, 0) + 1
    transitions = [
        [(t, status) for t, status in world.transitions(rid) if t <= day] for rid in world.run_ids
    ]
    per_run = sum(world.requests.count(rid) for rid in world.run_ids)
    return {
        "requests": world.requests.total,
        "run_list_requests": world.requests.total - per_run,
        "polls_saved": scheduler.polls_saved,
        "ideal": ideal_requests(transitions, day, interval, waiting_interval),
        "latency": _latencies(world, seen, day),
        "status_at_end": by_status,
    }


async def naive_requests_measured(
    plans: list[Plan], day: float, *, interval: float, seed: int
) -> int:
    """Run the naive poller for real (for short days: it sends a lot)."""
    clock = FakeClock()
    world = World(seed=seed, clock=clock, shape="flat", n_runs=0)
    transport = app_transport(world, DEMO_KEY)
    async with NektClient(
        DEMO_KEY, "http://127.0.0.1:8765", transport=transport, sleep=clock.sleep
    ) as client:

        async def poll_for_ever(rid: str) -> None:
            while True:
                await client.get_run(rid)
                await clock.sleep(interval)

        tasks = []
        for plan in plans:
            await clock.advance(max(0.0, plan.start - clock.monotonic()))
            rid = world.add_run(
                plan.phases,
                plan.outcome,
                cancel_after=plan.cancel_after,
                cancelling_seconds=plan.cancelling,
                lines_per_second=0.0,
            )
            tasks.append(asyncio.get_running_loop().create_task(poll_for_ever(rid)))
        await clock.advance(day - clock.monotonic())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return world.requests.total


def ideal_requests(
    world_transitions: list[list[tuple[float, RunStatus]]],
    day: float,
    interval: float,
    waiting_interval: float,
) -> int:
    """What a poller with the engine's intervals and no jitter sends: one request per
    interval while a run is active, one per waiting interval while it waits, one first.
    Any poller that sees active runs' changes within an interval needs about as many."""
    total = 0
    for changes in world_transitions:
        total += 1
        for (start, status), (end, _) in zip(changes, [*changes[1:], (day, None)], strict=False):
            span = max(0.0, min(end, day) - start)
            if status.is_terminal:
                break
            total += math.ceil(span / (waiting_interval if status.is_waiting else interval))
    return total


def figure(size: Size) -> Figure:
    """Figure 2: one simulated day per repetition (a different day each time)."""
    n_runs = size.pick(500, 12)
    day = size.pick(8 * HOUR, 0.75 * HOUR)
    interval, waiting = 2.0, 5.0
    fig = Figure(2, "Request economy and change latency over a simulated day")
    days: list[dict[str, Any]] = []
    # A full day takes minutes to simulate and its counts are exact (no timing noise):
    # a few different days are enough to show how much they vary.
    for rep in range(min(size.repeat, 3)):
        seed = rep + 1
        plans = plan_day(n_runs, day, seed)
        result = asyncio.run(
            simulate_day(plans, day, interval=interval, waiting_interval=waiting, seed=seed)
        )
        result["naive"] = naive_requests(plans, day, interval)
        if size.quick and rep == 0:
            # Check the naive arithmetic against a real naive poller (cheap on a short day).
            result["naive_measured"] = asyncio.run(
                naive_requests_measured(plans, day, interval=interval, seed=seed)
            )
        days.append(result)
        lat = result["latency"]["active"]
        log(
            f"day {seed}: engine {result['requests']:,} vs naive {result['naive']:,} requests; "
            f"active-run changes seen within max {lat['max'] or 0:.2f} s"
        )
    hours = day / HOUR
    fig.rows.append(
        Row(
            "2a",
            f"Requests in a {hours:g}-hour day, {n_runs} runs",
            "requests",
            [float(d["requests"]) for d in days],
            [float(d["naive"]) for d in days],
            f"naive poller: every watched run every {interval:g} s",
            "≤ 10% (0.10×)",
            check=lambda r: (r.ratio if r.ratio is not None else 1.0) <= 0.10,
        )
    )
    fig.rows.append(
        Row(
            "2b",
            "Latency of status changes on active runs (max per day)",
            "s",
            [float(d["latency"]["active"]["max"] or 0.0) for d in days],
            [interval + 1.0 for _ in days],
            "one interval plus one second",
            f"every one ≤ {interval + 1:g} s",
            check=lambda r: max(r.measured) <= interval + 1.0,
        )
    )
    fig.raw = {
        "runs": n_runs,
        "day_s": day,
        "interval": interval,
        "waiting_interval": waiting,
        "days": days,
    }
    return fig
