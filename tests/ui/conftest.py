"""Fixtures for the UI tests: the app on the in-process simulator, on a FakeClock, in UTC."""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import textual.constants
from textual.geometry import Size
from textual.pilot import Pilot
from textual.screen import Screen

from nekt_tui.api.client import NektClient
from nekt_tui.api.models import Run
from nekt_tui.clock import FakeClock
from nekt_tui.simulator import DEMO_KEY, Faults, SimulatorTransport, World, app_transport
from nekt_tui.ui.app import FRAME, NektApp
from nekt_tui.ui.state.store import RunStore, StoredRun
from tests.app_parts import make_app

RUN_A = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
RUN_B = "11111111-2222-4333-8444-555555555555"
HOSTILE_SLUG = "[@click=app.quit]x[/]"


@pytest.fixture(autouse=True)
def _utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time is UTC in every UI test, so times on screen are the same everywhere."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture(autouse=True)
def _truecolor(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every UI test draws for a truecolor terminal, whatever TERM the tests run under (the
    app chooses other colours on a 16-colour one); a test may ask for another system."""
    monkeypatch.setattr(textual.constants, "COLOR_SYSTEM", "truecolor")


async def until_started(pilot: Pilot[Any]) -> None:
    """Wait until the app has drawn its first frame and started polling."""
    app = pilot.app
    assert isinstance(app, NektApp)
    for _ in range(1000):
        if app.started:
            return
        await pilot.pause()
    raise AssertionError("the app did not start")


async def advance(pilot: Pilot[Any], clock: FakeClock, seconds: float) -> None:
    """Wait until the app has started polling, move the clock, let the app draw."""
    app = pilot.app
    assert isinstance(app, NektApp)
    await until_started(pilot)
    await clock.advance(seconds)
    if app.scheduler is not None:
        # Every answer due by now has arrived. A request still busy after 5 s is parked on
        # the fake clock (e.g. a client retry): the test must move time further, so say so
        # instead of going on with answers missing.
        try:
            await asyncio.wait_for(app.scheduler.idle(), timeout=5)
        except TimeoutError:
            raise AssertionError(
                f"the engine was still busy {seconds} s on: a request waits for the fake clock"
            ) from None
    if app.frame_pending:
        # What arrived by now is drawn at the next frame, on this clock: move on to it.
        await clock.advance(FRAME)
    await pilot.pause()


@dataclass
class Sim:
    """An app wired to a simulator world, and the knobs to drive it."""

    app: NektApp
    clock: FakeClock
    world: World
    transport: SimulatorTransport

    async def advance(self, pilot: Pilot[Any], seconds: float) -> None:
        """Move the fake clock (once the app has started), then let the app draw."""
        await advance(pilot, self.clock, seconds)

    def requests_for(self, run_id: str) -> int:
        """How many requests the simulator answered for one run."""
        return sum(1 for r in self.world.requests if r.run_id == run_id)


def make_sim(
    world: World | Callable[[FakeClock], World] | None = None,
    *,
    runs: list[str] | None = None,
    saved: list[StoredRun] | None = None,
    faults: Faults | None = None,
    api_key: str = DEMO_KEY,
    **app_options: Any,
) -> Sim:
    """The app on a simulator world (the demo by default), watching `runs` (default: all)."""
    clock = FakeClock()
    if world is None:
        built = World.demo(clock)
    elif callable(world):
        built = world(clock)
    else:
        built = world
    transport = app_transport(built, DEMO_KEY, faults)
    client = NektClient(
        api_key, "http://127.0.0.1:8765", transport=transport, sleep=clock.sleep, now=clock.now
    )
    if saved is None:
        saved = [StoredRun(r, None, None) for r in (runs if runs is not None else built.run_ids)]
    app_options.setdefault("store", RunStore.in_memory(saved))
    app = make_app(
        source=client,
        clock=clock,
        host="simulator",
        demo=True,
        on_close=client.aclose,
        rng=random.Random(7),
        **app_options,
    )
    return Sim(app, clock, built, transport)


@pytest.fixture
def sim_factory() -> Callable[..., Sim]:
    """`make_sim` as a fixture."""
    return make_sim


@dataclass
class ScriptedSource:
    """A run source answering from a dict of run ID -> Run (or an exception to raise)."""

    answers: dict[str, Run | Exception] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)

    async def get_run(self, run_id: str, *, patient: bool = False) -> Run:
        self.calls.append(run_id)
        answer = self.answers[run_id]
        if isinstance(answer, Exception):
            raise answer
        return answer


def run_json(run_id: str, status: str, **extra: Any) -> Run:
    """A nested-shape run."""
    data: dict[str, Any] = {
        "id": run_id,
        "status": status,
        "created_at": "2026-01-15T11:58:00Z",
        "started_at": "2026-01-15T11:59:00Z" if status != "queued" else None,
        "pipeline": {"slug": "pipe-x", "triggers": []},
        "log": {"parsed_log": "line one\nline two\n"},
    }
    data.update(extra)
    return Run.model_validate(data)


def scripted_app(
    source: ScriptedSource, runs: list[str], **options: Any
) -> tuple[NektApp, FakeClock]:
    """The app on a scripted source."""
    clock = FakeClock()
    options.setdefault("store", RunStore.in_memory([StoredRun(r, None, None) for r in runs]))
    app = make_app(source=source, clock=clock, host="test", rng=random.Random(7), **options)
    return app, clock


def count_layouts(screen: Screen[Any]) -> list[float]:
    """From now on, list when `screen` lays out all its widgets again (a full re-flow and
    repaint, the cost the panels avoid); scroll-only updates are not counted."""
    layouts: list[float] = []
    original = screen._refresh_layout

    def refresh_layout(size: Size | None = None, scroll: bool = False) -> None:
        if not (scroll and not screen._layout_widgets):  # Textual's own test for a re-flow
            layouts.append(time.perf_counter())
        original(size, scroll)

    screen._refresh_layout = refresh_layout  # type: ignore[method-assign]
    return layouts


def env_without_color() -> dict[str, str]:
    """The environment, minus NO_COLOR (tests choose)."""
    return {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
