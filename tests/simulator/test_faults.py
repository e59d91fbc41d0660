"""Each fault knob does what it says, deterministically, and can be switched off."""

from __future__ import annotations

import asyncio
import email.utils
import json
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest

from nekt_tui.api.models import Run, is_unknown
from nekt_tui.clock import FakeClock
from nekt_tui.simulator import Faults, SimulatorTransport, World, app_transport
from tests.conftest import SIM_KEY

BASE = "https://nekt.sim"


@pytest.fixture
def faults() -> Faults:
    return Faults(seed=1)


@pytest.fixture
def transport(sim_world: World, faults: Faults) -> SimulatorTransport:
    return app_transport(sim_world, SIM_KEY, faults)


@pytest.fixture
async def http(transport: SimulatorTransport) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=transport, base_url=BASE, headers={"x-api-key": SIM_KEY}
    ) as client:
        yield client


def path(world: World, i: int = 0) -> str:
    return f"/api/v1/runs/{world.run_ids[i % len(world.run_ids)]}/"


async def test_error_rate_gives_5xx_with_detail_or_text(
    http: httpx.AsyncClient, faults: Faults, sim_world: World
) -> None:
    faults.set(error_rate=1.0)
    kinds: Counter[str] = Counter()
    for i in range(40):
        response = await http.get(path(sim_world, i))
        assert response.status_code in (500, 502, 503, 504)
        if response.headers["content-type"] == "application/json":
            assert set(response.json()) == {"detail"}
            kinds["json"] += 1
        else:
            assert response.headers["content-type"].startswith("text/plain")
            kinds["text"] += 1
    assert kinds["json"] and kinds["text"]
    assert {r.fault for r in sim_world.requests} == {"error"}


async def test_latency_is_slept_on_the_clock(
    http: httpx.AsyncClient, faults: Faults, fake_clock: FakeClock, sim_world: World
) -> None:
    faults.set(latency=2.0)
    task = asyncio.create_task(http.get(path(sim_world)))
    await fake_clock.advance(1.9)
    assert not task.done()
    await fake_clock.advance(0.1)
    assert (await task).status_code == 200
    record = sim_world.requests[0]
    assert (record.time, record.responded) == (0.0, 2.0)


async def test_timeout_raises_read_timeout_after_timeout_seconds(
    http: httpx.AsyncClient, faults: Faults, fake_clock: FakeClock, sim_world: World
) -> None:
    faults.set(timeout_rate=1.0, timeout_seconds=10.0)
    task = asyncio.create_task(http.get(path(sim_world)))
    await fake_clock.advance(9.9)
    assert not task.done()
    await fake_clock.advance(0.1)
    with pytest.raises(httpx.ReadTimeout):
        await task
    record = sim_world.requests[0]
    assert (record.status, record.fault, record.responded) == (None, "timeout", 10.0)


async def test_reset_raises_connection_errors(
    http: httpx.AsyncClient, faults: Faults, sim_world: World
) -> None:
    faults.set(reset_rate=1.0)
    kinds = set()
    for i in range(30):
        with pytest.raises((httpx.RemoteProtocolError, httpx.ConnectError)) as err:
            await http.get(path(sim_world, i))
        kinds.add(type(err.value))
        assert err.value.request.url.path == path(sim_world, i)
    assert kinds == {httpx.RemoteProtocolError, httpx.ConnectError}
    assert all(r.status is None and r.fault == "reset" for r in sim_world.requests)


async def test_rate_limit_burst_with_retry_after_seconds(
    http: httpx.AsyncClient, faults: Faults, fake_clock: FakeClock, sim_world: World
) -> None:
    faults.set(rate_limit_rate=1.0, rate_limit_seconds=5.0, retry_after_date_rate=0.0)
    first = await http.get(path(sim_world))
    assert first.status_code == 429
    assert first.headers["retry-after"] == "5"
    assert "throttled" in first.json()["detail"]
    faults.set(rate_limit_rate=0.0)  # no new bursts; the current one carries on
    await fake_clock.advance(2.5)
    inside = await http.get("/api/v1/runs/")
    assert inside.status_code == 429
    assert inside.headers["retry-after"] == "3"  # 2.5 s left, rounded up
    await fake_clock.advance(2.5)
    assert (await http.get(path(sim_world))).status_code == 200
    log = sim_world.requests
    assert [r.retry_until for r in log] == [5.0, 5.5, None]
    # Both later requests came before the Retry-After they had been given had passed.
    assert log.retry_after_violations() == [log[1], log[2]]
    assert log.retry_after_violations(grace=0.6) == [log[1]]


async def test_rate_limit_retry_after_as_http_date(
    http: httpx.AsyncClient, faults: Faults, fake_clock: FakeClock, sim_world: World
) -> None:
    faults.set(rate_limit_rate=1.0, rate_limit_seconds=4.0, retry_after_date_rate=1.0)
    await fake_clock.advance(0.25)
    response = await http.get(path(sim_world))
    assert response.status_code == 429
    when = email.utils.parsedate_to_datetime(response.headers["retry-after"])
    # 12:00:00.25 + 4 s = 12:00:04.25, rounded up to the whole second an HTTP-date can say.
    assert when == fake_clock.now().replace(microsecond=0) + timedelta(seconds=5)
    assert sim_world.requests[0].retry_after == pytest.approx(4.75)


async def test_malformed_json_is_a_cut_body(
    http: httpx.AsyncClient, faults: Faults, sim_world: World
) -> None:
    whole = (await http.get(path(sim_world))).content
    faults.set(malformed_rate=1.0)
    response = await http.get(path(sim_world))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert whole.startswith(response.content) and len(response.content) < len(whole)
    with pytest.raises(json.JSONDecodeError):
        response.json()
    listing = await http.get("/api/v1/runs/")
    with pytest.raises(json.JSONDecodeError):
        listing.json()


async def test_html_pages(http: httpx.AsyncClient, faults: Faults, sim_world: World) -> None:
    faults.set(html_rate=1.0)
    statuses = set()
    for i in range(20):
        response = await http.get(path(sim_world, i))
        assert response.headers["content-type"].startswith("text/html")
        assert response.text.lstrip().lower().startswith(("<html", "<!doctype html"))
        statuses.add(response.status_code)
    assert statuses == {200, 502}


async def test_unknown_enum_values_parse_as_unknown(
    http: httpx.AsyncClient, faults: Faults, sim_world: World
) -> None:
    faults.set(unknown_enum_rate=1.0)
    changed: Counter[str] = Counter()
    for i in range(60):
        run = Run.model_validate((await http.get(path(sim_world, i))).json())
        fields = {
            "status": run.status,
            "trigger_type": run.trigger_type,
            "pipeline_type": run.pipeline.type if run.pipeline else None,
            "trigger": run.pipeline.triggers[0].type if run.pipeline else None,
        }
        unknown = [name for name, value in fields.items() if is_unknown(value)]
        assert len(unknown) <= 1
        changed.update(unknown)
    assert {"status", "trigger_type", "pipeline_type"} <= set(changed)
    assert all(r.fault and r.fault.count("=") == 1 for r in sim_world.requests)


async def test_extra_fields_are_added_and_ignored(
    http: httpx.AsyncClient, faults: Faults, sim_world: World
) -> None:
    rid = sim_world.run_ids[0]
    plain = (await http.get(f"/api/v1/runs/{rid}/")).json()
    faults.set(extra_fields=True)
    extra = (await http.get(f"/api/v1/runs/{rid}/")).json()
    assert set(extra) - set(plain) >= {"workspace", "priority", "tags"}
    assert Run.model_validate(extra) == Run.model_validate(plain)


async def test_same_seed_same_faults(fake_clock: FakeClock) -> None:
    async def outcomes(seed: int) -> list[str]:
        world = World(seed=4, clock=fake_clock)
        faults = Faults.chaos(seed=seed)
        faults.set(timeout_rate=0.0, latency=0.0, error_rate=0.2, reset_rate=0.1)
        transport = app_transport(world, SIM_KEY, faults)
        seen = []
        async with httpx.AsyncClient(transport=transport, base_url=BASE) as http:
            for i in range(150):
                try:
                    r = await http.get(path(world, i), headers={"x-api-key": SIM_KEY})
                    seen.append(f"{r.status_code}:{hash(r.content)}")
                except httpx.HTTPError as exc:
                    seen.append(type(exc).__name__)
        return seen

    a, b, c = await outcomes(9), await outcomes(9), await outcomes(10)
    assert a == b
    assert a != c
    assert len(set(a)) > 10


async def test_faults_switch_off_and_on(
    http: httpx.AsyncClient, faults: Faults, sim_world: World
) -> None:
    faults.set(error_rate=1.0, rate_limit_rate=1.0, extra_fields=True)
    assert faults.active
    assert (await http.get(path(sim_world))).status_code == 429
    faults.off()
    assert not faults.active
    assert (await http.get(path(sim_world))).status_code == 200  # the burst ended too
    faults.error_rate = 1.0
    assert (await http.get(path(sim_world))).status_code >= 500


def test_knobs_are_validated() -> None:
    with pytest.raises(ValueError, match="error_rate"):
        Faults(error_rate=1.5)
    with pytest.raises(ValueError, match="latency"):
        Faults(latency=-1)
    faults = Faults()
    with pytest.raises(ValueError, match="unknown fault knob"):
        faults.set(nonsense=1)
    with pytest.raises(ValueError):
        faults.set(error_rate=0.5, html_rate=2.0)
    assert faults.error_rate == 0.0  # a failed set changes nothing


async def test_transport_exposes_app_and_log(transport: SimulatorTransport, faults: Faults) -> None:
    assert transport.faults is faults
    assert transport.requests is transport.world.requests
    transport.app.faults = Faults(error_rate=1.0)
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as http:
        r = await http.get(path(transport.world), headers={"x-api-key": SIM_KEY})
    assert r.status_code >= 500
