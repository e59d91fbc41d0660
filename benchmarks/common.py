"""What every figure shares: samples and their summary, result rows, the machine, a loop probe.

Every figure is a ratio against a baseline measured in the same run: each repetition
measures the subject and the baseline back to back, the ratio is taken per repetition,
and the table shows the median with the min and max over the repetitions.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any


@dataclass(frozen=True)
class Size:
    """How big a run is: `quick` for CI's smoke run and a first look, else the full size."""

    quick: bool
    repeat: int

    def pick(self, full: Any, quick: Any) -> Any:
        """`quick` in a quick run, else `full`."""
        return quick if self.quick else full


def summary(values: Sequence[float]) -> dict[str, float | None]:
    """Median, min and max (None for no values)."""
    if not values:
        return {"median": None, "min": None, "max": None}
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
    }


@dataclass
class Row:
    """One line of the table: a measured quantity against its baseline, and its target.

    `measured[i]` and `baseline[i]` come from the same repetition; the ratio is taken per
    repetition. `check` decides the target from the medians (None: not judged).
    """

    figure: str
    title: str
    unit: str
    measured: list[float]
    baseline: list[float]
    baseline_title: str
    target: str
    check: Callable[[Row], bool] | None = None
    #: The ratio is baseline / measured ("× cheaper") instead of measured / baseline.
    inverse: bool = False
    note: str = ""
    skipped: str | None = None

    @property
    def ratios(self) -> list[float]:
        """The per-repetition ratio."""
        out = []
        for m, b in zip(self.measured, self.baseline, strict=False):
            num, den = (b, m) if self.inverse else (m, b)
            if den > 0:
                out.append(num / den)
        return out

    @property
    def ratio(self) -> float | None:
        """The median ratio."""
        return summary(self.ratios)["median"]

    @property
    def value(self) -> float | None:
        """The median measurement."""
        return summary(self.measured)["median"]

    @property
    def base(self) -> float | None:
        """The median baseline."""
        return summary(self.baseline)["median"]

    @property
    def met(self) -> bool | None:
        """Whether the target is met (None when skipped or not judged)."""
        if self.skipped is not None or self.check is None or not self.measured:
            return None
        return self.check(self)

    def as_json(self) -> dict[str, Any]:
        """The row with its raw samples."""
        return {
            "figure": self.figure,
            "title": self.title,
            "unit": self.unit,
            "measured": self.measured,
            "measured_summary": summary(self.measured),
            "baseline_title": self.baseline_title,
            "baseline": self.baseline,
            "baseline_summary": summary(self.baseline),
            "ratio": summary(self.ratios),
            "ratio_kind": "baseline/measured" if self.inverse else "measured/baseline",
            "ratios": self.ratios,
            "target": self.target,
            "met": self.met,
            "note": self.note,
            "skipped": self.skipped,
        }


@dataclass
class Figure:
    """The rows of one figure and its raw numbers."""

    number: int
    title: str
    rows: list[Row] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    error: str | None = None

    def as_json(self) -> dict[str, Any]:
        """Everything measured, for the JSON file."""
        return {
            "number": self.number,
            "title": self.title,
            "rows": [row.as_json() for row in self.rows],
            "raw": self.raw,
            "seconds": self.seconds,
            "error": self.error,
        }


# ---- the machine ----------------------------------------------------------------------


def _cpu_model() -> str:
    try:
        out = subprocess.run(
            ["lscpu"], capture_output=True, text=True, timeout=5, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        out = ""
    for line in out.splitlines():
        if line.startswith("Model name:"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def machine() -> dict[str, Any]:
    """Where the numbers were taken: CPU, cores, Python, key package versions, load."""
    return {
        "cpu_model": _cpu_model(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "packages": {p: _version(p) for p in ("nekt-tui", "textual", "httpx", "pydantic")},
        "loadavg_start": os.getloadavg(),
    }


# ---- measuring ----------------------------------------------------------------------


def cpu_seconds() -> float:
    """CPU seconds (user + system) this process has used."""
    return time.process_time()


def proc_cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) process `pid` has used, from /proc."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def proc_peak_rss_mb(pid: int) -> float:
    """The peak resident set size (VmHWM) of process `pid`, in MB (10^6 bytes)."""
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024 / 1e6
    raise RuntimeError(f"no VmHWM for process {pid}")


class LagProbe:
    """Measures event-loop stalls: a task that asks to wake every `period` seconds and
    records how late it actually woke. A late wake-up means the loop was busy that long."""

    def __init__(self, period: float = 0.002) -> None:
        self.period = period
        self.peak = 0.0
        self.wakeups = 0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start probing on the running loop."""
        self._task = asyncio.get_running_loop().create_task(self._probe())

    def reset(self) -> None:
        """Forget the stalls seen so far."""
        self.peak = 0.0
        self.wakeups = 0

    async def _probe(self) -> None:
        clock = time.perf_counter
        while True:
            before = clock()
            await asyncio.sleep(self.period)
            late = clock() - before - self.period
            self.wakeups += 1
            if late > self.peak:
                self.peak = late

    async def stop(self) -> None:
        """Stop probing."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


@contextlib.contextmanager
def env_var(name: str, value: str) -> Iterator[None]:
    """Set an environment variable for the duration of a block."""
    old = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = old


def python() -> str:
    """The interpreter running the benchmarks (children use the same one)."""
    return sys.executable


def log(message: str) -> None:
    """Progress, on stderr so the table on stdout stays clean."""
    print(f"  {message}", file=sys.stderr, flush=True)
