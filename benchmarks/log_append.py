"""Log panel benchmark: opening a big log once, and what an append costs as the log grows.

`measure(lines_total, lines_append)` runs the real `LogPanel` in a headless Textual app
and returns seconds (medians over a few repeats). The append cost should be flat: about
the same at 2,000 lines as at `lines_total` lines. Each poll hands the panel what the
engine would: a new `Run` whose `parsed_log` is the grown log, and the `LogDelta` the
engine's `LogTracker` computes from it. Run: `python -m benchmarks.log_append`.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from typing import Any

from textual.app import App, ComposeResult

from nekt_tui.api.models import Run
from nekt_tui.ui.widgets.log_panel import LogPanel
from nekt_tui.watch.log_delta import LogTracker

RUN_ID = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
SMALL = 2_000
REPEATS = 5
_LEVELS = ("INFO", "INFO", "INFO", "DEBUG", "WARNING", "ERROR")


def _line(i: int) -> str:
    level = _LEVELS[i % len(_LEVELS)]
    return f"2024-01-01T00:{i // 60 % 60:02d}:{i % 60:02d}Z {level} tap-orders | record {i} synced"


def _log(n: int, start: int = 0) -> str:
    return "\n".join(_line(i) for i in range(start, start + n)) + "\n"


def _run(log: str) -> Run:
    return Run.model_validate(
        {
            "id": RUN_ID,
            "status": "running",
            "pipeline": {"slug": "bench"},
            "log": {"parsed_log": log},
        }
    )


class _Host(App[None]):
    def compose(self) -> ComposeResult:
        yield LogPanel()


async def _measure(lines_total: int, lines_append: int) -> dict[str, Any]:
    app = _Host()
    out: dict[str, Any] = {"lines_total": lines_total, "lines_append": lines_append}
    async with app.run_test(size=(160, 48)) as pilot:
        panel = app.query_one(LogPanel)
        await pilot.pause()

        async def open_log(n: int) -> tuple[float, float]:
            run = _run(_log(n))
            panel.clear()
            await pilot.pause()
            start, cpu = time.perf_counter(), time.process_time()
            panel.select(RUN_ID, run)
            await pilot.pause()  # until the first screen is drawn
            return time.perf_counter() - start, time.process_time() - cpu

        async def appends(n: int, k: int = lines_append) -> tuple[float, float, float, int]:
            await open_log(n)
            run = panel.run
            assert run is not None and run.parsed_log is not None
            log = run.parsed_log
            tracker = LogTracker()
            tracker.update(RUN_ID, log)
            renderer = panel.view.renderer
            update, total, cpu_total, rows = [], [], [], []
            for r in range(REPEATS):
                log += _log(k, n + r * k)
                run = _run(log)
                delta = tracker.update(RUN_ID, log)
                built = renderer.rows_built
                start, cpu = time.perf_counter(), time.process_time()
                panel.update_run(RUN_ID, run, delta)
                mid = time.perf_counter()
                await pilot.pause()  # the repaint it causes
                end = time.perf_counter()
                update.append(mid - start)
                total.append(end - start)
                cpu_total.append(time.process_time() - cpu)
                rows.append(renderer.rows_built - built)
            return (
                statistics.median(update),
                statistics.median(total),
                statistics.median(cpu_total),
                max(rows),
            )

        async def repaint_only() -> float:
            """CPU of one repaint of the whole view with nothing changed: the floor under
            any append that scrolls the view (every row on screen is drawn again)."""
            cpu = []
            for _ in range(REPEATS):
                start = time.process_time()
                panel.view.refresh()
                await pilot.pause()
                cpu.append(time.process_time() - start)
            return statistics.median(cpu)

        out["open_s"], out["open_cpu_s"] = await open_log(lines_total)
        out["repaint_only_cpu_s"] = await repaint_only()
        small_update, small_total, small_cpu, _ = await appends(SMALL)
        large_update, large_total, large_cpu, large_rows = await appends(lines_total)
        _, _, one_cpu, one_rows = await appends(lines_total, 1)
    out["append_at_small"] = SMALL
    out["append_small_update_s"] = small_update
    out["append_small_s"] = small_total
    out["append_small_cpu_s"] = small_cpu
    out["append_large_update_s"] = large_update
    out["append_large_s"] = large_total
    out["append_large_cpu_s"] = large_cpu
    out["append_large_rows_built"] = large_rows  # log rows drawn anew per append (max)
    out["append_one_large_cpu_s"] = one_cpu  # a 1-line poll at `lines_total`, repaint included
    out["append_one_large_rows_built"] = one_rows
    out["append_ratio"] = large_total / small_total if small_total else None
    return out


def measure(lines_total: int = 200_000, lines_append: int = 1_000) -> dict[str, Any]:
    """Seconds to open `lines_total` lines, and to apply `lines_append` lines at 2k and at
    `lines_total` lines (`*_update_s`: the panel's own work; `*_s`: with the repaint;
    `*_cpu_s`: CPU time with the repaint, which leaves out the wait for the next frame)."""
    return asyncio.run(_measure(lines_total, lines_append))


if __name__ == "__main__":
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    print(json.dumps(measure(total), indent=2))
