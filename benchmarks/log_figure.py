"""Figure 5: the log panel. Opening a 200,000-line log once vs applying a 1,000-line poll.

Uses `benchmarks.log_append.measure` (the real `LogPanel` in a headless app), one call per
repetition. The figure compares CPU time, repaint included: wall time would add the wait
for the next frame (up to 1/60 s, more on a busy machine), which is no work at all and
would swamp a 1,000-line append. The wall times are in the raw numbers.
"""

from __future__ import annotations

from typing import Any

from benchmarks.common import Figure, Row, Size, log
from benchmarks.log_append import SMALL, measure


def figure(size: Size) -> Figure:
    """Figure 5."""
    total = size.pick(200_000, 20_000)
    append = 1_000
    fig = Figure(5, "Log append vs opening the whole log")
    runs: list[dict[str, Any]] = []
    for rep in range(size.repeat):
        runs.append(measure(total, append))
        m = runs[-1]
        log(
            f"rep {rep + 1}: CPU to open {m['open_cpu_s'] * 1e3:.0f} ms, to append at "
            f"{total:,} {m['append_large_cpu_s'] * 1e3:.1f} ms, at {SMALL:,} "
            f"{m['append_small_cpu_s'] * 1e3:.1f} ms; one line at {total:,} "
            f"{m['append_one_large_cpu_s'] * 1e3:.1f} ms "
            f"({m['append_one_large_rows_built']} row drawn anew); repainting the unchanged "
            f"view {m['repaint_only_cpu_s'] * 1e3:.1f} ms"
        )
    fig.rows.append(
        Row(
            "5a",
            f"Apply a {append:,}-line poll to a {total:,}-line log (CPU)",
            "ms",
            [m["append_large_cpu_s"] * 1e3 for m in runs],
            [m["open_cpu_s"] * 1e3 for m in runs],
            f"open the {total:,}-line log",
            "≤ 5% (0.05×)",
            check=lambda r: (r.ratio if r.ratio is not None else 1.0) <= 0.05,
        )
    )
    fig.rows.append(
        Row(
            "5b",
            f"The same append at {total:,} lines (CPU)",
            "ms",
            [m["append_large_cpu_s"] * 1e3 for m in runs],
            [m["append_small_cpu_s"] * 1e3 for m in runs],
            f"the same append at {SMALL:,} lines",
            "≤ 2×",
            check=lambda r: (r.ratio if r.ratio is not None else 9.0) <= 2.0,
        )
    )
    fig.raw = {"lines_total": total, "lines_append": append, "runs": runs}
    return fig
