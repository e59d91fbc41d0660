"""Figure 10: 10,000 watched runs against 2,000 and 20: a poll cycle, the stalls, memory, start-up.

Cycles (10a, 10b, 10c, 10f): each size runs in a fresh child process (`python -m benchmarks.scale
cycles --runs N`), so its peak memory is its own and the collector starts clean. The app
is built as the command line builds it: a `WatchSession` that makes its own `Scheduler`
(events through its callback, not a stream; its random spread off, so every run is due
at the same instant: the worst case) from a source that answers at once from memory, on
a `FakeClock`, with the watch list in a file (each cycle's statuses are saved once a
second by the tick, fsync included); frames and the tick run on the real clock, as in figure 4
(`benchmarks.ui_load`, whose frame log and "settled" test are reused). Every cycle every
run is polled and changes (status and one log line). A cycle is from the moment the
polls become due to the last frame of the settled screen. Run IDs are random (as real
ones), so short IDs are 8 characters.

After the cycles, the same child times what a user does to the list (`interactions_s`):
sort (status, then pipeline), filter (`status:failed`, a word, cleared) and scroll (end,
page up, home, one row down), each from the action to its settled frame. The longest
event-loop stall (10c) is over the cycles and these actions; the peak RSS (10d) is the
child's VmHWM at the end.

The same child then runs the engine alone (`engine_cycle_s`): the same cycles of the
same `Scheduler` with no app, its events to a no-op. What is left of 10a is the app's.

Start-up (10e): `nekt-tui` as a user starts it, on a 160x48 pty, with a state file of
10,000 runs against the same with an empty one, process start to first full frame (see
`benchmarks.terminal`); an API key is set and the API URL is a closed loopback port, so
polling (which starts after the first frame) changes nothing on either side.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import gc
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from benchmarks.common import Figure, LagProbe, Row, Size, log
from benchmarks.terminal import TerminalProcess

INTERVAL = 2.0
SIZE = (160, 48)


def run_ids(n: int, seed: int = 18) -> list[str]:
    """`n` random-looking version-4 run IDs (the same for a seed)."""
    rng = random.Random(seed)
    return [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(n)]


def _vm_hwm_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024 / 1e6
    return float("nan")


async def measure_cycles(n_runs: int, cycles: int) -> dict[str, Any]:
    """In this process: `cycles` poll cycles of `n_runs` runs all changing, then the list's
    sort, filter and scroll actions; seconds each, the longest stall, the peak RSS."""
    from benchmarks.ui_load import CycleSource, FrameLog, _wait_for, settled
    from nekt_tui.clock import FakeClock, SystemClock
    from nekt_tui.ui.app import AppOptions, NektApp
    from nekt_tui.ui.state.ports import PollSettings
    from nekt_tui.ui.state.session import WatchSession
    from nekt_tui.ui.state.store import RunStore
    from nekt_tui.watch import scheduler as scheduler_module
    from nekt_tui.watch.entry import WatchEntry
    from nekt_tui.watch.events import Event, StatusChanged
    from nekt_tui.watch.watchlist import WatchList

    # The engine the session builds, without its random spread: every run is due at the
    # same instant, the worst case (a burst), as in figure 4.
    scheduler_module.Scheduler = functools.partial(  # type: ignore[misc]
        scheduler_module.Scheduler, jitter=0.0
    )

    ids = run_ids(n_runs)
    # The watch list on disk, as a user has it: the statuses of every cycle are saved
    # (once a second, from the tick) with the file's fsync, inside the measured time.
    state_dir = tempfile.TemporaryDirectory(prefix="nekt-bench-")
    state_file = os.path.join(state_dir.name, "watchlist.json")
    WatchList(Path(state_file), [WatchEntry(rid) for rid in ids]).save()
    clock = FakeClock()
    source = CycleSource(ids)
    source.prepare(0)
    session = WatchSession(
        clock=clock,
        source=source,  # type: ignore[arg-type]  # answers get_run, as RunSource asks
        store=RunStore(WatchList.load(Path(state_file))),
        settings=PollSettings(interval=INTERVAL, waiting_interval=INTERVAL, run_list=False),
        rng=random.Random(7),
    )
    app = NektApp(session, AppOptions(host="benchmark", bell="off"), clock=SystemClock())
    seen = {"changed": 0, "last": 0.0, "drawn": 0.0}
    on_engine_event = app.on_engine_event

    def counting_event(event: Event) -> None:
        on_engine_event(event)
        if isinstance(event, StatusChanged):
            seen["changed"] += 1
            seen["last"] = time.perf_counter()

    draw_now = app.draw_now

    def timed_draw() -> None:
        batch = app.frame_pending
        draw_now()
        if batch:
            seen["drawn"] = time.perf_counter()

    # The instance attributes shadow the methods: the engine's callback and the frame
    # timer call them through the app.
    app.on_engine_event = counting_event  # type: ignore[method-assign]
    app.draw_now = timed_draw  # type: ignore[method-assign]
    step = INTERVAL
    # The collector's full (generation 2) collections from the first cycle on: each one
    # stops the loop for as long as it walks every live object.
    full_gcs: list[float] = []
    gc_started = {"t": 0.0, "on": 0.0}

    def on_gc(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            gc_started["t"] = time.perf_counter()
        elif info["generation"] == 2 and gc_started["on"]:
            full_gcs.append(time.perf_counter() - gc_started["t"])

    gc.callbacks.append(on_gc)
    probe = LagProbe(0.002)
    results: list[dict[str, float]] = []
    actions: dict[str, float] = {}
    stalls: dict[str, float] = {}
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await clock.advance(0)
        await _wait_for(lambda: seen["changed"] >= n_runs, timeout=300)
        await _wait_for(lambda: settled(app))
        frames = FrameLog(app, app.screen)
        probe.start()
        gc_started["on"] = 1.0

        async def timed(action: Callable[[], object]) -> tuple[float, float]:
            await asyncio.sleep(0.05)  # a quiet loop first
            if not settled(app):
                await _wait_for(lambda: settled(app))
                await asyncio.sleep(0.02)
            probe.reset()
            t0 = time.perf_counter()
            action()
            await _wait_for(lambda: settled(app), poll=0.001)
            drawn = frames.since(frames.frames, t0)
            t_end = drawn[-1] if drawn else time.perf_counter()
            await asyncio.sleep(probe.period * 4)
            return t_end - t0, probe.peak

        for cycle in range(1, cycles + 1):
            source.prepare(cycle)
            target = seen["changed"] + n_runs

            async def one_cycle(target: int = target) -> None:
                await clock.advance(step)
                await _wait_for(lambda: seen["changed"] >= target, timeout=300)
                await _wait_for(lambda: not app.frame_pending and not app.reducer.pending)

            await asyncio.sleep(0.05)
            await _wait_for(lambda: settled(app))
            probe.reset()
            t0 = time.perf_counter()
            await one_cycle()
            await _wait_for(lambda: settled(app), poll=0.001)
            drawn = frames.since(frames.frames, t0)
            # A last batch of rows out of view is drawn in no frame: the cycle then ended
            # when it was applied.
            t_end = max([seen["drawn"], *drawn])
            await asyncio.sleep(probe.period * 4)
            results.append(
                {
                    "cycle_s": t_end - t0,
                    "events_s": seen["last"] - t0,
                    # What a user waits for once the answers are in: the last one's frame.
                    "after_last_s": t_end - seen["last"],
                    "stall_s": probe.peak,
                    "frames": len(drawn),
                }
            )

        watch_list = app.widgets.watch_list
        steps: list[tuple[str, Callable[[], object]]] = [
            ("sort_status", app.action_sort),
            ("sort_pipeline", app.action_sort),
            ("filter_status", lambda: app.set_filter("status:running")),
            ("filter_word", lambda: app.set_filter("pipeline-07")),
            ("filter_clear", lambda: app.set_filter("")),
            ("scroll_end", lambda: watch_list.action_jump(-1)),
            ("scroll_page_up", lambda: watch_list.action_page(-1)),
            ("scroll_home", lambda: watch_list.action_jump(0)),
            ("cursor_down", lambda: watch_list.action_cursor(1)),
        ]
        for name, action in steps:
            actions[name], stalls[name] = await timed(action)
        await probe.stop()
        gc.callbacks.remove(on_gc)
        rows_current = sum(1 for rid in ids if app.model.rows[rid].run is source.runs[rid])
        await pilot.exit(0)
    saves = session.store.saves
    state_dir.cleanup()
    return {
        "runs": n_runs,
        "cycles": results,
        "cycle_s": statistics.median(r["cycle_s"] for r in results),
        "max_cycle_stall_s": max(r["stall_s"] for r in results),
        "after_last_s": statistics.median(r["after_last_s"] for r in results),
        "interactions_s": actions,
        "interaction_stalls_s": stalls,
        "max_stall_s": max([*stalls.values(), *(r["stall_s"] for r in results)]),
        "rows_current": rows_current,
        "full_gc_s": full_gcs,
        "saves": saves,
        "peak_rss_mb": _vm_hwm_mb(),
    }


async def engine_cycles(n_runs: int, cycles: int) -> list[float]:
    """The engine alone, the same cycles with no app (events to a no-op): seconds each.

    What no change to the UI can take off a cycle."""
    from benchmarks.ui_load import CycleSource
    from nekt_tui.clock import FakeClock
    from nekt_tui.watch.scheduler import Scheduler

    ids = run_ids(n_runs)
    clock = FakeClock()
    source = CycleSource(ids)
    source.prepare(0)
    scheduler = Scheduler(
        source,  # type: ignore[arg-type]
        clock=clock,
        interval=INTERVAL,
        waiting_interval=INTERVAL,
        jitter=0.0,
        on_event=lambda event: None,
    )
    for rid in ids:
        scheduler.watch(rid)
    scheduler.start()
    await clock.advance(0)
    await scheduler.idle()
    seconds = []
    for cycle in range(1, cycles + 1):
        source.prepare(cycle)
        t0 = time.perf_counter()
        await clock.advance(INTERVAL)
        await scheduler.idle()
        seconds.append(time.perf_counter() - t0)
    await scheduler.aclose()
    return seconds


def cycles_in_child(n_runs: int, cycles: int) -> dict[str, Any]:
    """`measure_cycles` in a fresh interpreter (its own memory and collector)."""
    argv = [sys.executable, "-m", "benchmarks.scale", "cycles", "--runs", str(n_runs)]
    argv += ["--cycles", str(cycles)]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=900, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"cycles of {n_runs} runs failed: {out.stderr.strip()[-400:]}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


# ---- start-up ---------------------------------------------------------------------------


def write_state(path: str, n_runs: int) -> None:
    """A watch list of `n_runs` runs as a previous session leaves it (statuses seen)."""
    from nekt_tui.watch.entry import WatchEntry
    from nekt_tui.watch.watchlist import WatchList

    statuses = ("success", "failed", "running", "queued", "canceled")
    seen = datetime(2026, 1, 15, 12, 0, tzinfo=timezone.utc)
    entries = [
        WatchEntry(rid, None, statuses[i % len(statuses)], seen)
        for i, rid in enumerate(run_ids(n_runs, seed=9))
    ]
    WatchList(Path(path), entries).save()


def first_frame(state_file: str) -> float:
    """Seconds from process start to the first full frame of nekt-tui on `state_file`."""
    argv = ("env", "NEKT_API_KEY=benchmark-key", sys.executable, "-m", "nekt_tui")
    argv += ("--state-file", state_file, "--api-url", "http://127.0.0.1:9")
    with TerminalProcess(argv) as proc:
        return proc.wait_first_frame()


def startup(size: Size, n_runs: int, tmp: str) -> dict[str, Any]:
    """First-frame seconds with `n_runs` saved runs and with none, in alternating pairs."""
    full = os.path.join(tmp, "full.json")
    empty = os.path.join(tmp, "empty.json")
    write_state(full, n_runs)
    if not size.quick:
        first_frame(empty)  # warm the OS file cache, untimed
        first_frame(full)
    big: list[float] = []
    none: list[float] = []
    for rep in range(size.pick(3 * size.repeat, size.repeat)):
        pair = (full, empty) if rep % 2 == 0 else (empty, full)
        for path in pair:
            (big if path == full else none).append(first_frame(path))
        log(f"start-up pair {rep + 1}: {n_runs:,} runs {big[-1]:.3f} s, empty {none[-1]:.3f} s")
    return {"runs": n_runs, "full_s": big, "empty_s": none}


# ---- the figure -------------------------------------------------------------------------


def _per_run(value: float, runs: int) -> float:
    return value / runs


def figure(size: Size) -> Figure:
    """Figure 10: 10,000 runs."""
    many = size.pick(10_000, 500)
    mid = size.pick(2_000, 100)
    few = size.pick(20, mid)
    cycles = size.pick(4, 2)
    fig = Figure(10, "10,000 watched runs")
    big: list[dict[str, Any]] = []
    middle: list[dict[str, Any]] = []
    small: list[dict[str, Any]] = []
    for rep in range(size.repeat):
        middle.append(cycles_in_child(mid, cycles))
        # Quick (CI's smoke run): the middle size stands in for the smallest.
        small.append(middle[-1] if size.quick else cycles_in_child(few, cycles))
        big.append(cycles_in_child(many, cycles))
        log(
            f"rep {rep + 1}: {many:,} runs: cycle {big[-1]['cycle_s'] * 1e3:.0f} ms (engine "
            f"alone {big[-1]['engine_cycle_s'] * 1e3:.0f} ms), stall "
            f"{big[-1]['max_stall_s'] * 1e3:.0f} ms, RSS {big[-1]['peak_rss_mb']:.0f} MB; "
            f"{mid:,} runs: cycle {middle[-1]['cycle_s'] * 1e3:.0f} ms; {few} runs: "
            f"RSS {small[-1]['peak_rss_mb']:.0f} MB"
        )
    with tempfile.TemporaryDirectory(prefix="nekt-bench-") as tmp:
        start = startup(size, many, tmp)
    fig.rows += [
        Row(
            "10a",
            f"Apply one cycle, {many:,} runs all changing",
            "ms",
            [b["cycle_s"] * 1e3 for b in big],
            [m["cycle_s"] * 1e3 for m in middle],
            f"the same app with {mid:,} runs",
            "≤ 100 ms",
            check=lambda r: (r.value or 1e9) <= 100,
        ),
        Row(
            "10b",
            f"The same cycle per run changed, {many:,} runs",
            "µs",
            [_per_run(b["cycle_s"], many) * 1e6 for b in big],
            [_per_run(m["cycle_s"], mid) * 1e6 for m in middle],
            f"per run changed with {mid:,} runs",
            "≤ 1.5×",
            check=lambda r: (r.ratio or 1e9) <= 1.5,
        ),
        Row(
            "10c",
            f"Longest event-loop stall, {many:,} runs: cycles, sort, filter, scroll",
            "ms",
            [b["max_stall_s"] * 1e3 for b in big],
            [s["max_stall_s"] * 1e3 for s in small],
            f"the same with {few} runs",
            "≤ 50 ms",
            check=lambda r: (r.value or 1e9) <= 50,
        ),
        Row(
            "10d",
            f"Peak RSS, {many:,} runs watched, all fetched and changing",
            "MB",
            [b["peak_rss_mb"] for b in big],
            [s["peak_rss_mb"] for s in small],
            f"the same with {few} runs",
            "≤ 200 MB",
            check=lambda r: (r.value or 1e9) <= 200,
        ),
        Row(
            "10e",
            f"Start-up to the first full frame, {many:,} saved runs",
            "s",
            start["full_s"],
            start["empty_s"],
            "the same with an empty watch list",
            "≤ 2×",
            check=lambda r: (r.ratio or 1e9) <= 2,
        ),
        Row(
            "10f",
            f"From the cycle's last answer to its frame, {many:,} runs",
            "ms",
            [b["after_last_s"] * 1e3 for b in big],
            [m["after_last_s"] * 1e3 for m in middle],
            f"the same with {mid:,} runs",
            "≤ 100 ms",
            check=lambda r: (r.value or 1e9) <= 100,
        ),
    ]
    fig.raw = {"many": big, "middle": middle, "few": small, "startup": start}
    return fig


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m benchmarks.scale cycles --runs N [--cycles K]`: one JSON line."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scale")
    parser.add_argument("command", choices=("cycles",))
    parser.add_argument("--runs", type=int, required=True)
    parser.add_argument("--cycles", type=int, default=4)
    args = parser.parse_args(argv)
    result = asyncio.run(measure_cycles(args.runs, args.cycles))
    engine = asyncio.run(engine_cycles(args.runs, args.cycles))
    result["engine_cycle_s"] = statistics.median(engine)
    result["engine_cycles_s"] = engine
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
