"""The gate alone: the 429 window, the host-down back-off, a refused key and slow start."""

from __future__ import annotations

from nekt_tui.api.errors import ApiUnreachableError, AuthenticationError
from nekt_tui.clock import FakeClock
from nekt_tui.watch import policy
from nekt_tui.watch.events import AuthProblem, Event, HostDown, RateLimited, Recovered
from nekt_tui.watch.gate import Gate
from nekt_tui.watch.stream import EventHub


def make(clock: FakeClock, events: list[Event], concurrency: int = 8) -> Gate:
    return Gate(clock, EventHub(events.append), concurrency=concurrency, default_retry_after=30.0)


async def test_a_429_holds_every_request_and_its_end_is_said_once(clock: FakeClock) -> None:
    events: list[Event] = []
    gate = make(clock, events)
    assert gate.block_for(10.0) == 10.0
    gate.block_for(10.5)  # the same window, a moment later: said once
    assert [type(e) for e in events] == [RateLimited]
    assert not gate.is_open(5.0) and gate.limit == 1 and gate.hold_until() == 10.5
    gate.end_window(10.0)
    assert len(events) == 1
    await clock.advance(11.0)
    gate.end_window(11.0)
    gate.end_window(12.0)
    assert [type(e) for e in events] == [RateLimited, Recovered] and gate.is_open(11.0)


def test_a_huge_retry_after_is_capped(clock: FakeClock) -> None:
    gate = make(clock, [])
    assert gate.block_for(1e12) == policy.MAX_RETRY_AFTER


def test_slow_start_after_a_429_adds_one_slot_per_answer(clock: FakeClock) -> None:
    events: list[Event] = []
    gate = make(clock, events, concurrency=3)
    gate.block_for(1.0)
    limits = []
    for _ in range(4):
        gate.succeeded(events, clock.now())
        limits.append(gate.limit)
    assert limits == [2, 3, 3, 3] and not gate.ramping


def test_the_host_is_down_after_a_few_connect_failures_in_a_row(clock: FakeClock) -> None:
    events: list[Event] = []
    gate = make(clock, events)
    error = ApiUnreachableError("h", "connection refused")
    for _ in range(policy.HOST_DOWN_AFTER - 1):
        gate.connect_failed(error, 0.0)
    assert events == [] and gate.is_open(0.0)
    gate.connect_failed(error, 0.0)
    assert [type(e) for e in events] == [HostDown]
    assert gate.host_until == policy.HOST_BACKOFF_FIRST and gate.limit == 1
    gate.connect_failed(error, 0.0)  # sent before the host was found down: no news
    assert gate.host_until == policy.HOST_BACKOFF_FIRST
    found: list[Event] = []
    gate.answered(found, clock.now())
    assert [type(e) for e in found] == [Recovered] and gate.is_open(0.0)


def test_an_answer_between_connect_failures_keeps_the_host_up(clock: FakeClock) -> None:
    events: list[Event] = []
    gate = make(clock, events)
    error = ApiUnreachableError("h", "connection refused")
    for _ in range(3 * policy.HOST_DOWN_AFTER):
        gate.connect_failed(error, 0.0)
        gate.answered(events, clock.now())
    assert events == [] and not gate.host_down


def test_a_refused_key_is_said_once_and_its_fix_on_the_next_answer(clock: FakeClock) -> None:
    events: list[Event] = []
    gate = make(clock, events)
    assert not gate.retry_auth()  # nothing refused: nothing to retry
    gate.refuse(AuthenticationError(401))
    gate.refuse(AuthenticationError(403))
    assert [type(e) for e in events] == [AuthProblem] and not gate.is_open(0.0)
    assert gate.retry_auth() and gate.is_open(0.0) and gate.limit == 1
    gate.succeeded(events, clock.now())
    assert events[-1] == Recovered("auth", None, clock.now())


def test_refreshing_everything_opens_both_waits_for_one_request(clock: FakeClock) -> None:
    gate = make(clock, [])
    gate.block_for(30.0)
    for _ in range(policy.HOST_DOWN_AFTER):
        gate.connect_failed(ApiUnreachableError("h", "down"), 0.0)
    assert not gate.is_open(0.0)
    gate.force_try(0.0)
    assert gate.is_open(0.0) and gate.limit == 1
