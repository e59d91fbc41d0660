"""Figure 7: CPU used while idle, and peak memory with many runs and a huge log.

Idle: nekt-tui watching 100 finished runs (saved as finished: each is fetched once, then
nothing is due) and the minimal Textual app, each on its own pty, measured over the same
window from /proc (user + system time). The repetitions run side by side over one
window: idle processes do not disturb each other.

Memory: nekt-tui watching 1,000 runs (900 finished, 100 still running, polled every 2 s)
of a loopback simulator, with a finished run whose log has 200,000 lines listed first, so
its log is open in the log panel. Peak RSS (VmHWM) once every run has been fetched and
the log is loaded, plus a few seconds of polling; the baseline is the minimal app's.
"""

from __future__ import annotations

import json
import os
import select
import sys
import tempfile
import time
from typing import Any

from benchmarks.common import Figure, Row, Size, log, proc_cpu_seconds, proc_peak_rss_mb
from benchmarks.simserver import SimServer
from benchmarks.terminal import TerminalProcess

APPS = (sys.executable, "-m", "benchmarks.apps")


def _pump_all(procs: list[TerminalProcess], seconds: float) -> None:
    """Drain every child's output for `seconds` (a child writing to a full pty blocks)."""
    end = time.perf_counter() + seconds
    while (left := end - time.perf_counter()) > 0:
        ready, _, _ = select.select([p._master for p in procs], [], [], min(left, 0.2))
        for proc in procs:
            if proc._master in ready:
                proc.pump(0)


def _wait_report(proc: TerminalProcess, path: str, timeout: float) -> dict[str, Any]:
    end = time.perf_counter() + timeout
    while time.perf_counter() < end:
        if not proc.pump(0.2):
            raise RuntimeError(f"{' '.join(proc.argv[:4])} exited before it was ready")
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                text = f.read()
            if text.endswith("\n"):
                return dict(json.loads(text))
    raise RuntimeError(f"{' '.join(proc.argv[:4])} was not ready after {timeout:.0f} s")


def idle(size: Size, tmp: str) -> dict[str, Any]:
    """CPU % of one core of nekt-tui and the minimal app over the same idle window."""
    copies = min(size.repeat, 3)
    window = size.pick(60.0, 2.0)
    reports = [os.path.join(tmp, f"idle-{i}.json") for i in range(copies)]
    nekt = [TerminalProcess((*APPS, "idle", "--runs", "100", "--report", path)) for path in reports]
    minimal = [TerminalProcess((*APPS, "minimal")) for _ in range(copies)]
    procs = nekt + minimal
    try:
        for proc in procs:
            proc.wait_first_frame()
        for proc, path in zip(nekt, reports, strict=True):
            _wait_report(proc, path, 120.0)
        _pump_all(procs, 2.0)  # the last toasts and first ticks
        before = [(proc_cpu_seconds(p.pid), time.perf_counter()) for p in procs]
        _pump_all(procs, window)
        after = [(proc_cpu_seconds(p.pid), time.perf_counter()) for p in procs]
    finally:
        for proc in procs:
            proc.stop()
    percent = [
        100 * (c1 - c0) / (t1 - t0) for (c0, t0), (c1, t1) in zip(before, after, strict=True)
    ]
    return {
        "window_s": window,
        "copies": copies,
        "nekt_percent": percent[:copies],
        "minimal_percent": percent[copies:],
    }


def memory(size: Size, tmp: str) -> dict[str, Any]:
    """Peak RSS (MB) of nekt-tui with many runs and a huge log open, and of the minimal app."""
    finished, active = size.pick((900, 100), (90, 10))
    lines = size.pick(200_000, 20_000)
    reps = min(size.repeat, 3)
    nekt: list[float] = []
    minimal: list[float] = []
    details: list[dict[str, Any]] = []
    with SimServer.start(
        "--finished", str(finished), "--active", str(active), "--big-log", str(lines)
    ) as server:
        big = server.ids["big"][0]
        ids = [*server.ids["finished"], *server.ids["active"]]
        for rep in range(reps):
            with TerminalProcess((*APPS, "minimal")) as proc:
                proc.wait_first_frame()
                proc.pump(1.0)
                minimal.append(proc_peak_rss_mb(proc.pid))
            path = os.path.join(tmp, f"memory-{rep}.json")
            ids_file = os.path.join(tmp, "ids.txt")
            with open(ids_file, "w", encoding="utf-8") as f:
                f.write("\n".join(ids) + "\n")
            argv = [*APPS, "watch", "--url", server.url, "--key", server.key]
            argv += ["--ids-file", ids_file, "--select", big, "--report", path]
            with TerminalProcess(argv) as proc:
                proc.wait_first_frame()
                t0 = time.perf_counter()
                report = _wait_report(proc, path, 300.0)
                ready_s = time.perf_counter() - t0
                proc.pump(size.pick(5.0, 1.0))  # keep polling the running ones a while
                nekt.append(proc_peak_rss_mb(proc.pid))
                details.append({"ready_after_first_frame_s": ready_s, **report})
            log(f"rep {rep + 1}: nekt-tui {nekt[-1]:.0f} MB, minimal app {minimal[-1]:.0f} MB")
    return {
        "runs": finished + active + 1,
        "log_lines": lines,
        "nekt_mb": nekt,
        "minimal_mb": minimal,
        "details": details,
    }


def figure(size: Size) -> Figure:
    """Figure 7."""
    fig = Figure(7, "Idle CPU and peak memory")
    with tempfile.TemporaryDirectory(prefix="nekt-bench-") as tmp:
        cpu = idle(size, tmp)
        log(
            f"idle over {cpu['window_s']:.0f} s: nekt-tui "
            f"{', '.join(f'{p:.2f}%' for p in cpu['nekt_percent'])}; minimal app "
            f"{', '.join(f'{p:.2f}%' for p in cpu['minimal_percent'])}"
        )
        mem = memory(size, tmp)
    fig.rows.append(
        Row(
            "7a",
            f"Idle CPU over {cpu['window_s']:.0f} s, 100 finished runs watched",
            "% core",
            cpu["nekt_percent"],
            cpu["minimal_percent"],
            "the minimal Textual app, same window",
            "≤ 1% of one core",
            check=lambda r: (r.value if r.value is not None else 1e9) <= 1.0,
        )
    )
    fig.rows.append(
        Row(
            "7b",
            f"Peak RSS, {mem['runs']:,} runs watched + a {mem['log_lines']:,}-line log open",
            "MB",
            mem["nekt_mb"],
            mem["minimal_mb"],
            "the minimal Textual app",
            "≤ 150 MB",
            check=lambda r: (r.value if r.value is not None else 1e9) <= 150,
        )
    )
    fig.raw = {"idle": cpu, "memory": mem}
    return fig
