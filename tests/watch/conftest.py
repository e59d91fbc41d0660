"""Fixtures for the watch engine tests: a fake run source driven by a FakeClock."""

from __future__ import annotations

import itertools
import random
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from nekt_tui.api.client import NektClient
from nekt_tui.api.errors import NektError
from nekt_tui.api.models import Run
from nekt_tui.clock import FakeClock
from nekt_tui.simulator import DEMO_KEY, SimulatorTransport, World, app_transport
from nekt_tui.watch.events import Event
from nekt_tui.watch.scheduler import Scheduler

RUN_A = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
RUN_B = "11111111-2222-4333-8444-555555555555"
RUN_C = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"


def make_run(run_id: str, status: str, log: str | None = None, **extra: Any) -> Run:
    """A nested-shape run with the given status (and log)."""
    data: dict[str, Any] = {"id": run_id, "status": status, "pipeline": {"slug": "pipe"}}
    if log is not None:
        data["log"] = {"parsed_log": log}
    data.update(extra)
    return Run.model_validate(data)


Script = Callable[[str, float], "Run | NektError"]


@dataclass
class FakeSource:
    """Answers `get_run` from a script (run_id, clock time) -> Run or error to raise.

    Records each request's time and the maximum concurrency seen. `hold` makes every
    request wait on the clock (a slow API) so overlaps can be observed.
    """

    clock: FakeClock
    script: Script
    hold: float = 0.0
    calls: list[tuple[float, str]] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0
    in_flight_ids: set[str] = field(default_factory=set)
    overlap: bool = False

    async def get_run(self, run_id: str, *, patient: bool = False) -> Run:
        self.calls.append((self.clock.monotonic(), run_id))
        if run_id in self.in_flight_ids:
            self.overlap = True
        self.in_flight_ids.add(run_id)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.hold:
                await self.clock.sleep(self.hold)
            result = self.script(run_id, self.clock.monotonic())
        finally:
            self.in_flight -= 1
            self.in_flight_ids.discard(run_id)
        if isinstance(result, NektError):
            raise result
        return result

    def times(self, run_id: str) -> list[float]:
        """Clock times of the requests for one run."""
        return [t for t, rid in self.calls if rid == run_id]


def gaps(times: list[float]) -> list[float]:
    """The time between successive requests."""
    return [round(b - a, 6) for a, b in itertools.pairwise(times)]


def constant(status: str) -> Script:
    """Every run always has `status`."""
    return lambda run_id, _t: make_run(run_id, status)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def events() -> list[Event]:
    return []


@pytest.fixture
async def make_scheduler(
    clock: FakeClock, events: list[Event]
) -> AsyncIterator[Callable[..., Scheduler]]:
    """Build started schedulers (no jitter unless asked) that are closed after the test."""
    made: list[Scheduler] = []

    def build(source: Any, **kwargs: Any) -> Scheduler:
        kwargs.setdefault("jitter", 0.0)
        kwargs.setdefault("rng", random.Random(0))
        sched = Scheduler(source, clock=clock, on_event=events.append, **kwargs)
        sched.start()
        made.append(sched)
        return sched

    yield build
    for sched in made:
        await sched.aclose()


@dataclass
class Sim:
    """A simulated world served in-process to a NektClient, all on one FakeClock."""

    clock: FakeClock
    world: World
    transport: SimulatorTransport
    client: NektClient

    def new_client(self, key: str) -> NektClient:
        """Another client on the same transport, with another key."""
        return NektClient(key, SIM_URL, transport=self.transport, sleep=self.clock.sleep)


SIM_URL = "http://127.0.0.1:8765"


@pytest.fixture
async def sim(clock: FakeClock) -> AsyncIterator[Sim]:
    """An empty world (add scripted runs with `sim.world.add_run`) and a client for it.

    The client does not retry by itself: the scheduler's own back-off is what is tested.
    """
    world = World(seed=3, clock=clock, n_runs=0)
    transport = app_transport(world, DEMO_KEY)
    client = NektClient(
        DEMO_KEY, SIM_URL, transport=transport, sleep=clock.sleep, now=clock.now, max_retries=1
    )
    yield Sim(clock, world, transport, client)
    await client.aclose()
