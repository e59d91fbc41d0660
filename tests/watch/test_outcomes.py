"""What a poll's outcome does to a run, on a run table and a gate, with no tasks running."""

from __future__ import annotations

import random

from nekt_tui.api.errors import (
    AuthenticationError,
    RateLimitedError,
    RunNotFoundError,
    ServerError,
    SlowAnswerError,
)
from nekt_tui.clock import FakeClock
from nekt_tui.watch.events import (
    Event,
    PollFailed,
    RateLimited,
    Recovered,
    RunSlow,
    RunUpdated,
    StatusChanged,
)
from nekt_tui.watch.gate import Gate
from nekt_tui.watch.outcomes import Outcomes
from nekt_tui.watch.runstate import Watched
from nekt_tui.watch.stream import EventHub
from nekt_tui.watch.table import RunTable
from tests.watch.conftest import RUN_A, make_run


def make(clock: FakeClock, events: list[Event]) -> tuple[RunTable, Gate, Outcomes, Watched]:
    hub = EventHub(events.append)
    table = RunTable(clock, hub, interval=2.0, waiting_interval=5.0)
    gate = Gate(clock, hub, concurrency=4, default_retry_after=30.0)
    outcomes = Outcomes(table, gate, clock, rng=random.Random(0), jitter=0.0, max_backoff=60.0)
    run = table.add(RUN_A, None, 0.0)
    table.plan_first(run, 0.0)
    table.due.pop_due(0.0)  # taken by a worker, as the dispatcher does
    table.polled(run)
    return table, gate, outcomes, run


def test_an_answer_after_failures_is_news_and_plans_the_next_poll(clock: FakeClock) -> None:
    events: list[Event] = []
    _, _, outcomes, run = make(clock, events)
    outcomes.failure(run, ServerError(500), current=True)
    outcomes.success(run, make_run(RUN_A, "running"))
    kinds = [type(e) for e in events]
    assert kinds == [PollFailed, RunUpdated, StatusChanged, Recovered]
    assert run.due == 2.0 and run.failures == 0


def test_errors_back_a_run_off_doubling(clock: FakeClock) -> None:
    events: list[Event] = []
    _, _, outcomes, run = make(clock, events)
    dues = []
    for _ in range(3):
        outcomes.failure(run, ServerError(500), current=True)
        dues.append(run.due)
    assert dues == [4.0, 8.0, 16.0]


def test_a_429_waits_for_the_window_and_is_no_failure_of_the_run(clock: FakeClock) -> None:
    events: list[Event] = []
    _, gate, outcomes, run = make(clock, events)
    outcomes.failure(run, RateLimitedError(12.0), current=True)
    assert [type(e) for e in events] == [RateLimited]
    assert run.due == 12.0 and run.failures == 0 and gate.limit == 1


def test_a_run_not_found_is_not_polled_again_by_itself(clock: FakeClock) -> None:
    events: list[Event] = []
    _, _, outcomes, run = make(clock, events)
    error = RunNotFoundError(RUN_A)
    outcomes.failure(run, error, current=True)
    assert events == [PollFailed(RUN_A, error, None, clock.now())]
    assert run.not_found and run.due is None


def test_a_refusal_of_a_replaced_key_stops_nothing(clock: FakeClock) -> None:
    events: list[Event] = []
    _, gate, outcomes, run = make(clock, events)
    outcomes.failure(run, AuthenticationError(401), current=False)
    assert events == [] and gate.auth_error is None and run.due == 0.0


def test_a_slow_answer_is_said_once_and_asked_again_with_patience(clock: FakeClock) -> None:
    events: list[Event] = []
    _, _, outcomes, run = make(clock, events)
    outcomes.failure(run, SlowAnswerError("h", 10.0), current=True, sent=0.0)
    outcomes.failure(run, SlowAnswerError("h", 10.0), current=True, sent=0.0)
    assert [type(e) for e in events] == [RunSlow]
    assert run.patient and run.slow and run.due == 2.0  # one interval on after the second
