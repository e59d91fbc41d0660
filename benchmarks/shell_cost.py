"""Figure 3: CPU seconds per status check, the engine vs a `curl | jq` shell loop.

What people do today without a dashboard is a loop like

    for id in $RUNS; do curl -s -H "x-api-key: $KEY" "$URL/api/v1/runs/$id/" | jq -r .status; done

Its cost is the CPU time of bash, curl and jq (`RUSAGE_CHILDREN`), per run checked. The
engine's is this process's CPU time per run checked while it watches a few hundred active
runs at its default pace (2 s interval), as the app does: pages of the run list stand in
for most polls (`nekt_tui/watch/sweep.py`), and a run a page stood in for counts as
checked. Everything it does is counted, the idle loop included. The same engine polling
every run on its own (no sweep) is measured too, in the raw numbers (`engine_per_run`).
Both ask the same simulator; the server's own CPU is counted on neither side.
"""

from __future__ import annotations

import asyncio
import os
import resource
import shutil
import subprocess
import time
from collections.abc import Sequence
from typing import Any

from benchmarks.common import Figure, Row, Size, log
from benchmarks.simserver import SimServer
from benchmarks.throughput import engine_rate

SCRIPT = (
    'for id in "$@"; do '
    'curl -s -H "x-api-key: $NEKT_KEY" "$NEKT_URL/api/v1/runs/$id/" | jq -r .status; '
    "done"
)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def shell_loop(url: str, key: str, run_ids: Sequence[str]) -> dict[str, Any]:
    """CPU and wall seconds per run of the curl | jq loop."""
    env = dict(os.environ, NEKT_KEY=key, NEKT_URL=url)
    c0, t0 = _children_cpu(), time.perf_counter()
    out = subprocess.run(
        ["bash", "-c", SCRIPT, "nekt-status", *run_ids],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    c1, t1 = _children_cpu(), time.perf_counter()
    statuses = out.split()
    if len(statuses) != len(run_ids) or any(s != "running" for s in statuses):
        raise RuntimeError(f"the shell loop did not print {len(run_ids)} statuses: {out[:200]!r}")
    return {
        "checks": len(run_ids),
        "cpu_per_check": (c1 - c0) / len(run_ids),
        "wall_per_check": (t1 - t0) / len(run_ids),
    }


def figure(size: Size) -> Figure:
    """Figure 3."""
    fig = Figure(3, "CPU per status check: the engine vs curl | jq")
    missing = [tool for tool in ("bash", "curl", "jq") if shutil.which(tool) is None]
    n_shell = size.pick(100, 10)
    n_engine = size.pick(200, 50)
    # The window holds at least one full interval, so every watched run is polled in it.
    # The warm-up lets the first polls (one by one) pass and the sweep settle in.
    warmup, seconds = size.pick((3.0, 6.0), (2.5, 2.5))
    row = Row(
        "3",
        f"CPU per status check ({n_engine} runs watched at the default 2 s pace)",
        "ms",
        [],
        [],
        "curl -s … | jq -r .status, once per run",
        "≥ 20× cheaper",
        check=lambda r: (r.ratio or 0.0) >= 20,
        inverse=True,
    )
    fig.rows.append(row)
    if missing:
        row.skipped = f"{', '.join(missing)} not installed (apt install curl jq)"
        return fig
    shells: list[dict[str, Any]] = []
    engines: list[dict[str, Any]] = []
    per_run: list[dict[str, Any]] = []
    with SimServer.start("--active", str(max(n_shell, n_engine))) as server:
        ids = server.ids["active"]
        for rep in range(size.repeat):
            shells.append(shell_loop(server.url, server.key, ids[:n_shell]))
            for sweep, results in ((True, engines), (False, per_run)):
                results.append(
                    asyncio.run(
                        engine_rate(
                            server.url,
                            server.key,
                            ids[:n_engine],
                            concurrency=8,
                            warmup=warmup,
                            seconds=seconds,
                            interval=2.0,
                            sweep=sweep,
                        )
                    )
                )
            log(
                f"rep {rep + 1}: engine {engines[-1]['cpu_per_check'] * 1e3:.3f} ms "
                f"({per_run[-1]['cpu_per_check'] * 1e3:.2f} ms polling each run on its own), "
                f"curl|jq {shells[-1]['cpu_per_check'] * 1e3:.2f} ms per check"
            )
    row.measured = [e["cpu_per_check"] * 1e3 for e in engines]
    row.baseline = [s["cpu_per_check"] * 1e3 for s in shells]
    fig.raw = {
        "shell_runs": n_shell,
        "engine_runs": n_engine,
        "shell": shells,
        "engine": engines,
        "engine_per_run": per_run,
    }
    return fig
