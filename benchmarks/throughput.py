"""Figure 1: poll throughput of the engine vs a bare httpx loop, and figure 3's engine side.

1,000 runs that stay active are served by the simulator in another process, over real
loopback sockets. The engine (`Scheduler` over `NektClient`) is given an interval so short
that every run is always due, so it polls as fast as it can with its concurrency bound.
The baseline is the least a program can do to fetch the same runs with the same
concurrency: one `httpx.AsyncClient`, `concurrency` workers under `asyncio.gather`, each
fetching the next run and decoding its JSON. Both count the responses that arrive in the
same measured window after the same warm-up.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Sequence
from typing import Any

import httpx

from benchmarks.common import Figure, Row, Size, cpu_seconds, log
from benchmarks.simserver import SimServer
from nekt_tui.api.client import NektClient
from nekt_tui.api.models import Run, RunPage
from nekt_tui.clock import SystemClock
from nekt_tui.watch.events import Event
from nekt_tui.watch.scheduler import Scheduler


class CountingSource:
    """The client, counting the runs it returned (one increment: nothing to skew)."""

    def __init__(self, client: NektClient) -> None:
        self.client = client
        self.ok = 0
        self.failed = 0

    async def get_run(self, run_id: str, *, patient: bool = False) -> Run:
        """Fetch and count."""
        try:
            if patient:
                run = await self.client.get_run(run_id, patient=True)
            else:
                run = await self.client.get_run(run_id)
        except Exception:
            self.failed += 1
            raise
        self.ok += 1
        return run


class ListingCountingSource(CountingSource):
    """The same, able to list runs too, so the engine's status sweep runs as in the app
    (`nekt_tui/watch/sweep.py`); a listed run that stands in for a poll is a check."""

    async def list_runs(self, page: int = 1, page_size: int = 50) -> RunPage:
        """Fetch one page of the run list."""
        return await self.client.list_runs(page, page_size)


async def engine_rate(
    url: str,
    key: str,
    run_ids: Sequence[str],
    *,
    concurrency: int,
    warmup: float,
    seconds: float,
    interval: float = 0.001,
    sweep: bool = False,
) -> dict[str, Any]:
    """Responses per second (and CPU per response) the engine sustains over `seconds`.

    With `sweep`, pages of the run list stand in for polls as in the app: `checks` counts
    the runs fetched one by one plus those a page stood in for."""
    events = 0

    def on_event(_: Event) -> None:
        nonlocal events
        events += 1

    async with NektClient(key, url) as client:
        source = ListingCountingSource(client) if sweep else CountingSource(client)
        scheduler = Scheduler(
            source,
            clock=SystemClock(),
            interval=interval,
            waiting_interval=interval,
            concurrency=concurrency,
            on_event=on_event,
            sweep=sweep,
        )
        for rid in run_ids:
            scheduler.watch(rid)
        async with scheduler:
            await asyncio.sleep(warmup)
            n0, s0, t0, c0 = source.ok, scheduler.polls_saved, time.perf_counter(), cpu_seconds()
            await asyncio.sleep(seconds)
            n1, s1, t1, c1 = source.ok, scheduler.polls_saved, time.perf_counter(), cpu_seconds()
    done = n1 - n0
    checks = done + s1 - s0
    return {
        "responses": done,
        "checks": checks,
        "seconds": t1 - t0,
        "rate": done / (t1 - t0),
        "cpu_per_response": (c1 - c0) / done if done else None,
        "cpu_per_check": (c1 - c0) / checks if checks else None,
        "failed": source.failed,
        "events": events,
    }


async def bare_rate(
    url: str,
    key: str,
    run_ids: Sequence[str],
    *,
    concurrency: int,
    warmup: float,
    seconds: float,
) -> dict[str, Any]:
    """Responses per second of `concurrency` bare workers fetching the runs round-robin."""
    ids = itertools.cycle(run_ids)
    count = 0
    failed = 0
    stop_at = time.perf_counter() + warmup + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(
        base_url=url, headers={"x-api-key": key}, limits=limits, timeout=10.0
    ) as http:

        async def worker() -> None:
            nonlocal count, failed
            while time.perf_counter() < stop_at:
                response = await http.get(f"/api/v1/runs/{next(ids)}/")
                if response.status_code == 200:
                    response.json()
                    count += 1
                else:
                    failed += 1

        marks: list[tuple[int, float, float]] = []

        async def window() -> None:
            await asyncio.sleep(warmup)
            marks.append((count, time.perf_counter(), cpu_seconds()))
            await asyncio.sleep(seconds)
            marks.append((count, time.perf_counter(), cpu_seconds()))

        await asyncio.gather(window(), *(worker() for _ in range(concurrency)))
    (n0, t0, c0), (n1, t1, c1) = marks
    done = n1 - n0
    return {
        "responses": done,
        "seconds": t1 - t0,
        "rate": done / (t1 - t0),
        "cpu_per_response": (c1 - c0) / done if done else None,
        "failed": failed,
    }


def figure(size: Size) -> Figure:
    """Figure 1: requests per second, engine vs bare loop, same server, same concurrency."""
    n_runs = size.pick(1000, 100)
    warmup, seconds = size.pick((1.0, 4.0), (0.3, 1.0))
    concurrency = 8
    fig = Figure(1, "Poll throughput: the engine vs a bare httpx loop")
    engine: list[dict[str, Any]] = []
    bare: list[dict[str, Any]] = []
    with SimServer.start("--active", str(n_runs)) as server:
        ids = server.ids["active"]
        # The engine must want more than it can do, or its interval caps it: ask for 2.5x
        # what the bare loop managed in a short probe (a noisy machine can make the probe
        # read low). Every run is then always overdue (polled about every 2.5 intervals at
        # the bare loop's pace) but below the 3 intervals after which it would be stale.
        probe = asyncio.run(
            bare_rate(server.url, server.key, ids, concurrency=concurrency, warmup=0.2, seconds=1.0)
        )
        interval = n_runs / (2.5 * max(probe["rate"], 10.0))
        for rep in range(size.repeat):
            # Alternate who goes first, so neither always gets the warmer machine.
            order = ("engine", "bare") if rep % 2 == 0 else ("bare", "engine")
            for who in order:
                if who == "engine":
                    engine.append(
                        asyncio.run(
                            engine_rate(
                                server.url,
                                server.key,
                                ids,
                                concurrency=concurrency,
                                warmup=warmup,
                                seconds=seconds,
                                interval=interval,
                            )
                        )
                    )
                else:
                    bare.append(
                        asyncio.run(
                            bare_rate(
                                server.url,
                                server.key,
                                ids,
                                concurrency=concurrency,
                                warmup=warmup,
                                seconds=seconds,
                            )
                        )
                    )
            log(f"rep {rep + 1}: engine {engine[-1]['rate']:.0f}/s, bare {bare[-1]['rate']:.0f}/s")
    fig.rows.append(
        Row(
            "1",
            f"Poll throughput, {n_runs:,} active runs, {concurrency} at a time",
            "req/s",
            [e["rate"] for e in engine],
            [b["rate"] for b in bare],
            "bare httpx.AsyncClient + asyncio.gather workers",
            "≥ 0.8×",
            check=lambda row: (row.ratio or 0.0) >= 0.8,
        )
    )
    fig.raw = {
        "runs": n_runs,
        "concurrency": concurrency,
        "interval": interval,
        "calibration_bare_rate": probe["rate"],
        "warmup_s": warmup,
        "window_s": seconds,
        "engine": engine,
        "bare": bare,
    }
    return fig
