"""Issues 12.1 and 13.2: a slow run is slow, not unreachable, and slow runs never take
every request slot.

A run whose answer takes 40 s (the client gives up after 10 s with `SlowAnswerError`)
is marked slow (`RunSlow`, saying since when it has been waiting), asked again with
`patient=True` in a lane that holds at most a quarter of the slots, and shown when its
answer comes. Meanwhile every other run keeps its pace.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field
from datetime import timedelta

from nekt_tui.api.errors import SlowAnswerError
from nekt_tui.api.models import Run
from nekt_tui.clock import FakeClock
from nekt_tui.watch.events import (
    Event,
    HostDown,
    PollFailed,
    Recovered,
    RunSlow,
    RunStale,
    RunUpdated,
)
from nekt_tui.watch.scheduler import Scheduler
from tests.watch.conftest import make_run

FAST = "fa570000-0000-4000-8000-000000000000"
#: How long the client waits for an ordinary answer before `SlowAnswerError`.
TIMEOUT = 10.0
#: How long a slow run's answer takes.
SLOW = 40.0


def slow_ids(n: int) -> list[str]:
    return [f"5100{i:04x}-0000-4000-8000-000000000000" for i in range(n)]


@dataclass
class SlowHost:
    """Answers fast runs at once and slow ones after `SLOW` s, as a client would see it:
    an ordinary request gives up after `TIMEOUT` s, a patient one waits."""

    clock: FakeClock
    slow: set[str]
    calls: list[tuple[float, str, bool]] = field(default_factory=list)
    patient_now: int = 0
    most_patient: int = 0
    in_flight: int = 0
    most_in_flight: int = 0

    async def get_run(self, run_id: str, *, patient: bool = False) -> Run:
        self.calls.append((self.clock.monotonic(), run_id, patient))
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        self.patient_now += patient
        self.most_patient = max(self.most_patient, self.patient_now)
        try:
            if run_id in self.slow:
                if not patient:
                    await self.clock.sleep(TIMEOUT)
                    raise SlowAnswerError("api.nekt.test", TIMEOUT)
                await self.clock.sleep(SLOW)
            return make_run(run_id, "running")
        finally:
            self.in_flight -= 1
            self.patient_now -= patient

    def times(self, run_id: str) -> list[float]:
        return [t for t, rid, _ in self.calls if rid == run_id]


def gaps(times: list[float]) -> list[float]:
    return [round(b - a, 6) for a, b in itertools.pairwise(times)]


def build(source: SlowHost, clock: FakeClock, events: list[Event]) -> Scheduler:
    return Scheduler(
        source,
        clock=clock,
        interval=2.0,
        jitter=0.0,
        rng=random.Random(0),
        on_event=events.append,
        sweep=False,
    )


async def test_a_slow_run_is_shown_slow_then_its_data_while_others_keep_their_pace() -> None:
    clock = FakeClock()
    slow = slow_ids(1)[0]
    source = SlowHost(clock, {slow})
    events: list[Event] = []
    sched = build(source, clock, events)
    others = [FAST, *(f"0{i}000000-0000-4000-8000-000000000000" for i in range(1, 4))]
    for rid in [slow, *others]:
        sched.watch(rid)
    sched.start()
    try:
        await clock.advance(20)
        state = sched.state(slow)
        assert state.slow and state.slow_since == clock.now() - timedelta(seconds=20)
        await clock.advance(60)
    finally:
        await sched.aclose()
    # The others were polled every 2 s throughout.
    for rid in others:
        assert gaps(source.times(rid)) == [2.0] * 40
    # The slow run: asked at 0, slow at 10 (waiting since 0), asked patiently at once,
    # shown at 50 when its answer came.
    # (Stale at 6 s, three intervals without data, as any run: the first request
    # cannot be told slow before the client gives up.)
    mine = [e for e in events if getattr(e, "run_id", None) == slow]
    start = clock.now() - timedelta(seconds=80)
    assert [type(e) for e in mine][:2] == [RunStale, RunSlow]
    assert mine[1] == RunSlow(slow, start, start + timedelta(seconds=10))
    updated = [e for e in mine if isinstance(e, RunUpdated)]
    assert updated and updated[0].at == start + timedelta(seconds=50)
    assert Recovered("run", slow, start + timedelta(seconds=50)) in mine
    assert [(t, p) for t, rid, p in source.calls if rid == slow][:2] == [(0.0, False), (10.0, True)]
    # Slow is neither a failure nor the host down, and not said stale once said slow.
    kinds = [type(e) for e in mine]
    assert RunStale not in kinds[1 : kinds.index(RunUpdated)]
    assert not [e for e in events if isinstance(e, (PollFailed, HostDown))]


async def test_eight_or_more_slow_runs_never_block_a_fast_one() -> None:
    clock = FakeClock()
    slow = slow_ids(12)
    source = SlowHost(clock, set(slow))
    events: list[Event] = []
    sched = build(source, clock, events)
    for rid in [FAST, *slow]:
        sched.watch(rid)
    sched.start()
    try:
        await clock.advance(15)
        sched.refresh()  # R: the slow runs still go two at a time
        await clock.advance(285)
    finally:
        await sched.aclose()
    # Until the first ordinary requests of the slow runs give up (10 s) nothing tells
    # them apart; from then on the fast run keeps its 2 s, and the slow ones drip in a
    # lane of 2 of the 8 slots.
    after = [t for t in source.times(FAST) if t >= TIMEOUT]
    assert after[0] == TIMEOUT
    # (R at 15 s polls it at once: one gap of 1 s.)
    assert gaps(after) == [2.0, 2.0, 1.0] + [2.0] * (len(after) - 4)
    assert len(after) == 146
    assert source.most_patient == 2
    assert source.most_in_flight <= 8
    # Every slow run was said slow once and shown when its answer came.
    said = [e.run_id for e in events if isinstance(e, RunSlow)]
    assert sorted(said) == sorted(slow)
    shown = {e.run_id for e in events if isinstance(e, RunUpdated)}
    assert shown >= set(slow)
