"""Fixtures for issue 6's hardening tests: the real app on an in-process simulator.

Everything runs on one FakeClock: the world, the client's retries and its reading of an
HTTP-date `Retry-After` (`now=clock.now`), and the scheduler. `RunFaults` adds faults
aimed at one run (the simulator's own faults hit requests at random), so a test can say
which row must show which problem.
"""

from __future__ import annotations

import asyncio
import gc
import random
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from textual.drivers.headless_driver import HeadlessDriver
from textual.pilot import Pilot

from nekt_tui.api.client import NektClient
from nekt_tui.clock import FakeClock
from nekt_tui.simulator import Faults, SimulatorTransport, World, app_transport
from nekt_tui.ui.app import FRAME, NektApp
from nekt_tui.ui.state.store import RunStore, StoredRun
from nekt_tui.ui.widgets.watch_list import WatchList
from nekt_tui.watch.events import Event
from tests.app_parts import make_app
from tests.ui.conftest import until_started

#: A key nobody would type by accident: tests search every output for it (and its tail).
SECRET = "sk-live-H6-9f2c4e7a1b3d5f60a8c2e4b6d8f01357"
SECRET_TAIL = SECRET[-16:]
SIM_URL = "http://127.0.0.1:8765"


@pytest.fixture(autouse=True)
def _utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time is UTC, so times on screen read the same everywhere."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
async def loop_errors() -> AsyncIterator[list[dict[str, Any]]]:
    """What reaches the event loop's exception handler (a task that failed unobserved)."""
    loop = asyncio.get_running_loop()
    seen: list[dict[str, Any]] = []
    old = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: seen.append(context))
    yield seen
    gc.collect()
    await asyncio.sleep(0)
    loop.set_exception_handler(old)


Responder = Callable[[httpx.Request], httpx.Response]


class RunFaults(httpx.AsyncBaseTransport):
    """Answers requests about chosen runs with a canned response; the rest go to `inner`."""

    def __init__(self, inner: SimulatorTransport) -> None:
        self.inner = inner
        self.by_run: dict[str, Responder] = {}
        self.answered: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Answer from `by_run` when the path names one of its runs."""
        for run_id, respond in self.by_run.items():
            if run_id in request.url.path:
                self.answered.append(run_id)
                return respond(request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        """Close the simulator transport."""
        await self.inner.aclose()


def html_502(request: httpx.Request) -> httpx.Response:
    """A proxy's HTML error page."""
    return httpx.Response(502, html="<html><h1>502 Bad Gateway</h1></html>", request=request)


def truncated_json(request: httpx.Request) -> httpx.Response:
    """A 200 whose JSON stops half way."""
    return httpx.Response(
        200,
        content=b'{"id": "x", "status": "runn',
        headers={"content-type": "application/json"},
        request=request,
    )


def refused(request: httpx.Request) -> httpx.Response:
    """A 400 with a DRF detail."""
    return httpx.Response(400, json={"detail": "Bad request."}, request=request)


@dataclass
class Rig:
    """The app wired to a simulator world on a FakeClock, and the knobs to drive it."""

    app: NektApp
    clock: FakeClock
    world: World
    sim: SimulatorTransport
    run_faults: RunFaults
    client: NektClient
    extra_clients: list[NektClient] = field(default_factory=list)

    @property
    def faults(self) -> Faults:
        """The simulator's random faults."""
        return self.sim.faults

    async def advance(self, pilot: Pilot[Any], seconds: float) -> None:
        """Move the clock (every wake-up settles the loop, so the app sees each event at
        its time), then on to the frame that draws what arrived, and let it settle."""
        await until_started(pilot)
        await self.clock.advance(seconds)
        if self.app.frame_pending:
            await self.clock.advance(FRAME)
        await pilot.pause()

    def new_client(self, key: str) -> NektClient:
        """Another client on the same transport with another key (closed by the test's end)."""
        client = make_client(key, self.run_faults, self.clock)
        self.extra_clients.append(client)
        return client

    def row_text(self, run_id: str) -> str:
        """The watch list line of one run, as drawn."""
        watch_list = self.app.main.query_one(WatchList)
        index = self.app.model.view.index(run_id)
        return watch_list.render_line(index + 1 - round(watch_list.scroll_y)).text

    def header_text(self) -> str:
        """The header line, as drawn."""
        return str(self.app.widgets.header.render())

    def notices(self) -> list[str]:
        """Every toast the app raised so far."""
        return [n.message for n in self.app.toasts]


def make_client(key: str, transport: httpx.AsyncBaseTransport, clock: FakeClock) -> NektClient:
    """A real client on `transport`, its retries and wall-clock reads on `clock`."""
    return NektClient(
        key,
        SIM_URL,
        transport=transport,
        sleep=clock.sleep,
        now=clock.now,
        rng=random.Random(3),
    )


def make_rig(
    world: Callable[[FakeClock], World],
    *,
    runs: list[str] | None = None,
    faults: Faults | None = None,
    key: str = SECRET,
    server_key: str | None = None,
    store: RunStore | None = None,
    **app_options: Any,
) -> Rig:
    """The app watching `runs` (default: every run of the world) through a real client."""
    clock = FakeClock()
    built = world(clock)
    sim = app_transport(built, server_key or key, faults)
    run_faults = RunFaults(sim)
    client = make_client(key, run_faults, clock)
    if store is None:
        ids = runs if runs is not None else built.run_ids
        store = RunStore.in_memory([StoredRun(r, None, None) for r in ids])
    app_options.setdefault("bell", "off")
    # The `K` dialog's new key gets a client on the same simulator (the app closes it).
    app_options.setdefault("make_source", lambda new_key: make_client(new_key, run_faults, clock))
    app = make_app(
        source=client,
        clock=clock,
        store=store,
        host="simulator",
        on_close=client.aclose,
        rng=random.Random(7),
        **app_options,
    )
    return Rig(app, clock, built, sim, run_faults, client)


class CapturingDriver(HeadlessDriver):
    """A headless driver the app does not treat as headless, keeping every byte written."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.written: list[str] = []

    @property
    def is_headless(self) -> bool:
        """Not headless: the app renders to it as to a terminal."""
        return False

    def write(self, data: str) -> None:
        """Keep what the app sends to the terminal."""
        self.written.append(data)

    def flush(self) -> None:
        """Nothing buffered."""


def record_events(rig: Rig) -> list[Event]:
    """Every engine event the app receives (the app's callback, wrapped before start)."""
    seen: list[Event] = []
    handle = rig.app.on_engine_event

    def spy(event: Event) -> None:
        seen.append(event)
        handle(event)

    rig.app.on_engine_event = spy  # type: ignore[method-assign]
    return seen
