"""Issue 13.13: when the host itself cannot be reached, back off once for every run.

80 watched runs used to make about 15 connection attempts a second while the API was
down. Now a few connect failures in a row (across runs, nothing answered in between)
hold every run (`HostDown`), one probe goes when the wait ends (2 s, 4 s, ... up to
60 s), and on an answer polling resumes gradually (`Recovered("host")`). One run
failing while the others answer is that run's problem, not the host's.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field

from nekt_tui.api.errors import ApiUnreachableError, NektError, SlowAnswerError
from nekt_tui.api.models import Run
from nekt_tui.clock import FakeClock
from nekt_tui.watch.events import Event, HostDown, PollFailed, Recovered, RunUpdated
from nekt_tui.watch.scheduler import Scheduler
from tests.watch.conftest import make_run

HOST = "api.nekt.test"


def ids(n: int) -> list[str]:
    return [f"{i:08x}-0000-4000-8000-0000000000d0" for i in range(n)]


@dataclass
class Host:
    """Refuses connections (after `latency`) while `down`; else answers every run."""

    clock: FakeClock
    down: bool = True
    latency: float = 0.01
    bad_run: str | None = None  # this one run always fails, `bad_error`
    bad_error: NektError = field(default_factory=lambda: SlowAnswerError(HOST, 10.0))
    calls: list[tuple[float, str]] = field(default_factory=list)
    in_flight: int = 0

    async def get_run(self, run_id: str, *, patient: bool = False) -> Run:
        self.calls.append((self.clock.monotonic(), run_id))
        self.in_flight += 1
        try:
            await self.clock.sleep(self.latency)
            if self.down:
                raise ApiUnreachableError(HOST, "connection failed")
            if run_id == self.bad_run:
                raise self.bad_error
            return make_run(run_id, "running")
        finally:
            self.in_flight -= 1

    def between(self, start: float, end: float) -> list[float]:
        return [t for t, _ in self.calls if start <= t < end]


def build(source: Host, clock: FakeClock, events: list[Event]) -> Scheduler:
    return Scheduler(
        source, clock=clock, jitter=0.0, rng=random.Random(0), on_event=events.append, sweep=False
    )


async def test_a_host_down_gets_few_attempts_then_recovers_by_itself() -> None:
    clock = FakeClock()
    source = Host(clock)
    events: list[Event] = []
    sched = build(source, clock, events)
    for rid in ids(80):
        sched.watch(rid)
    sched.start()
    try:
        await clock.advance(60)
        # The 8 sent at start (one per slot), then one probe per wait: 2, 4, 8, 16 s.
        assert len(source.calls) <= 12
        first = next(e for e in events if isinstance(e, HostDown))
        assert isinstance(first.error, ApiUnreachableError)
        downs = [e for e in events if isinstance(e, HostDown)]
        waits = [round((e.until - e.at).total_seconds()) for e in downs]
        assert waits == [2, 4, 8, 16, 32]
        assert sched.host_down_until is not None
        probes = source.between(0.02, 60)
        assert [round(t, 2) for t in probes] == [2.01, 6.02, 14.03, 30.04]
        # The host comes back: the next probe (capped at 60 s) finds it, then polling
        # ramps up one more request per answer instead of all at once.
        await clock.advance(2.1)  # the probe at 62.05 fails: next one at 122.06 (capped)
        last = [e for e in events if isinstance(e, HostDown)][-1]
        assert round((last.until - last.at).total_seconds()) == 60
        source.down = False
        await clock.advance(59.9)
        assert not any(isinstance(e, Recovered) for e in events)
        assert source.between(62.1, 122.06) == []
        await clock.advance(20)
    finally:
        await sched.aclose()
    assert next(e.scope for e in events if isinstance(e, Recovered)) == "host"
    assert source.between(122.06, 122.07) == [122.06]  # one probe alone
    assert sched.host_down_until is None
    shown = {e.run_id for e in events if isinstance(e, RunUpdated)}
    assert shown == set(ids(80))


async def test_refresh_all_probes_at_once() -> None:
    clock = FakeClock()
    source = Host(clock)
    events: list[Event] = []
    sched = build(source, clock, events)
    for rid in ids(20):
        sched.watch(rid)
    sched.start()
    try:
        await clock.advance(20)  # the next probe is due at 30.04
        before = len(source.calls)
        sched.refresh()  # R: one probe now, it fails, the wait is set again (longer)
        await clock.advance(1)
        assert source.between(20, 21) == [20.0]
        assert len(source.calls) == before + 1
        last = [e for e in events if isinstance(e, HostDown)][-1]
        assert round((last.until - last.at).total_seconds()) == 32
        source.down = False
        sched.refresh()  # R again: the host is back
        await clock.advance(1)
    finally:
        await sched.aclose()
    assert "host" in [e.scope for e in events if isinstance(e, Recovered)]
    assert {e.run_id for e in events if isinstance(e, RunUpdated)} == set(ids(20))


async def test_one_run_failing_while_others_answer_is_not_the_host_down() -> None:
    for error in (SlowAnswerError(HOST, 10.0), ApiUnreachableError(HOST, "connection lost")):
        clock = FakeClock()
        source = Host(clock, down=False, bad_run=ids(1)[0], bad_error=error)
        events: list[Event] = []
        sched = build(source, clock, events)
        for rid in ids(5):
            sched.watch(rid)
        sched.start()
        try:
            await clock.advance(120)
        finally:
            await sched.aclose()
        assert not any(isinstance(e, HostDown) for e in events), error
        # The others kept their 2 s pace throughout.
        for rid in ids(5)[1:]:
            times = [t for t, r in source.calls if r == rid]
            assert [round(b - a, 6) for a, b in itertools.pairwise(times)] == [2.01] * 59
        failed = [e for e in events if isinstance(e, PollFailed)]
        if isinstance(error, ApiUnreachableError):
            assert failed and all(e.run_id == ids(1)[0] for e in failed)
        else:  # slow, said with `RunSlow`: not a failure
            assert failed == []
