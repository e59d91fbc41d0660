"""`python -m benchmarks [--quick] [--only N,...] [--out FILE] [--repeat K]`.

Runs the ten figures (see README, Performance), prints the table and writes every raw
number as JSON (to `benchmarks-results.json` unless `--out` says otherwise). Nothing here
asserts anything about speed: the exit code is 0 whether targets are met or not, and 1
only when a figure could not be measured at all.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import os
import sys
import time
import traceback
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from benchmarks.common import Figure, Row, Size, machine

#: Figure number -> module with a `figure(size) -> Figure`.
FIGURES = {
    1: "benchmarks.throughput",
    2: "benchmarks.economy",
    3: "benchmarks.shell_cost",
    4: "benchmarks.ui_load",
    5: "benchmarks.log_figure",
    6: "benchmarks.startup",
    7: "benchmarks.idle_memory",
    8: "benchmarks.board",
    9: "benchmarks.bandwidth",
    10: "benchmarks.scale",
}


def _num(value: float | None, unit: str = "") -> str:
    if value is None:
        return "-"
    if unit == "requests" or abs(value) >= 1000:
        text = f"{value:,.0f}"
    elif abs(value) >= 100:
        text = f"{value:.0f}"
    elif abs(value) >= 10:
        text = f"{value:.1f}"
    else:
        text = f"{value:.2f}"
    return f"{text} {unit}".strip()


def _ratio(row: Row) -> str:
    ratios = row.ratios
    if not ratios:
        return "-"
    mid = row.ratio or 0.0
    low, high = min(ratios), max(ratios)
    fmt = "{:.3f}" if mid < 0.1 else "{:.2f}"
    text = (fmt + "×").format(mid)
    if len(ratios) > 1:
        text += f" ({fmt.format(low)}–{fmt.format(high)})"
    return text


def table(figures: Sequence[Figure]) -> str:
    """The results as a Markdown table (the README's Performance table)."""
    head = ["#", "figure", "measured", "baseline", "ratio (min–max)", "target", "met"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for fig in figures:
        if fig.error is not None:
            lines.append(f"| {fig.number} | {fig.title} | error: {fig.error} | | | | ✗ |")
            continue
        for row in fig.rows:
            if row.skipped is not None:
                met = f"skipped: {row.skipped}"
            else:
                met = {True: "yes", False: "**no**", None: "-"}[row.met]
            cells = [
                row.figure,
                row.title,
                _num(row.value, row.unit),
                f"{_num(row.base, row.unit)} ({row.baseline_title})",
                _ratio(row),
                row.target,
                met,
            ]
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


def parse_only(text: str | None) -> list[int]:
    """`1,3,5` -> [1, 3, 5] (all figures when None)."""
    if not text:
        return list(FIGURES)
    out = []
    for part in text.split(","):
        number = int(part.strip())
        if number not in FIGURES:
            raise argparse.ArgumentTypeError(f"no figure {number}; figures are 1-{len(FIGURES)}")
        out.append(number)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Run the figures; print the table; write the JSON."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes (CI smoke run)")
    parser.add_argument("--only", help="comma-separated figure numbers, e.g. 1,4")
    parser.add_argument("--out", default="benchmarks-results.json", help="JSON output file")
    parser.add_argument(
        "--repeat", type=int, default=None, help="repetitions per figure (default 5, quick 1)"
    )
    args = parser.parse_args(argv)
    try:
        numbers = parse_only(args.only)
    except (ValueError, argparse.ArgumentTypeError) as exc:
        parser.error(str(exc))
    repeat = args.repeat if args.repeat is not None else (1 if args.quick else 5)
    if repeat < 1:
        parser.error("--repeat must be at least 1")
    size = Size(quick=args.quick, repeat=repeat)
    info = machine()
    started = time.perf_counter()
    figures: list[Figure] = []
    for number in numbers:
        module = importlib.import_module(FIGURES[number])
        print(f"figure {number} ...", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        try:
            fig = module.figure(size)
        except Exception as exc:
            traceback.print_exc()
            message = f"{type(exc).__name__}: {exc}"
            fig = Figure(number, module.__name__, error=message[:160])
        fig.seconds = time.perf_counter() - t0
        print(f"figure {number} done in {fig.seconds:.1f} s", file=sys.stderr, flush=True)
        figures.append(fig)
        gc.collect()
    info["loadavg_end"] = os.getloadavg()
    result: dict[str, Any] = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "quick": args.quick,
        "repeat": repeat,
        "seconds": time.perf_counter() - started,
        "machine": info,
        "figures": [fig.as_json() for fig in figures],
    }
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    cpu = f"{info['cpu_model']}, {info['cores']} cores, Python {info['python']}"
    start, end = info["loadavg_start"][0], info["loadavg_end"][0]
    load = f"load average {start:.2f} at start, {end:.2f} at end"
    print(f"\n{'Quick' if args.quick else 'Full'} run, {repeat} repetition(s): {cpu}; {load}\n")
    print(table(figures))
    print(f"\nRaw numbers: {args.out} ({result['seconds']:.0f} s in all)")
    return 1 if any(fig.error for fig in figures) else 0


if __name__ == "__main__":
    raise SystemExit(main())
