"""The scheduler under faults: back-off, not found, rate limits, auth problems, staleness."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from nekt_tui.api.errors import (
    ApiUnreachableError,
    AuthenticationError,
    NektError,
    RateLimitedError,
    RunNotFoundError,
    ServerError,
)
from nekt_tui.api.models import Run
from nekt_tui.clock import FakeClock
from nekt_tui.watch.events import (
    AuthProblem,
    Event,
    PollFailed,
    RateLimited,
    Recovered,
    RunStale,
    RunUpdated,
)
from nekt_tui.watch.scheduler import Scheduler
from tests.watch.conftest import RUN_A, RUN_B, RUN_C, FakeSource, constant, gaps, make_run

Build = Callable[..., Scheduler]
IDS = [f"{i:08x}-0000-4000-8000-000000000000" for i in range(20)]


E = TypeVar("E")


def of(kind: type[E], events: list[Event]) -> list[E]:
    return [e for e in events if isinstance(e, kind)]


async def test_backoff_grows_to_cap_and_resets_on_success(
    clock: FakeClock, make_scheduler: Build, events: list[Event]
) -> None:
    def script(rid: str, t: float) -> Run | NektError:
        if 10 <= t < 300:
            return ServerError(503)
        return make_run(rid, "running")

    source = FakeSource(clock, script)
    sched = make_scheduler(source)
    sched.watch(RUN_A)
    await clock.advance(400)
    times = source.times(RUN_A)
    failing = [t for t in times if 10 <= t < 300]
    assert gaps(failing) == [4.0, 8.0, 16.0, 32.0, 60.0, 60.0, 60.0]
    after = [t for t in times if t >= 300]
    assert gaps(after)[:3] == [2.0, 2.0, 2.0]  # reset by the first success
    failures = of(PollFailed, events)
    assert len(failures) == 8
    assert all(isinstance(f, PollFailed) and f.next_retry is not None for f in failures)
    assert sched.state(RUN_A).failures == 0 and sched.state(RUN_A).last_error is None


async def test_poll_failed_says_when_it_retries(
    clock: FakeClock, make_scheduler: Build, events: list[Event]
) -> None:
    sched = make_scheduler(FakeSource(clock, lambda _r, _t: ApiUnreachableError("h", "down")))
    sched.watch(RUN_A)
    await clock.advance(0)
    [failed] = of(PollFailed, events)
    assert isinstance(failed, PollFailed)
    assert (failed.next_retry - failed.at).total_seconds() == 4.0
    assert sched.state(RUN_A).next_due == failed.next_retry
    assert sched.state(RUN_A).failures == 1


async def test_not_found_stops_polling_until_refresh(
    clock: FakeClock, make_scheduler: Build, events: list[Event]
) -> None:
    exists = {"yes": False}

    def script(rid: str, _t: float) -> Run | NektError:
        return make_run(rid, "running") if exists["yes"] else RunNotFoundError(rid)

    source = FakeSource(clock, script)
    sched = make_scheduler(source)
    sched.watch(RUN_A)
    await clock.advance(3600)
    assert source.times(RUN_A) == [0.0]
    [failed] = of(PollFailed, events)
    assert isinstance(failed, PollFailed) and failed.next_retry is None
    assert sched.state(RUN_A).not_found
    assert not of(RunStale, events)  # its problem is "not found", not "stale"
    exists["yes"] = True
    sched.refresh(RUN_A)
    await clock.advance(4)
    assert source.times(RUN_A) == [0.0, 3600.0, 3602.0, 3604.0]
    assert [e.scope for e in of(Recovered, events)] == ["run"]


async def test_no_request_at_all_inside_retry_after_window(
    clock: FakeClock, make_scheduler: Build, events: list[Event]
) -> None:
    budget = {"429s": 1}  # one 429 only: every other run would happily be served

    def script(rid: str, t: float) -> Run | NektError:
        if t >= 20 and budget["429s"]:
            budget["429s"] -= 1
            return RateLimitedError(45)
        return make_run(rid, "running")

    source = FakeSource(clock, script)
    sched = make_scheduler(source)
    for rid in IDS:
        sched.watch(rid)
    await clock.advance(200)
    first_429 = min(t for t, _ in source.calls if t >= 20)
    inside = [t for t, _ in source.calls if first_429 < t < first_429 + 45]
    assert inside == []
    limited = of(RateLimited, events)
    assert len(limited) == 1
    assert isinstance(limited[0], RateLimited)
    assert (limited[0].until - limited[0].at).total_seconds() == 45
    # The window ends; the runs, stale after 3 intervals without data, recover one by one.
    recovered = [e.scope for e in of(Recovered, events)]
    assert recovered == ["rate_limit"] + ["run"] * len(IDS)
    # Every run is polled again after the window, at its usual pace.
    for rid in IDS:
        assert source.times(rid)[-1] > 190


async def test_retry_after_missing_defaults_to_30s(clock: FakeClock, make_scheduler: Build) -> None:
    def script(rid: str, t: float) -> Run | NektError:
        return RateLimitedError(None) if t < 1 else make_run(rid, "running")

    source = FakeSource(clock, script)
    sched = make_scheduler(source)
    sched.watch(RUN_A)
    await clock.advance(0)
    assert sched.rate_limited_until is not None
    assert (sched.rate_limited_until - clock.now()).total_seconds() == 30
    await clock.advance(40)
    assert source.times(RUN_A)[:2] == [0.0, 30.0]
    assert sched.rate_limited_until is None


async def test_resume_after_429_is_gradual(clock: FakeClock, make_scheduler: Build) -> None:
    def script(rid: str, t: float) -> Run | NektError:
        return RateLimitedError(10) if t < 1 else make_run(rid, "running")

    source = FakeSource(clock, script, hold=0.5)
    sched = make_scheduler(source, concurrency=8)
    for rid in IDS:
        sched.watch(rid)
    await clock.advance(10.4)  # the 429s came back at 0.5: window until 10.5
    assert all(t < 1 for t, _ in source.calls)
    start = len(source.calls)
    await clock.advance(0.1)  # 10.5: only one request goes first
    assert len(source.calls) == start + 1
    await clock.advance(0.5)  # 11.0: it succeeded, two more
    assert len(source.calls) == start + 3
    await clock.advance(0.5)
    assert len(source.calls) == start + 7
    await clock.advance(0.5)
    assert len(source.calls) == start + 15
    assert source.max_in_flight == 8


async def test_auth_error_said_once_stops_everything_and_resumes_on_new_source(
    clock: FakeClock, make_scheduler: Build, events: list[Event]
) -> None:
    bad = FakeSource(clock, lambda _r, _t: AuthenticationError(401))
    sched = make_scheduler(bad)
    for rid in IDS:
        sched.watch(rid)
    await clock.advance(600)
    assert len(of(AuthProblem, events)) == 1
    assert not of(PollFailed, events)  # not once per run either
    assert len(bad.calls) <= 8  # only what was already in flight
    assert sched.auth_error is not None
    # Retrying with the same bad key: one probe, one more message, no storm.
    sched.retry_auth()
    await clock.advance(60)
    assert len(bad.calls) <= 9 and len(of(AuthProblem, events)) == 2
    good = FakeSource(clock, constant("running"))
    sched.set_source(good)
    await clock.advance(5)
    assert {rid for _, rid in good.calls} == set(IDS)
    assert sched.auth_error is None
    assert [e.scope for e in of(Recovered, events)][:1] == ["auth"]


async def test_key_revoked_mid_session(
    clock: FakeClock, make_scheduler: Build, events: list[Event]
) -> None:
    def script(rid: str, t: float) -> Run | NektError:
        return AuthenticationError(401) if t >= 30 else make_run(rid, "running")

    source = FakeSource(clock, script)
    sched = make_scheduler(source)
    for rid in (RUN_A, RUN_B, RUN_C):
        sched.watch(rid)
    await clock.advance(3600)
    after = [t for t, _ in source.calls if t >= 30]
    # The first refusal comes back before the other two runs' requests are sent (the
    # source answers at once): they are held, not sent with a key known to be refused.
    assert after == [30.0]
    assert len(of(AuthProblem, events)) == 1


async def test_stale_once_per_episode_then_recovered(
    clock: FakeClock, make_scheduler: Build, events: list[Event]
) -> None:
    def script(rid: str, t: float) -> Run | NektError:
        if 10 <= t < 100:
            return ServerError(502)
        return make_run(rid, "running")

    sched = make_scheduler(FakeSource(clock, script))
    sched.watch(RUN_A)
    await clock.advance(200)
    stale = of(RunStale, events)
    assert len(stale) == 1
    assert isinstance(stale[0], RunStale)
    # Last success at 8 s; interval 2 s; stale once no fresh data for more than 6 s.
    assert (stale[0].at - stale[0].last_success).total_seconds() == 6
    assert [e.scope for e in of(Recovered, events)] == ["run"]
    assert not sched.state(RUN_A).stale


async def test_stale_uses_the_runs_own_interval(
    clock: FakeClock, make_scheduler: Build, events: list[Event]
) -> None:
    # Every answer takes 9 s: fresh data every 9 + interval seconds. That is within
    # 3 × 5 s for a queued run, but not within 3 × 2 s for a running one.
    source = FakeSource(
        clock, lambda rid, _t: make_run(rid, "queued" if rid == RUN_A else "running")
    )
    source.hold = 9.0
    sched = make_scheduler(source)
    sched.watch(RUN_A, "queued")
    sched.watch(RUN_B, "running")
    await clock.advance(300)
    stale = [e.run_id for e in of(RunStale, events)]
    # RUN_B goes stale once per 11 s cycle (and recovers each time it gets an answer).
    assert set(stale) == {RUN_B} and len(stale) == 27
    recovered = [e.run_id for e in of(Recovered, events)]
    assert set(recovered) == {RUN_B} and len(recovered) in (26, 27)


async def test_paused_runs_do_not_go_stale(
    clock: FakeClock, make_scheduler: Build, events: list[Event]
) -> None:
    sched = make_scheduler(FakeSource(clock, constant("running")))
    sched.watch(RUN_A)
    sched.watch(RUN_B)
    await clock.advance(1)
    sched.pause(RUN_A)
    await clock.advance(100)
    sched.pause()
    await clock.advance(100)
    sched.resume()
    await clock.advance(1)
    assert not of(RunStale, events)


async def test_stale_while_rate_limited(
    clock: FakeClock, make_scheduler: Build, events: list[Event]
) -> None:
    def script(rid: str, t: float) -> Run | NektError:
        return RateLimitedError(60) if 4 <= t < 5 else make_run(rid, "running")

    sched = make_scheduler(FakeSource(clock, script))
    sched.watch(RUN_A)
    sched.watch(RUN_B, "success", poll_terminal=False)
    await clock.advance(100)
    assert [e.run_id for e in of(RunStale, events)] == [RUN_A]
    recovered = [(e.scope, e.run_id) for e in of(Recovered, events)]
    assert recovered == [("rate_limit", None), ("run", RUN_A)]


async def test_log_delta_reaches_run_updated(
    clock: FakeClock, make_scheduler: Build, events: list[Event]
) -> None:
    def script(rid: str, t: float) -> Run:
        lines = "".join(f"line {i}\n" for i in range(int(t) // 2 + 1))
        return make_run(rid, "running", log=lines)

    sched = make_scheduler(FakeSource(clock, script))
    sched.watch(RUN_C)
    await clock.advance(4)
    deltas = [e.log_delta for e in of(RunUpdated, events)]
    assert [(d.reset, d.lines) for d in deltas] == [
        (True, ("line 0",)),
        (False, ("line 1",)),
        (False, ("line 2",)),
    ]
