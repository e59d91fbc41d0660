"""Issue 13's slow faults: endless bodies, dripping answers, a Retry-After in 9999.

Over a real loopback socket (`nekt-tui simulate` flags) each is the real thing; in
process, on an injected clock, an endless or dripping answer is the client giving up
after `timeout_seconds` (`httpx.ReadTimeout`), so a soak on a FakeClock can use them.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from nekt_tui.api.models import Run
from nekt_tui.clock import FakeClock
from nekt_tui.simulator import Faults, World, app_transport
from nekt_tui.simulator.streams import FAR_RETRY_AFTER
from tests.conftest import SIM_KEY, SimServer

BASE = "https://nekt.sim"


@pytest.fixture
async def sim(fake_clock: FakeClock) -> AsyncIterator[tuple[World, Faults, httpx.AsyncClient]]:
    world = World(seed=0, clock=fake_clock)
    faults = Faults(seed=1)
    transport = app_transport(world, SIM_KEY, faults)
    async with httpx.AsyncClient(
        transport=transport, base_url=BASE, headers={"x-api-key": SIM_KEY}
    ) as http:
        yield world, faults, http


@pytest.mark.parametrize("knob", ["endless_rate", "drip_rate"])
async def test_in_process_an_endless_or_dripping_answer_times_out(
    sim: tuple[World, Faults, httpx.AsyncClient], fake_clock: FakeClock, knob: str
) -> None:
    world, faults, http = sim
    faults.set(**{knob: 1.0, "timeout_seconds": 30.0})
    task = asyncio.create_task(http.get(f"/api/v1/runs/{world.run_ids[0]}/"))
    await fake_clock.advance(29.9)
    assert not task.done()
    await fake_clock.advance(0.1)
    with pytest.raises(httpx.ReadTimeout):
        await task
    record = world.requests[0]
    assert (record.fault, record.responded) == (knob.removesuffix("_rate"), 30.0)


async def test_far_retry_after_and_the_violation_check_honours_the_cap(
    sim: tuple[World, Faults, httpx.AsyncClient], fake_clock: FakeClock
) -> None:
    world, faults, http = sim
    faults.set(far_retry_after_rate=1.0)
    response = await http.get(f"/api/v1/runs/{world.run_ids[0]}/")
    assert response.status_code == 429
    assert response.headers["retry-after"] == FAR_RETRY_AFTER == "Fri, 31 Dec 9999 23:59:59 GMT"
    faults.off()
    await fake_clock.advance(599)
    await http.get(f"/api/v1/runs/{world.run_ids[0]}/")
    await fake_clock.advance(1)
    await http.get(f"/api/v1/runs/{world.run_ids[0]}/")
    log = world.requests
    assert log[0].fault == "far_retry_after" and log[0].retry_after is not None
    assert log[0].retry_after > 7_900 * 365 * 86_400
    assert log.retry_after_violations() == [log[1], log[2]]
    assert log.retry_after_violations(cap=600) == [log[1]]


def test_the_slow_knobs_do_not_reshuffle_the_others() -> None:
    def plans(**knobs: float) -> list[tuple[bool, bool, float]]:
        faults = Faults(error_rate=0.3, seed=5, **knobs)  # type: ignore[arg-type]
        return [(p.error, p.timeout, p.pick[0]) for p in (faults.draw() for _ in range(200))]

    assert plans() == plans(endless_rate=0.2, drip_rate=0.2, far_retry_after_rate=0.2)
    faults = Faults(seed=5, endless_rate=0.2, drip_rate=0.3, far_retry_after_rate=0.1)
    drawn = [faults.draw() for _ in range(2000)]
    assert all(p.endless + p.drip + p.far_retry_after <= 1 for p in drawn)
    for name, rate in (("endless", 0.2), ("drip", 0.3), ("far_retry_after", 0.1)):
        share = sum(getattr(p, name) for p in drawn) / len(drawn)
        assert abs(share - rate) < 0.04, (name, share)


# ---- over a socket ---------------------------------------------------------------------


@pytest.mark.integration
async def test_endless_body_over_a_socket_goes_on_until_the_client_hangs_up(
    sim_server_factory: Callable[..., SimServer],
) -> None:
    server = sim_server_factory("--endless-rate", "1", "--runs", "2")
    url = f"/api/v1/runs/{server.run_ids[0]}/"
    async with httpx.AsyncClient(base_url=server.url, headers={"x-api-key": server.key}) as http:
        for _ in range(2):  # hanging up frees the server for the next one
            async with http.stream("GET", url) as response:
                assert response.status_code == 200
                got = 0
                async for chunk in response.aiter_raw():
                    got += len(chunk)
                    if got > 8 << 20:
                        break  # 8 MB and still going: hang up
            assert got > 8 << 20
    assert server.process.poll() is None


@pytest.mark.integration
async def test_drip_over_a_socket_sends_a_valid_body_a_byte_at_a_time(
    sim_server_factory: Callable[..., SimServer],
) -> None:
    server = sim_server_factory(
        "--drip-rate", "1", "--drip-seconds", "0.001", "--runs", "1", "--shape", "flat"
    )
    url = f"/api/v1/runs/{server.run_ids[0]}/"
    async with httpx.AsyncClient(
        base_url=server.url,
        headers={"x-api-key": server.key},
        timeout=httpx.Timeout(1.0),  # per read: a drip never trips it
    ) as http:
        started = time.monotonic()
        async with http.stream("GET", url) as response:
            body = b"".join([chunk async for chunk in response.aiter_raw()])
        took = time.monotonic() - started
    assert response.status_code == 200
    run = Run.model_validate(json.loads(body))
    assert run.id == server.run_ids[0]
    # Every byte waited at least its pause (0.001 s) before it was sent.
    assert took >= 0.001 * len(body)


@pytest.mark.integration
async def test_far_retry_after_over_a_socket(sim_server_factory: Callable[..., SimServer]) -> None:
    server = sim_server_factory("--far-retry-after-rate", "1", "--runs", "1")
    async with httpx.AsyncClient(base_url=server.url, headers={"x-api-key": server.key}) as http:
        response = await http.get(f"/api/v1/runs/{server.run_ids[0]}/")
    assert response.status_code == 429
    assert response.headers["retry-after"] == "Fri, 31 Dec 9999 23:59:59 GMT"
