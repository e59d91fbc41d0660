"""Figure 4: the TUI under load. Thousands of watched runs, every one changing every cycle.

The real app (`NektApp`, headless through `run_test`) is given a real `Scheduler` on a
`FakeClock` whose source answers at once from memory, so a cycle is exactly what one poll
interval brings (the app's own frames and once-a-second tick run on a `SystemClock`, so
the frame delay is real time, as a user waits for it): every run polled once, and every
run's status and log changed (status flips between `running` and `cancelling`, both
polled every interval, and one log line is added). The runs' `Run` objects are built
before each cycle starts, so the time measured is the engine's and the UI's, not the
benchmark's.

What a cycle measures (all wall-clock, `time.perf_counter`):

- start: just before the fake clock moves by one interval (the polls become due);
- `events_s`: the last engine `StatusChanged` of the cycle reached the app;
- `applied_s`: the app has folded every event into its model and its frame timer
  (`app.FRAME`, 1/30 s after the first event) has pushed the batch into the widgets;
- `cycle_s`, the figure: the moment Textual finished composing the last frame of the
  cycle, the one after which the screen is settled. A frame is timestamped where Textual
  hands the composed `CompositorUpdate` to `App._display` (headless, nothing is written
  after that; a real terminal adds the write). The screen is settled when the app's frame
  timer and model have nothing pending, no widget or the screen has a repaint, layout,
  scroll or recompose pending (flags or queued messages) and no call-after-refresh
  waits. So Textual's own 60 Hz screen-update timer and every layout a frame triggers
  (e.g. a container whose scroll range changed asks for a second one) count, and the
  app's 1/30 s frame coalescing is included, as a user would wait for it.
- `frames`, `layouts`: frames composed and full-screen layouts (`Screen._refresh_layout`
  without scroll) in the cycle;
- `stall_s`: the longest time the event loop was busy during the cycle, from a loop-lag
  probe (a task that asks to wake every 2 ms), until a few probe periods after the end.

The end is found by polling (every `SETTLE_POLL` s) whether the screen is settled, and
then taking the last frame's timestamp, so the poll period does not move the end. The
previous end, `pilot.pause()`, waited for 20 ms slices of idle CPU and then forced a
frame: 20-60 ms after the app had finished, by slice quantisation.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.geometry import Size as ScreenSize
from textual.screen import Screen
from textual.widget import Widget

from benchmarks.common import Figure, LagProbe, Row, Size, log
from nekt_tui.api.models import Run
from nekt_tui.clock import FakeClock, SystemClock
from nekt_tui.ui.app import AppOptions, NektApp
from nekt_tui.ui.state.session import WatchSession
from nekt_tui.ui.state.store import RunStore, StoredRun
from nekt_tui.watch.events import Event, StatusChanged
from nekt_tui.watch.scheduler import Scheduler

INTERVAL = 2.0
SIZE = (160, 48)
SETTLE_POLL = 0.001
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

    async def get_run(self, run_id: str, *, patient: bool = False) -> Run:
        """This cycle's run."""
        return self.runs[run_id]


class FrameLog:
    """Timestamps the frames an app composes and counts its full-screen layouts.

    Wraps, on the instances only, `App._display` (every composed frame reaches it, also
    headless, where it writes nothing) and the screen's `_refresh_layout`."""

    def __init__(self, app: App[Any], screen: Screen[Any]) -> None:
        self.frames: list[float] = []
        self.layouts: list[float] = []
        display = app._display
        refresh_layout = screen._refresh_layout

        def timed_display(screen: Screen[Any], renderable: Any) -> None:
            display(screen, renderable)
            if renderable is not None:
                self.frames.append(time.perf_counter())

        def counted_layout(size: ScreenSize | None = None, scroll: bool = False) -> None:
            if not (scroll and not screen._layout_widgets):  # the same test Textual makes
                self.layouts.append(time.perf_counter())
            refresh_layout(size, scroll)

        # The instance attributes shadow the methods; Textual calls them through `self`.
        app._display = timed_display  # type: ignore[method-assign]
        screen._refresh_layout = counted_layout  # type: ignore[method-assign]

    def since(self, times: list[float], t0: float) -> list[float]:
        """The timestamps in `times` at or after `t0`."""
        return [t for t in times if t >= t0]


def settled(app: NektApp) -> bool:
    """Nothing left to draw: no batch waiting for the app's frame timer, and no repaint,
    layout, scroll or recompose pending anywhere on the screen (a flag not yet turned
    into a message, a message not yet handled, or a frame not yet composed)."""
    if app._flush_pending or app.reducer.pending:
        return False
    screen = app.screen
    if (
        screen._layout_required
        or screen._scroll_required
        or screen._repaint_required
        or screen._recompose_required
        or screen._dirty_widgets
        or screen._callbacks
    ):
        return False
    for node in (app, *screen.walk_children(with_self=True)):
        if not node._message_queue.empty():
            return False
        if isinstance(node, Widget) and (
            node._repaint_required
            or node._layout_required
            or node._scroll_required
            or node._recompose_required
        ):
            return False
    return True


async def _wait_for(
    predicate: Callable[[], bool], timeout: float = 60.0, poll: float = 0.0005
) -> None:
    end = time.perf_counter() + timeout
    while not predicate():
        if time.perf_counter() > end:
            raise TimeoutError("the app did not finish the cycle in time")
        await asyncio.sleep(poll)


async def measure(n_runs: int, cycles: int) -> dict[str, Any]:
    """Per cycle: seconds to apply it to the screen, and the longest loop stall."""
    run_ids = [str(uuid.UUID(int=i + 1, version=4)) for i in range(n_runs)]
    clock = FakeClock()
    source = CycleSource(run_ids)
    source.prepare(0)  # the app starts polling as soon as it is mounted
    scheduler = Scheduler(
        source, clock=clock, interval=INTERVAL, waiting_interval=INTERVAL, jitter=0.0
    )
    session = WatchSession(
        scheduler=scheduler,
        clock=clock,
        store=RunStore.in_memory(StoredRun(rid, None, None) for rid in run_ids),
    )
    # Polls on the fake clock, frames and the tick on the real one: the cycle's time is
    # the engine's, the 1/30 s frame delay and Textual's drawing, in real time.
    app = NektApp(session, AppOptions(host="benchmark", bell="off"), clock=SystemClock())
    seen = {"changed": 0, "last": 0.0, "drawn": 0.0}
    on_engine_event = app.on_engine_event
    draw_now = app.draw_now

    def counting_event(event: Event) -> None:
        on_engine_event(event)
        if isinstance(event, StatusChanged):
            seen["changed"] += 1
            seen["last"] = time.perf_counter()

    def timed_draw() -> None:
        batch = app._flush_pending
        draw_now()
        if batch:
            seen["drawn"] = time.perf_counter()

    # The instance attributes shadow the methods: the app's event worker and frame
    # timer call them through `self`.
    app.on_engine_event = counting_event  # type: ignore[method-assign]
    app.draw_now = timed_draw  # type: ignore[method-assign]
    results: list[dict[str, float]] = []
    probe = LagProbe(0.002)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await clock.advance(0)
        await _wait_for(lambda: seen["changed"] >= n_runs)
        await pilot.pause()
        frames = FrameLog(app, app.screen)
        probe.start()
        for cycle in range(1, cycles + 1):
            source.prepare(cycle)
            await pilot.pause()
            await asyncio.sleep(0.05)  # let the probe see a quiet loop first
            if not settled(app):
                raise RuntimeError("the screen was not settled before the cycle")
            target = seen["changed"] + n_runs
            probe.reset()
            t0 = time.perf_counter()
            await clock.advance(INTERVAL)
            await _wait_for(lambda t=target: seen["changed"] >= t)  # type: ignore[misc]
            t_events = seen["last"]
            await _wait_for(lambda: not app._flush_pending and not app.reducer.pending)
            # When the last batch went into the widgets (not when this poll noticed).
            t_applied = seen["drawn"]
            # Not `pilot.pause()`: it would force a frame at a moment of its own choosing.
            await _wait_for(lambda: settled(app), poll=SETTLE_POLL)
            drawn = frames.since(frames.frames, t0)
            if not drawn:
                raise RuntimeError("the cycle's updates reached the screen in no frame")
            # A last batch that changed nothing on screen (rows out of view) is drawn in
            # no frame: the cycle then ended when it was applied.
            t_end = max(drawn[-1], t_applied)
            await asyncio.sleep(probe.period * 4)
            results.append(
                {
                    "cycle_s": t_end - t0,
                    "events_s": t_events - t0,
                    "applied_s": t_applied - t0,
                    "stall_s": probe.peak,
                    "frames": len(drawn),
                    "layouts": len(frames.since(frames.layouts, t0)),
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
