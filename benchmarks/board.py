"""Figure 8: the pipelines board. 1,000 pipelines drawn after the lists' answer arrives.

The real app (headless, `run_test`) opens its board (`b`) on a source answering both
pipeline lists from memory (pages of 100, built before the clock starts). Each read waits
at a gate until the screen has settled; then the gate opens and the pages are answered
at once. What is measured (wall clock, `time.perf_counter`):

- start: the last page of the read is handed to the board (the answer has arrived);
- end: the board is settled (no repaint, layout or message pending anywhere on the
  screen: `ui_load.settled`) and the last frame Textual composed after the start
  (`ui_load.FrameLog`).

Every read changes every pipeline's last run (status and start move), so each draw is
a new one. The baseline is figure 4's cycle for the watch list with the same number of
runs: the time from their answers arriving to the watch list drawn.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from typing import Any

from benchmarks.common import Figure, Row, Size, log
from benchmarks.ui_load import FrameLog, _wait_for, measure, settled
from nekt_tui.api.lists import PipelineKind, PipelinePage
from nekt_tui.clock import FakeClock, SystemClock
from nekt_tui.ui.app import AppOptions, NektApp
from nekt_tui.ui.screens.pipelines import PipelinesScreen
from nekt_tui.ui.state.session import WatchSession
from nekt_tui.ui.state.store import RunStore

SIZE = (160, 48)
PAGE = 100
_STATUSES = ("failed", "running", "success", "queued", "canceled")
_CRONS = ("0 * * * *", "*/15 * * * *", "30 2 * * *", "0 6 * * 1")


def _page(kind: PipelineKind, page: int, total: int, read: int) -> PipelinePage:
    start = (page - 1) * PAGE
    items = []
    for i in range(start, min(total, start + PAGE)):
        n = i + (0 if kind == "sources" else 100_000)
        trigger: dict[str, Any] = (
            {"type": "event", "events": ["source-done"]}
            if n % 3 == 0
            else {"type": "cron", "cron_expression": _CRONS[n % 4], "cron_timezone": "UTC"}
        )
        items.append(
            {
                "id": f"{kind}-{n}",
                "slug": f"{kind[:5]}-pipeline-{n:05d}",
                "active": True,
                "pipeline_triggers": [trigger],
                "last_run": {
                    "id": f"00000000-0000-4000-8000-{n:012d}",
                    "status": _STATUSES[(n + read) % len(_STATUSES)],
                    "started_at": f"2026-01-15T{(n + read) % 12:02d}:{n % 60:02d}:00Z",
                    "ended_at": f"2026-01-15T{(n + read) % 12 + 1:02d}:00:00Z",
                },
            }
        )
    more = start + PAGE < total
    return PipelinePage.model_validate(
        {"count": total, "next": "more" if more else None, "results": items}
    )


class GatedLister:
    """Both lists of `n` pipelines (half each), answered from memory once `gate` opens;
    `arrived` is when the last page of a read was handed over."""

    def __init__(self, n: int) -> None:
        self.per_kind = {"sources": n // 2, "transformations": n - n // 2}
        self.gate = asyncio.Event()
        self.arrived = 0.0
        self.read = 0
        self.pages: dict[tuple[str, int], PipelinePage] = {}

    def prepare(self, read: int) -> None:
        """Build the pages of a read (outside the measured time)."""
        self.read = read
        self.pages = {}
        for kind, total in self.per_kind.items():
            for page in range(1, max(1, -(-total // PAGE)) + 1):
                self.pages[(kind, page)] = _page(kind, page, total, read)  # type: ignore[arg-type]

    async def list_pipelines(
        self,
        kind: PipelineKind,
        page: int = 1,
        page_size: int = 50,
        *,
        statuses: tuple[str, ...] = (),
        expand: tuple[str, ...] = (),
    ) -> PipelinePage:
        """A page, once the gate is open."""
        await self.gate.wait()
        answer = self.pages[(kind, page)]
        if kind == "transformations" and not answer.next:
            self.arrived = time.perf_counter()
        return answer

    async def get_run(self, run_id: str, *, patient: bool = False) -> Any:
        """Never asked: the watch list is empty."""
        raise KeyError(run_id)


async def measure_board(n: int, reads: int) -> dict[str, Any]:
    """Per read: seconds from the answer's arrival to the board drawn."""
    lister = GatedLister(n)
    lister.prepare(0)
    clock = FakeClock()
    session = WatchSession(source=lister, clock=clock, store=RunStore.in_memory())  # type: ignore[arg-type]
    app = NektApp(session, AppOptions(host="benchmark", bell="off"), clock=SystemClock())
    results: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(1000):
            if app.started:
                break
            await pilot.pause()
        await pilot.press("b")
        await pilot.pause()
        board = app.screen
        assert isinstance(board, PipelinesScreen)
        frames = FrameLog(app, board)
        for read in range(reads):
            if read:
                lister.prepare(read)
                lister.gate.clear()
                board.action_reload()
            await pilot.pause()
            await _wait_for(lambda: settled(app))
            done = board.reads
            lister.gate.set()
            await _wait_for(lambda d=done: board.reads > d)  # type: ignore[misc]
            await _wait_for(lambda: settled(app), poll=0.0005)
            drawn = frames.since(frames.frames, lister.arrived)
            if not drawn:
                raise RuntimeError("the board was drawn in no frame")
            if len(board.listing.rows) != n:
                raise RuntimeError(f"the board shows {len(board.listing.rows)} of {n}")
            results.append(drawn[-1] - lister.arrived)
        await pilot.exit(0)
    return {"pipelines": n, "reads": results, "draw_s": statistics.median(results)}


def figure(size: Size) -> Figure:
    """Figure 8: the board with 1,000 pipelines against the watch list with 1,000 runs."""
    n = size.pick(1000, 100)
    reads = size.pick(5, 2)
    fig = Figure(8, "The pipelines board")
    board: list[dict[str, Any]] = []
    watch: list[dict[str, Any]] = []
    for rep in range(size.repeat):
        board.append(asyncio.run(measure_board(n, reads)))
        watch.append(asyncio.run(measure(n, reads)))
        log(
            f"rep {rep + 1}: board of {n}: {board[-1]['draw_s'] * 1e3:.0f} ms; watch list "
            f"of {n}: {watch[-1]['cycle_s'] * 1e3:.0f} ms"
        )
    fig.rows.append(
        Row(
            "8",
            f"Board drawn after the lists' answer, {n:,} pipelines",
            "ms",
            [b["draw_s"] * 1e3 for b in board],
            [w["cycle_s"] * 1e3 for w in watch],
            f"the watch list drawn after {n:,} runs' answers",
            "≤ 300 ms",
            check=lambda r: (r.value or 1e9) <= 300,
        )
    )
    fig.raw = {"pipelines": n, "reads": reads, "board": board, "watch_list": watch}
    return fig
