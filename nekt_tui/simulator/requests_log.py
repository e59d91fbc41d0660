"""The simulator's record of every request it answered, for tests and benchmarks to check."""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass
class RequestRecord:
    """One request: when it arrived (clock monotonic seconds), what it asked, how it ended.

    `status` is None when no response was sent (a simulated timeout or reset); `fault`
    names the injected fault, if any; `responded` is when the answer (or the failure) was
    sent; for a 429, `retry_until` is the monotonic time its `Retry-After` asked the client
    to wait until.
    """

    time: float
    method: str
    path: str
    run_id: str | None
    status: int | None = None
    fault: str | None = None
    responded: float | None = None
    retry_after: float | None = None
    retry_until: float | None = None


class RequestLog:
    """An append-only list of `RequestRecord`s with per-run counts.

    `maxlen` bounds the records kept (benchmarks send millions); the per-run counts and
    the total are always exact.
    """

    def __init__(self, maxlen: int | None = None) -> None:
        self._records: deque[RequestRecord] = deque(maxlen=maxlen)
        self._per_run: Counter[str] = Counter()
        self.total = 0

    def add(self, record: RequestRecord) -> RequestRecord:
        """Append a record (its status may be filled in later)."""
        self._records.append(record)
        self.total += 1
        if record.run_id is not None:
            self._per_run[record.run_id] += 1
        return record

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self) -> Iterator[RequestRecord]:
        return iter(list(self._records))

    def __getitem__(self, index: int) -> RequestRecord:
        return self._records[index]

    def clear(self) -> None:
        """Forget every record and count."""
        self._records.clear()
        self._per_run.clear()
        self.total = 0

    def count(self, run_id: str | None = None) -> int:
        """Requests about `run_id` (all requests when None)."""
        return self.total if run_id is None else self._per_run[run_id.lower()]

    def per_run(self) -> dict[str, int]:
        """Requests per run ID."""
        return dict(self._per_run)

    def for_run(self, run_id: str) -> list[RequestRecord]:
        """The kept records about one run, oldest first."""
        rid = run_id.lower()
        return [r for r in self._records if r.run_id == rid]

    def retry_after_violations(
        self, grace: float = 0.0, cap: float = float("inf")
    ) -> list[RequestRecord]:
        """Requests that arrived after a 429 was sent but before its `Retry-After` passed.

        A request arriving at the very instant the 429 was sent (or earlier) is not counted:
        it was already in flight. `grace` forgives arrivals that many seconds early (for
        real clocks); `cap` is the longest wait a client is expected to honour (nekt-tui
        caps a `Retry-After` at 600 s: one in the year 9999 is not waited for).
        """
        windows = sorted(
            (rec.responded, min(rec.retry_until, rec.responded + cap) - grace)
            for rec in self._records
            if rec.status == 429 and rec.responded is not None and rec.retry_until is not None
        )
        merged: list[tuple[float, float]] = []
        for start, end in windows:
            if merged and start < merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            elif end > start:
                merged.append((start, end))
        if not merged:
            return []
        starts = [start for start, _ in merged]
        bad: list[RequestRecord] = []
        for rec in self._records:
            i = bisect_left(starts, rec.time) - 1
            if i >= 0 and merged[i][0] < rec.time < merged[i][1]:
                bad.append(rec)
        return bad
