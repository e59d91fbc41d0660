"""The scheduler's timing: intervals by status, terminal runs, pause/resume, refresh, bounds."""

from __future__ import annotations

import collections
import random
from collections.abc import Callable
from typing import Any

import pytest

from nekt_tui.api.errors import InvalidRunIdError, NektError
from nekt_tui.api.models import Run
from nekt_tui.clock import FakeClock
from nekt_tui.watch.events import Event, RunUpdated, StatusChanged
from nekt_tui.watch.scheduler import Scheduler
from tests.watch.conftest import RUN_A, RUN_B, RUN_C, FakeSource, constant, gaps, make_run

Build = Callable[..., Scheduler]


@pytest.mark.parametrize(
    ("status", "gap"),
    [
        ("running", 2.0),
        ("cancelling", 2.0),
        ("queued", 5.0),
        ("pending_events", 5.0),
        ("brand_new_status", 2.0),
    ],
)
async def test_interval_follows_status(
    clock: FakeClock, make_scheduler: Build, status: str, gap: float
) -> None:
    source = FakeSource(clock, constant(status))
    sched = make_scheduler(source)
    sched.watch(RUN_A)
    await clock.advance(60)
    times = source.times(RUN_A)
    assert times[0] == 0.0
    assert set(gaps(times)) == {gap}
    assert len(times) == int(60 / gap) + 1


async def test_custom_intervals(clock: FakeClock, make_scheduler: Build) -> None:
    source = FakeSource(
        clock, lambda rid, _t: make_run(rid, "queued" if rid == RUN_A else "running")
    )
    sched = make_scheduler(source, interval=3.0, waiting_interval=7.0)
    sched.watch(RUN_A)
    sched.watch(RUN_B)
    await clock.advance(42)
    assert set(gaps(source.times(RUN_A))) == {7.0}
    assert set(gaps(source.times(RUN_B))) == {3.0}


@pytest.mark.parametrize("final", ["success", "failed", "canceled"])
async def test_terminal_run_is_never_polled_again(
    clock: FakeClock, make_scheduler: Build, final: str
) -> None:
    source = FakeSource(clock, lambda rid, t: make_run(rid, "running" if t < 5 else final))
    sched = make_scheduler(source)
    sched.watch(RUN_A)
    await clock.advance(3600)
    # Polled at 0, 2, 4 (running) and 6 (terminal), then never again in an hour.
    assert source.times(RUN_A) == [0.0, 2.0, 4.0, 6.0]
    state = sched.state(RUN_A)
    assert state.next_due is None and state.status == final


async def test_terminal_last_status_is_fetched_once_or_not_at_all(
    clock: FakeClock, make_scheduler: Build
) -> None:
    source = FakeSource(clock, constant("success"))
    sched = make_scheduler(source)
    sched.watch(RUN_A, "success")
    sched.watch(RUN_B, "success", poll_terminal=False)
    await clock.advance(600)
    assert source.times(RUN_A) == [0.0]
    assert source.times(RUN_B) == []
    assert sched.state(RUN_B).status == "success"
    sched.refresh(RUN_B)
    await clock.advance(1)
    assert source.times(RUN_B) == [600.0]
    await clock.advance(600)
    assert len(source.calls) == 2


async def test_status_changes_reported_once_each_in_order(
    clock: FakeClock, make_scheduler: Build, events: list[Event]
) -> None:
    timeline = [(0, "pending_events"), (10, "queued"), (20, "running"), (30, "success")]

    def script(rid: str, t: float) -> Run:
        status = [s for start, s in timeline if t >= start][-1]
        return make_run(rid, status)

    sched = make_scheduler(FakeSource(clock, script))
    sched.watch(RUN_A, "pending_events")
    await clock.advance(120)
    changes = [(e.old, e.new) for e in events if isinstance(e, StatusChanged)]
    assert changes == [("pending_events", "queued"), ("queued", "running"), ("running", "success")]
    # Only polls that brought something new produce a RunUpdated.
    updates = [e for e in events if isinstance(e, RunUpdated)]
    assert [u.run.status for u in updates] == ["pending_events", "queued", "running", "success"]
    assert updates[0].previous is None and updates[1].previous == updates[0].run


async def test_first_observation_without_known_status(
    clock: FakeClock, make_scheduler: Build, events: list[Event]
) -> None:
    sched = make_scheduler(FakeSource(clock, constant("running")))
    sched.watch(RUN_A)
    await clock.advance(1)
    [change] = [e for e in events if isinstance(e, StatusChanged)]
    assert change.old is None and change.new == "running"


async def test_never_two_requests_for_one_run_and_concurrency_bound(
    clock: FakeClock, make_scheduler: Build
) -> None:
    source = FakeSource(clock, constant("running"), hold=3.0)  # slower than the interval
    sched = make_scheduler(source, concurrency=8)
    ids = [f"{i:08x}-0000-4000-8000-000000000000" for i in range(50)]
    for rid in ids:
        sched.watch(rid)
    await clock.advance(300)
    assert source.max_in_flight == 8
    assert not source.overlap
    # Each run waits for its previous answer, then its interval: never more often than that.
    for rid in ids:
        assert min(gaps(source.times(rid))) >= 3.0 + 2.0
    assert sched.in_flight <= 8


async def test_slow_answer_delays_next_poll_of_that_run_only(
    clock: FakeClock, make_scheduler: Build
) -> None:
    source = FakeSource(clock, constant("running"), hold=5.0)
    sched = make_scheduler(source)
    sched.watch(RUN_A)
    await clock.advance(30)
    assert gaps(source.times(RUN_A)) == [7.0, 7.0, 7.0, 7.0]


async def test_pause_and_resume_one_run(clock: FakeClock, make_scheduler: Build) -> None:
    source = FakeSource(clock, constant("running"))
    sched = make_scheduler(source)
    sched.watch(RUN_A)
    sched.watch(RUN_B)
    await clock.advance(5)
    sched.pause(RUN_A)
    assert sched.state(RUN_A).paused
    await clock.advance(100)
    assert source.times(RUN_A) == [0.0, 2.0, 4.0]
    assert len(source.times(RUN_B)) == 53
    sched.resume(RUN_A)
    await clock.advance(4)
    assert source.times(RUN_A)[3:] == [105.0, 107.0, 109.0]


async def test_pause_and_resume_everything(clock: FakeClock, make_scheduler: Build) -> None:
    source = FakeSource(clock, constant("running"))
    sched = make_scheduler(source)
    for rid in (RUN_A, RUN_B, RUN_C):
        sched.watch(rid)
    await clock.advance(1)
    sched.pause()
    assert sched.paused
    before = len(source.calls)
    await clock.advance(600)
    assert len(source.calls) == before
    sched.resume()
    await clock.advance(0.5)
    assert len(source.calls) == before + 3  # the overdue runs go at once
    assert not sched.paused


async def test_refresh_polls_now_even_when_paused_or_terminal(
    clock: FakeClock, make_scheduler: Build
) -> None:
    source = FakeSource(clock, constant("success"))
    sched = make_scheduler(source)
    sched.watch(RUN_A)
    sched.watch(RUN_B)
    await clock.advance(10)
    assert len(source.calls) == 2
    sched.refresh(RUN_A)
    await clock.advance(0)
    assert source.times(RUN_A) == [0.0, 10.0]
    sched.pause()
    sched.refresh()
    await clock.advance(0)
    assert source.times(RUN_A)[-1] == 10.0 and len(source.times(RUN_A)) == 3
    assert source.times(RUN_B) == [0.0, 10.0]
    await clock.advance(100)
    assert len(source.calls) == 5


async def test_interval_change_while_running(clock: FakeClock, make_scheduler: Build) -> None:
    source = FakeSource(clock, constant("running"))
    sched = make_scheduler(source, interval=10.0)
    sched.watch(RUN_A)
    await clock.advance(4)  # polled at 0, next due at 10
    sched.interval = 2.0  # 4 s already waited: due at once
    await clock.advance(0)
    assert source.times(RUN_A) == [0.0, 4.0]
    sched.interval = 30.0  # due at 6 becomes due at 34
    await clock.advance(40)
    assert source.times(RUN_A) == [0.0, 4.0, 34.0]
    with pytest.raises(ValueError, match="interval"):
        sched.interval = 0
    with pytest.raises(ValueError, match="waiting_interval"):
        sched.waiting_interval = float("nan")


async def test_unwatch_drops_run_and_late_answer(
    clock: FakeClock, make_scheduler: Build, events: list[Event]
) -> None:
    source = FakeSource(clock, constant("running"), hold=1.0)
    sched = make_scheduler(source)
    sched.watch(RUN_A)
    await clock.advance(0.5)  # request in flight
    sched.unwatch(RUN_A)
    await clock.advance(60)
    assert source.times(RUN_A) == [0.0]
    assert events == []
    assert RUN_A not in sched and len(sched) == 0
    with pytest.raises(KeyError):
        sched.state(RUN_A)


async def test_watch_validates_and_normalises_ids(clock: FakeClock, make_scheduler: Build) -> None:
    sched = make_scheduler(FakeSource(clock, constant("running")))
    with pytest.raises(InvalidRunIdError):
        sched.watch("not-a-uuid")
    sched.watch(RUN_A.upper())
    sched.watch(RUN_A)
    assert sched.watched == (RUN_A,)


async def test_jitter_spreads_runs_watched_together(clock: FakeClock) -> None:
    source = FakeSource(clock, constant("running"))
    sched = Scheduler(source, clock=clock, rng=random.Random(7))
    sched.start()
    ids = [f"{i:08x}-0000-4000-8000-000000000000" for i in range(1000)]
    for rid in ids:
        sched.watch(rid)
    await clock.advance(30)
    first = sorted(min(source.times(rid)) for rid in ids)
    # The first few go at once; the rest spread over the first interval, so no
    # millisecond holds more than a handful of requests.
    assert first[:8] == [0.0] * 8
    assert first[-1] - first[0] > 1.5 and first[-1] <= 2.0
    per_ms = collections.Counter(int(t * 1000) for t in first)
    assert max(per_ms.values()) <= 10
    # Later polls keep drifting apart (±10 %) rather than locking together.
    second_gaps = {round(b - a, 3) for a, b in (source.times(rid)[:2] for rid in ids)}
    assert len(second_gaps) > 100
    await sched.aclose()


async def test_a_few_runs_are_polled_at_once(clock: FakeClock) -> None:
    source = FakeSource(clock, constant("running"))
    sched = Scheduler(source, clock=clock, rng=random.Random(7))
    sched.start()
    for rid in (RUN_A, RUN_B, RUN_C):
        sched.watch(rid)
    await clock.settle()
    assert sorted(t for t, _ in source.calls) == [0.0, 0.0, 0.0]
    await sched.aclose()


async def test_events_stream_matches_callback(
    clock: FakeClock, make_scheduler: Build, events: list[Event]
) -> None:
    source = FakeSource(clock, lambda rid, t: make_run(rid, "running" if t < 3 else "success"))
    sched = make_scheduler(source)
    stream = sched.events()
    sched.watch(RUN_A)
    await clock.advance(10)
    await sched.aclose()
    streamed = [ev async for ev in stream]
    assert streamed == events and len(events) == 4


async def test_failing_callback_does_not_stop_the_engine(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    def explode(_event: Any) -> None:
        raise RuntimeError("boom")

    source = FakeSource(clock, constant("running"))
    sched = Scheduler(source, clock=clock, on_event=explode, jitter=0)
    sched.start()
    sched.watch(RUN_A)
    await clock.advance(10)
    assert len(source.times(RUN_A)) == 6
    assert "event callback failed" in caplog.text
    await sched.aclose()


async def test_unexpected_exception_from_source_is_a_poll_failure(
    clock: FakeClock, make_scheduler: Build, events: list[Event]
) -> None:
    def script(_rid: str, _t: float) -> Run | NektError:
        raise KeyError("secret-ish detail")

    sched = make_scheduler(FakeSource(clock, script))
    sched.watch(RUN_A)
    await clock.advance(1)
    [event] = events
    assert "unexpected KeyError" in str(getattr(event, "error", ""))
    assert "secret" not in str(getattr(event, "error", ""))


async def test_idle_waits_for_answers(clock: FakeClock, make_scheduler: Build) -> None:
    source = FakeSource(clock, constant("running"))
    sched = make_scheduler(source)
    for rid in (RUN_A, RUN_B, RUN_C):
        sched.watch(rid)
    await sched.idle()
    assert len(source.calls) == 3 and sched.in_flight == 0
    assert all(sched.state(r).run is not None for r in (RUN_A, RUN_B, RUN_C))


async def test_rewatch_while_old_request_in_flight_never_overlaps(
    clock: FakeClock, make_scheduler: Build, events: list[Event]
) -> None:
    source = FakeSource(clock, constant("running"), hold=1.0)
    sched = make_scheduler(source)
    sched.watch(RUN_A)
    await clock.advance(0.5)
    sched.unwatch(RUN_A)  # e.g. removed, then the removal undone at once
    sched.watch(RUN_A)
    await clock.advance(10)
    assert not source.overlap
    times = source.times(RUN_A)
    assert times[:2] == [0.0, 1.0]  # the new watch polls once the old answer is back
    assert len([e for e in events if isinstance(e, StatusChanged)]) == 1


async def test_refresh_then_resume_polls_once(clock: FakeClock, make_scheduler: Build) -> None:
    source = FakeSource(clock, constant("running"))
    sched = make_scheduler(source)
    sched.watch(RUN_A)
    await clock.advance(1)
    sched.pause(RUN_A)
    sched.refresh(RUN_A)
    sched.resume(RUN_A)
    await clock.advance(1)
    assert source.times(RUN_A) == [0.0, 1.0]
    assert not source.overlap
