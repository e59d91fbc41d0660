"""Figure 4: the TUI under load. Thousands of watched runs, every one changing every cycle.

The real app (`NektApp`, headless through `run_test`) is given a real `Scheduler` on a
`FakeClock` whose source answers at once from memory, so a cycle is exactly what one poll
interval brings: every run polled once, and every run's status and log changed (status
flips between `running` and `cancelling`, both polled every interval, and one log line
is added). A cycle starts when the clock moves by one interval and ends when the app has
drawn the last of its updates and `pilot.pause()` has rendered whatever was still dirty
(at once, rather than at the next frame tick). A loop-lag probe (a task that asks to wake
every 2 ms) reports the longest time the event loop was busy meanwhile.

The runs' `Run` objects are built before each cycle starts, so the time measured is the
engine's and the UI's, not the benchmark's.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from collections.abc import Callable
from typing import Any

from benchmarks.common import Figure, LagProbe, Row, Size, log
from nekt_tui.api.models import Run
from nekt_tui.clock import FakeClock
from nekt_tui.ui.app import NektApp
from nekt_tui.ui.store import RunStore, StoredRun
from nekt_tui.watch.events import Event, StatusChanged
from nekt_tui.watch.scheduler import Scheduler

INTERVAL = 2.0
SIZE = (160, 48)
_STATUSES = ("running", "cancelling")


def _run(run_id: str, number: int, cycle: int) -> Run:
    log = "".join(f"2026-01-15T12:00:{i % 60:02d}Z INFO step {i} done\n" for i in range(cycle + 3))
    return Run.model_validate(
        {
            "id": run_id,
            "number": number,
            "status": _STATUSES[cycle % 2],
            "created_at": "2026-01-15T11:58:00Z",
            "started_at": "2026-01-15T11:59:00Z",
            "updated_at": f"2026-01-15T12:{cycle // 60 % 60:02d}:{cycle % 60:02d}Z",
            "pipeline": {"slug": f"pipeline-{number % 37:02d}", "triggers": []},
            "log": {"parsed_log": log},
        }
    )


class CycleSource:
    """Answers every run with this cycle's `Run`, at once."""

    def __init__(self, run_ids: list[str]) -> None:
        self.run_ids = run_ids
        self.runs: dict[str, Run] = {}

    def prepare(self, cycle: int) -> None:
        """Build the answers of `cycle` (outside the measured time)."""
        self.runs = {rid: _run(rid, i + 1, cycle) for i, rid in enumerate(self.run_ids)}

    async def get_run(self, run_id: str) -> Run:
        """This cycle's run."""
        return self.runs[run_id]


async def _wait_for(predicate: Callable[[], bool], timeout: float = 60.0) -> None:
    end = time.perf_counter() + timeout
    while not predicate():
        if time.perf_counter() > end:
            raise TimeoutError("the app did not finish the cycle in time")
        await asyncio.sleep(0.0005)


async def measure(n_runs: int, cycles: int) -> dict[str, Any]:
    """Per cycle: seconds to apply it to the screen, and the longest loop stall."""
    run_ids = [str(uuid.UUID(int=i + 1, version=4)) for i in range(n_runs)]
    clock = FakeClock()
    source = CycleSource(run_ids)
    source.prepare(0)  # the app starts polling as soon as it is mounted
    scheduler = Scheduler(
        source, clock=clock, interval=INTERVAL, waiting_interval=INTERVAL, jitter=0.0
    )
    app = NektApp(
        scheduler=scheduler,
        clock=clock,
        store=RunStore.in_memory(StoredRun(rid, None, None) for rid in run_ids),
        host="benchmark",
        bell="off",
    )
    seen = {"changed": 0, "last": 0.0}
    on_engine_event = app.on_engine_event

    def counting_event(event: Event) -> None:
        on_engine_event(event)
        if isinstance(event, StatusChanged):
            seen["changed"] += 1
            seen["last"] = time.perf_counter()

    # The instance attribute shadows the method: the app's event worker calls it.
    app.on_engine_event = counting_event  # type: ignore[method-assign]
    results: list[dict[str, float]] = []
    probe = LagProbe(0.002)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await clock.advance(0)
        await _wait_for(lambda: seen["changed"] >= n_runs)
        await pilot.pause()
        probe.start()
        for cycle in range(1, cycles + 1):
            source.prepare(cycle)
            await pilot.pause()
            await asyncio.sleep(0.05)  # let the probe see a quiet loop first
            target = seen["changed"] + n_runs
            probe.reset()
            t0 = time.perf_counter()
            await clock.advance(INTERVAL)
            await _wait_for(lambda t=target: seen["changed"] >= t)  # type: ignore[misc]
            t_events = seen["last"]
            await _wait_for(lambda: not app._flush_pending and not app.reducer.pending)
            t_applied = time.perf_counter()
            # pilot.pause() waits for every widget to handle its messages, then renders
            # whatever is still dirty at once (instead of at the next 60 Hz frame).
            await pilot.pause()
            t_frame = time.perf_counter()
            await asyncio.sleep(probe.period * 4)
            results.append(
                {
                    "cycle_s": t_frame - t0,
                    "events_s": t_events - t0,
                    "applied_s": t_applied - t0,
                    "stall_s": probe.peak,
                }
            )
        await probe.stop()
        shown = sum(1 for rid in run_ids if app.model.rows[rid].run is source.runs[rid])
        await pilot.exit(0)
    return {
        "runs": n_runs,
        "cycles": results,
        "rows_current": shown,
        "cycle_s": statistics.median(r["cycle_s"] for r in results),
        "stall_s": statistics.median(r["stall_s"] for r in results),
        "max_stall_s": max(r["stall_s"] for r in results),
    }


def figure(size: Size) -> Figure:
    """Figure 4: many runs vs few, both changing every cycle."""
    many = size.pick(2000, 200)
    few = 20
    cycles = size.pick(5, 2)
    fig = Figure(4, "The UI under load")
    big: list[dict[str, Any]] = []
    small: list[dict[str, Any]] = []
    for rep in range(size.repeat):
        small.append(asyncio.run(measure(few, cycles)))
        big.append(asyncio.run(measure(many, cycles)))
        log(
            f"rep {rep + 1}: {many} runs: cycle {big[-1]['cycle_s'] * 1e3:.0f} ms, "
            f"stall {big[-1]['max_stall_s'] * 1e3:.0f} ms; {few} runs: cycle "
            f"{small[-1]['cycle_s'] * 1e3:.0f} ms"
        )
    fig.rows.append(
        Row(
            "4a",
            f"Apply one cycle, {many:,} runs all changing",
            "ms",
            [b["cycle_s"] * 1e3 for b in big],
            [s["cycle_s"] * 1e3 for s in small],
            f"the same app with {few} runs",
            f"≤ 100 ms, ratio ≤ {many // few}× (linear)",
            check=lambda r: (r.value or 1e9) <= 100 and (r.ratio or 1e9) <= many / few,
        )
    )
    fig.rows.append(
        Row(
            "4b",
            f"Longest event-loop stall during a cycle, {many:,} runs",
            "ms",
            [b["max_stall_s"] * 1e3 for b in big],
            [s["max_stall_s"] * 1e3 for s in small],
            f"the same app with {few} runs",
            "≤ 50 ms (median of the reps)",
            check=lambda r: (r.value or 1e9) <= 50,
        )
    )
    fig.raw = {"runs": many, "baseline_runs": few, "cycles": cycles, "many": big, "few": small}
    return fig
