"""A run's log, growing line by line on the simulated clock, written lazily and cached.

The log is a header (at start), body lines at `rate` per second while the run is running,
and a tail written at the end: a summary on success, an ERROR line and a traceback on
failure, cancellation lines when cancelled. Line i of the body depends only on the run's
seed, so the text at time t is a prefix that is extended, never rebuilt, as t grows.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from nekt_tui.api.enums import RunStatus
from nekt_tui.simulator import messages
from nekt_tui.simulator.lifecycle import Timeline
from nekt_tui.simulator.tracebacks import make_failure

#: Seconds between the header and the first body line.
HEADER_GAP = 1.0


def format_duration(seconds: float) -> str:
    """`41s`, `12m 03s`, `1h 02m 03s`."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m {secs:02d}s"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"


@dataclass(frozen=True)
class LogProfile:
    """What a run's log is about: its tool, items, and who started it."""

    kind: str
    tool: str
    items: tuple[str, ...]
    run_id: str
    slug: str
    started_by: str


class RunLogWriter:
    """Writes one run's log on demand; cheap to ask again at a later time."""

    def __init__(
        self, profile: LogProfile, seed: int, rate: float, epoch: Callable[[float], float]
    ) -> None:
        self.profile = profile
        self.rate = max(0.0, rate)
        self._seed = seed
        self._epoch = epoch  # world time -> Unix seconds, for the line timestamps
        self._rng = random.Random(seed)
        self._context: dict[str, str] = {}
        self._body = messages.body(
            profile.kind, profile.tool, profile.items, self._rng, self._context
        )
        self._lines: list[str] = []
        self._header_len = -1
        self._joined = ""
        self._joined_n = 0
        self._tail_version = -1
        self._tail_at: list[float] = []
        self._tail_lines: dict[int, list[str]] = {}
        self._ts_second = -1
        self._ts_text = ""

    def _ts(self, t: float) -> str:
        second = math.floor(self._epoch(t))
        if second != self._ts_second:  # consecutive lines mostly share a second
            self._ts_second = second
            self._ts_text = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(second))
        return self._ts_text

    def _line(self, t: float, level: str, logger: str, text: str) -> str:
        return f"{self._ts(t)} {level} [{logger}] {text}"

    def _ensure_header(self, started: float) -> None:
        if self._header_len >= 0:
            return
        p = self.profile
        rng = random.Random(self._seed ^ 0x5EED)
        head = [
            ("INFO", "nekt", f"Run {p.run_id} of {p.slug} started ({p.started_by})"),
            (
                "INFO",
                "nekt",
                f"Worker nekt-worker-{rng.getrandbits(20):05x} "
                f"(image nekt/runner:2026.01.{rng.randrange(1, 9)})",
            ),
            *messages.header(p.kind, p.tool, p.items, rng),
        ]
        self._lines = [self._line(started, *m) for m in head]
        self._header_len = len(self._lines)

    def _body_count(self, tl: Timeline, started: float, t: float) -> int:
        first = started + HEADER_GAP
        # Lines written at or before min(t, the end of running): a line written at the very
        # instant a cancel arrives stays in the log.
        until = min(t, tl.body_end)
        if self.rate <= 0 or until < first:
            return 0
        return math.floor((until - first) * self.rate) + 1

    def _prefix_len(self, tl: Timeline, t: float) -> int:
        started = tl.started_at
        if started is None or t < started:
            return 0
        self._ensure_header(started)
        return self._header_len + self._body_count(tl, started, t)

    def _prefix(self, started: float, n: int) -> str:
        first = started + HEADER_GAP
        while len(self._lines) < n:
            i = len(self._lines) - self._header_len
            self._lines.append(self._line(first + i / self.rate, *next(self._body)))
        if n > self._joined_n:
            new = "\n".join(self._lines[self._joined_n : n])
            self._joined = f"{self._joined}\n{new}" if self._joined_n else new
            self._joined_n = n
        elif n < self._joined_n:  # only if asked about an earlier time
            return "\n".join(self._lines[:n])
        return self._joined

    def _tail_times(self, tl: Timeline) -> list[float]:
        """When each part of the tail is written (cheap: the lines are built when first seen)."""
        if self._tail_version != tl.version:
            self._tail_version = tl.version
            ended, cancel_at = tl.ended_at, tl.cancel_at
            times = [] if ended is None else [ended]
            if ended is not None and cancel_at is not None:
                times.insert(0, cancel_at)
            self._tail_at = times
            self._tail_lines = {}
        return self._tail_at

    def _tail_part(self, tl: Timeline, i: int) -> list[str]:
        lines = self._tail_lines.get(i)
        if lines is None:
            lines = self._tail_lines[i] = self._build_tail(tl, i)
        return lines

    def _build_tail(self, tl: Timeline, part: int) -> list[str]:
        p = self.profile
        started, ended, cancel_at = tl.started_at, tl.ended_at, tl.cancel_at
        assert ended is not None
        ran = format_duration(ended - started) if started is not None else "0s"
        if cancel_at is not None:
            before = started is None or cancel_at < started
            if part == 0:
                what = "the run had not started" if before else f"sending SIGTERM to {p.tool}"
                level = "INFO" if before else "WARNING"
                return [self._line(cancel_at, level, "nekt", f"Cancellation requested; {what}")]
            if before:
                return [self._line(ended, "WARNING", "nekt", "Run canceled before it started")]
            return [
                self._line(ended, "INFO", p.tool, "Received SIGTERM; flushing state and exiting"),
                self._line(ended, "WARNING", "nekt", f"Run canceled after {ran}"),
            ]
        rng = random.Random(self._seed ^ 0xE11D)
        if tl.final_status is RunStatus.FAILED:
            if started is not None:  # fail in the item the body was busy with
                self._prefix(started, self._prefix_len(tl, ended))
            item = self._context.get("item") or rng.choice(p.items)
            failure = make_failure(p.kind, p.tool, item, rng)
            return [
                self._line(ended, "ERROR", p.tool, failure.message),
                *failure.traceback,
                self._line(ended, "ERROR", "nekt", f"Run failed after {ran}: {failure.summary}"),
            ]
        return [self._line(ended, *m) for m in self._summary(rng, ran)]

    def _summary(self, rng: random.Random, ran: str) -> list[messages.Message]:
        p = self.profile
        n = len(p.items)
        records = rng.randrange(1_000, 3_000_000)
        done = ("INFO", "nekt", f"Run finished successfully in {ran}")
        if p.kind == "singer":
            return [
                ("INFO", p.tool, f"Sync completed: {n} streams, {records} records"),
                ("INFO", "target-nekt-catalog", f"Committed {records} records to the catalog"),
                done,
            ]
        if p.kind == "dbt":
            warn = rng.randrange(0, 3)
            return [
                ("INFO", "dbt", f"Finished running {n} table models, {n * 3} data tests ({ran})."),
                ("INFO", "dbt", "Completed successfully"),
                (
                    "INFO",
                    "dbt",
                    f"Done. PASS={n * 4 - warn} WARN={warn} ERROR=0 SKIP=0 TOTAL={n * 4}",
                ),
                done,
            ]
        return [("INFO", p.tool, f"Wrote {records} rows to {p.items[-1]}"), done]

    def _emitted(self, tl: Timeline, t: float) -> int:
        return sum(1 for when in self._tail_times(tl) if when <= t)

    def state(self, tl: Timeline, t: float) -> tuple[int, int]:
        """A cheap key that changes exactly when the text at time t changes."""
        return self._prefix_len(tl, t), self._emitted(tl, t)

    def text(self, tl: Timeline, t: float) -> str:
        """The whole log as it stands at time t ('' before the run starts)."""
        n = self._prefix_len(tl, t)
        started = tl.started_at
        prefix = self._prefix(started, n) if started is not None and n else ""
        tail = [line for i in range(self._emitted(tl, t)) for line in self._tail_part(tl, i)]
        if not tail:
            return prefix
        rest = "\n".join(tail)
        return f"{prefix}\n{rest}" if prefix else rest

    def updated_at(self, tl: Timeline, t: float) -> float | None:
        """When the last line visible at time t was written (None if there is none)."""
        emitted = self._emitted(tl, t)
        if emitted:
            return self._tail_times(tl)[emitted - 1]
        started = tl.started_at
        if started is None or t < started:
            return None
        count = self._body_count(tl, started, t)
        return started + HEADER_GAP + (count - 1) / self.rate if count else started
