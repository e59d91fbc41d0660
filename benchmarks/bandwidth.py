"""Figure 9: bytes per second with a large, growing log among small runs, with and without
the bandwidth budget; how late the small runs' changes are seen; what gzip and the
unchanged-answer fast path save.

Like figure 2, the engine runs on a `FakeClock` against the in-process simulator: ten
virtual minutes take seconds and every byte is counted exactly (`NektClient.received_bytes`,
the bytes on the wire). One run is running with a 20 MB answer (its log, growing by five
lines a second) beside 20 small runs that each finish during the window. The simulator does
not compress here (a server that ignores `Accept-Encoding`), so the budget alone is measured;
row 9c measures gzip on the same answer. Quick runs scale the log and the budget down by ten.
"""

from __future__ import annotations

import asyncio
import gzip
import random
import statistics
import time
from typing import Any

import httpx

from benchmarks.common import Figure, Row, Size, log
from benchmarks.economy import _latencies
from nekt_tui.api.client import NektClient
from nekt_tui.clock import FakeClock
from nekt_tui.simulator import DEMO_KEY, World, app_transport
from nekt_tui.simulator.demo import add_big_log_run
from nekt_tui.watch.events import Event, StatusChanged
from nekt_tui.watch.scheduler import Scheduler

INTERVAL = 2.0
SMALL_RUNS = 20


def _world(clock: FakeClock, mb: float, span: float, seed: int) -> tuple[World, str]:
    """The large run, and 20 small runs that start at once and end during the window."""
    world = World(seed=seed, clock=clock, n_runs=0)
    big = add_big_log_run(world, mb, lines_per_second=5.0, running_for=span * 10)
    rng = random.Random(f"nekt-bench-bandwidth:{seed}")
    for _ in range(SMALL_RUNS):
        queued = rng.uniform(1.0, span / 4)
        running = rng.uniform(5.0, span / 2)
        world.add_run([("queued", queued), ("running", running)], "success", lines_per_second=0.2)
    return world, big


async def watch(mb: float, span: float, budget: float, seed: int) -> dict[str, Any]:
    """Watch every run for `span` virtual seconds; bytes, polls and change latencies."""
    clock = FakeClock()
    world, big = _world(clock, mb, span, seed)
    transport = app_transport(world, DEMO_KEY)
    transport.app.gzip.enabled = False
    seen: dict[str, list[tuple[float, Any]]] = {}

    def on_event(event: Event) -> None:
        if isinstance(event, StatusChanged) and event.run_id != big:
            seen.setdefault(event.run_id, []).append((clock.monotonic(), event.new))

    async with NektClient(
        DEMO_KEY, "http://127.0.0.1:8765", transport=transport, sleep=clock.sleep
    ) as client:
        scheduler = Scheduler(
            client,
            clock=clock,
            interval=INTERVAL,
            on_event=on_event,
            rng=random.Random(seed),
            max_bandwidth=budget,
        )
        async with scheduler:
            for rid in world.run_ids:
                scheduler.watch(rid)
            await clock.advance(span)
            await scheduler.idle()
            pacing = scheduler.pacing(big)
        received = client.received_bytes
    return {
        "bytes_per_s": received / span,
        "big_polls": world.requests.count(big),
        "list_pages": world.requests.total - sum(world.requests.count(r) for r in world.run_ids),
        "paced_every_s": None if pacing is None else pacing.every,
        "answer_bytes": None if pacing is None else pacing.size,
        "latency": _latencies(world, seen, span),
    }


async def _answer_seconds(rid: str, body: bytes, changed: bytes, rounds: int) -> dict[str, float]:
    """Seconds to take a large answer that changed, and one byte for byte the last one."""

    bodies = [body]

    def handler(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            stream=httpx.ByteStream(bodies[0]),
            headers={"content-type": "application/json", "content-length": str(len(bodies[0]))},
        )

    slow: list[float] = []
    fast: list[float] = []
    async with NektClient(
        "k", "http://127.0.0.1:1", transport=httpx.MockTransport(handler)
    ) as client:
        for i in range(rounds):
            bodies[0] = changed if i % 2 else body
            t0 = time.perf_counter()
            await client.get_run(rid)  # differs from the last: parsed
            slow.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            await client.get_run(rid)  # the same again: hashed only
            fast.append(time.perf_counter() - t0)
    return {"parsed_s": statistics.median(slow), "unchanged_s": statistics.median(fast)}


def figure(size: Size) -> Figure:
    """Figure 9: the budget against the unbudgeted engine, gzip, and the fast path."""
    mb = size.pick(20.0, 2.0)
    budget = size.pick(1_000_000, 100_000)
    span = size.pick(600.0, 120.0)
    free_span = size.pick(60.0, 20.0)  # the unbudgeted engine fetches the log every 2 s
    fig = Figure(9, "Bandwidth: a large, growing log beside small runs")
    paced: list[dict[str, Any]] = []
    free: list[dict[str, Any]] = []
    for rep in range(min(size.repeat, 3)):  # virtual time: the bytes are exact
        seed = rep + 1
        paced.append(asyncio.run(watch(mb, span, budget, seed)))
        free.append(asyncio.run(watch(mb, free_span, 0, seed)))
        log(
            f"rep {seed}: budget {paced[-1]['bytes_per_s'] / 1e6:.3f} MB/s (the large run "
            f"every {paced[-1]['paced_every_s'] or 0:.1f} s), unbudgeted "
            f"{free[-1]['bytes_per_s'] / 1e6:.2f} MB/s"
        )
    fig.rows.append(
        Row(
            "9a",
            f"Bytes per second, one {mb:g} MB running log + {SMALL_RUNS} small runs",
            "MB/s",
            [p["bytes_per_s"] / 1e6 for p in paced],
            [f["bytes_per_s"] / 1e6 for f in free],
            "the engine without a budget",
            f"≤ 1.1× the budget ({1.1 * budget / 1e6:g} MB/s)",
            check=lambda r: max(r.measured) <= 1.1 * budget / 1e6,
        )
    )
    fig.rows.append(
        Row(
            "9b",
            "Small runs: latency of status changes (max)",
            "s",
            [float(p["latency"]["active"]["max"] or 0.0) for p in paced],
            [float(f["latency"]["active"]["max"] or 0.0) for f in free],
            "the engine without a budget",
            f"every one ≤ {INTERVAL + 1:g} s",
            check=lambda r: max(r.measured) <= INTERVAL + 1.0,
        )
    )
    world = World(seed=1, clock=FakeClock(), n_runs=0)
    rid = add_big_log_run(world, mb)
    body = world.run_body(rid) or b""
    packed = gzip.compress(body, 1, mtime=0)
    fig.rows.append(
        Row(
            "9c",
            f"gzip: bytes on the wire of the {mb:g} MB answer",
            "MB",
            [len(packed) / 1e6],
            [len(body) / 1e6],
            "the same answer not compressed",
            "≤ 0.2× (logs compress ~10×)",
            check=lambda r: (r.ratio or 1.0) <= 0.2,
        )
    )
    changed = body.replace(b'"running"', b'"success"', 1)
    timing = asyncio.run(_answer_seconds(rid, body, changed, size.pick(3, 1)))
    fig.rows.append(
        Row(
            "9d",
            f"Taking an unchanged {mb:g} MB answer (read and hashed, not parsed)",
            "ms",
            [timing["unchanged_s"] * 1e3],
            [timing["parsed_s"] * 1e3],
            "the same answer changed (decoded and parsed)",
            "≤ 0.2×",
            check=lambda r: (r.ratio or 1.0) <= 0.2,
        )
    )
    fig.raw = {
        "answer_mb": mb,
        "budget_bytes_per_s": budget,
        "span_s": span,
        "unbudgeted_span_s": free_span,
        "interval": INTERVAL,
        "budgeted": paced,
        "unbudgeted": free,
        "gzip_bytes": len(packed),
        "plain_bytes": len(body),
        "answer_timing": timing,
    }
    return fig
