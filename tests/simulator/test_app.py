"""The ASGI app in-process: routes, auth, pagination, cancel, the request log."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

import httpx
import pytest

from nekt_tui.api.client import NektClient
from nekt_tui.api.errors import AuthenticationError, RunNotFoundError
from nekt_tui.api.models import Run, RunPage, RunStatus
from nekt_tui.clock import FakeClock
from nekt_tui.simulator import SimulatorTransport, World, app_transport
from tests.conftest import SIM_KEY

BASE = "https://nekt.sim"
MISSING = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def transport(sim_world: World) -> SimulatorTransport:
    return app_transport(sim_world, SIM_KEY)


@pytest.fixture
async def http(transport: SimulatorTransport) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=transport, base_url=BASE, headers={"x-api-key": SIM_KEY}
    ) as client:
        yield client


async def test_get_run_returns_the_world_json(http: httpx.AsyncClient, sim_world: World) -> None:
    rid = sim_world.run_ids[0]
    response = await http.get(f"/api/v1/runs/{rid}/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == sim_world.run_json(rid)
    upper = await http.get(f"/api/v1/runs/{rid.upper()}/")
    assert upper.json()["id"] == rid


async def test_auth_errors_have_a_detail(http: httpx.AsyncClient, sim_world: World) -> None:
    path = f"/api/v1/runs/{sim_world.run_ids[0]}/"
    missing = await http.get(path, headers={"x-api-key": ""})
    assert missing.status_code == 401
    assert missing.json() == {"detail": "Authentication credentials were not provided."}
    async with httpx.AsyncClient(transport=http._transport, base_url=BASE) as bare:
        assert (await bare.get(path)).status_code == 401
    wrong = await http.get(path, headers={"x-api-key": "not-the-key"})
    assert wrong.status_code == 403
    assert wrong.json() == {"detail": "Invalid API key."}


async def test_key_can_be_revoked_and_replaced(
    http: httpx.AsyncClient, transport: SimulatorTransport, sim_world: World
) -> None:
    path = f"/api/v1/runs/{sim_world.run_ids[0]}/"
    assert (await http.get(path)).status_code == 200
    transport.app.revoke_key()
    revoked = await http.get(path)
    assert revoked.status_code == 401
    assert revoked.json() == {"detail": "API key has been revoked."}
    transport.app.api_key = "new-key"
    assert (await http.get(path)).status_code == 401
    assert (await http.get(path, headers={"x-api-key": "new-key"})).status_code == 200


async def test_not_found(http: httpx.AsyncClient) -> None:
    for path in (f"/api/v1/runs/{MISSING}/", "/api/v1/runs/not-a-uuid/",
                 f"/api/v1/runs/{MISSING}/cancel/"):  # fmt: skip
        response = await http.request("POST" if "cancel" in path else "GET", path)
        assert response.status_code == 404, path
        assert response.json() == {"detail": "Not found."}
    for path in (f"/api/v1/runs/{MISSING}", "/api/v1/runs", "/api/v2/runs/", "/"):
        response = await http.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("text/html")


async def test_wrong_method(http: httpx.AsyncClient, sim_world: World) -> None:
    rid = sim_world.run_ids[0]
    response = await http.delete(f"/api/v1/runs/{rid}/")
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "DELETE" not allowed.'}
    assert (await http.get(f"/api/v1/runs/{rid}/cancel/")).status_code == 405


async def test_pagination(http: httpx.AsyncClient, sim_world: World) -> None:
    first = (await http.get("/api/v1/runs/", params={"page_size": 8})).json()
    assert first["count"] == 20
    assert first["previous"] is None
    assert first["next"] == f"{BASE}/api/v1/runs/?page=2&page_size=8"
    seen = [r["id"] for r in first["results"]]
    page = first
    while page["next"]:
        page = (await http.get(page["next"])).json()
        seen += [r["id"] for r in page["results"]]
    assert page["previous"] == f"{BASE}/api/v1/runs/?page=2&page_size=8"
    assert sorted(seen) == sorted(sim_world.run_ids) and len(seen) == 20
    # fromisoformat reads a "Z" only from Python 3.11 on.
    created = [
        datetime.fromisoformat(r["created_at"].replace("Z", "+00:00")) for r in first["results"]
    ]
    assert created == sorted(created, reverse=True)  # newest first
    assert len(RunPage.model_validate(first).results) == 8
    second = (await http.get("/api/v1/runs/?page=2&page_size=8")).json()
    assert second["previous"] == f"{BASE}/api/v1/runs/?page_size=8"
    last = (await http.get("/api/v1/runs/?page=last&page_size=8")).json()
    assert last == page
    for bad in ("4", "0", "x", "-1"):
        response = await http.get(f"/api/v1/runs/?page={bad}&page_size=8")
        assert response.status_code == 404
        assert response.json() == {"detail": "Invalid page."}
    default = (await http.get("/api/v1/runs/")).json()
    assert len(default["results"]) == 20 and default["next"] is None


async def test_empty_world_lists_nothing(fake_clock: FakeClock) -> None:
    transport = app_transport(World(clock=fake_clock, n_runs=0), SIM_KEY)
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as http:
        page = (await http.get("/api/v1/runs/", headers={"x-api-key": SIM_KEY})).json()
    assert page == {"count": 0, "next": None, "previous": None, "results": []}


async def test_cancel_flow(http: httpx.AsyncClient, fake_clock: FakeClock) -> None:
    world = World(clock=fake_clock, n_runs=0)
    rid = world.add_run([("queued", 1), ("running", 600)], "success", cancelling_seconds=4)
    transport = app_transport(world, SIM_KEY)
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as http:
        await fake_clock.advance(10)
        response = await http.post(f"/api/v1/runs/{rid}/cancel/", json={},
                                   headers={"x-api-key": SIM_KEY})  # fmt: skip
        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "cancelling"
        assert "pipeline" not in body and "number" in body  # the flat shape
        await fake_clock.advance(5)
        after = (await http.get(f"/api/v1/runs/{rid}/", headers={"x-api-key": SIM_KEY})).json()
        assert after["status"] == "canceled"
        again = await http.post(f"/api/v1/runs/{rid}/cancel/", json={},
                                headers={"x-api-key": SIM_KEY})  # fmt: skip
        assert again.status_code == 400
        assert again.json() == {"detail": "Cannot cancel a run that is already canceled."}


async def test_nekt_client_against_the_transport(fake_clock: FakeClock) -> None:
    world = World.demo(fake_clock)
    async with NektClient(SIM_KEY, BASE, transport=app_transport(world, SIM_KEY)) as client:
        for rid in world.run_ids:
            run = await client.get_run(rid)
            assert run.status == world.true_status(rid)
        page = await client.list_runs(page_size=5)
        assert page.count == len(world.run_ids) and len(page.results) == 5
        running = world.find_run(status="running", slug="hubspot-to-catalog")
        cancelled = await client.cancel_run(running)
        assert cancelled.status is RunStatus.CANCELLING and cancelled.shape == "flat"
        with pytest.raises(RunNotFoundError):
            await client.get_run(MISSING)
    async with NektClient("bad", BASE, transport=app_transport(world, SIM_KEY)) as client:
        with pytest.raises(AuthenticationError) as err:
            await client.get_run(world.run_ids[0])
        assert err.value.status_code == 403 and err.value.detail == "Invalid API key."


async def test_request_log(
    http: httpx.AsyncClient, sim_world: World, fake_clock: FakeClock
) -> None:
    a, b = sim_world.run_ids[:2]
    await http.get(f"/api/v1/runs/{a}/")
    await fake_clock.advance(2.5)
    await http.get(f"/api/v1/runs/{a.upper()}/")
    await http.get(f"/api/v1/runs/{b}/", headers={"x-api-key": "wrong"})
    await http.get("/api/v1/runs/")
    cancel_status = 400 if sim_world.true_status(b).is_terminal else 200
    await http.post(f"/api/v1/runs/{b}/cancel/", json={})
    log = sim_world.requests
    assert log.count() == len(log) == 5
    assert log.count(a) == 2 and log.count(b) == 2 and log.per_run() == {a: 2, b: 2}
    assert [(r.time, r.method, r.run_id, r.status) for r in log] == [
        (0.0, "GET", a, 200),
        (2.5, "GET", a, 200),
        (2.5, "GET", b, 403),
        (2.5, "GET", None, 200),
        (2.5, "POST", b, cancel_status),
    ]
    assert [r.path for r in log.for_run(a)] == [f"/api/v1/runs/{a}/", f"/api/v1/runs/{a.upper()}/"]
    assert all(r.fault is None and r.responded == r.time for r in log)
    log.clear()
    assert log.count() == 0 and log.count(a) == 0


async def test_every_response_parses(http: httpx.AsyncClient, sim_world: World) -> None:
    for rid in sim_world.run_ids:
        Run.model_validate((await http.get(f"/api/v1/runs/{rid}/")).json())


async def test_a_run_not_created_yet_is_not_found(fake_clock: FakeClock) -> None:
    world = World(clock=fake_clock, n_runs=0)
    rid = world.add_run(ago=-10)
    async with httpx.AsyncClient(
        transport=app_transport(world, SIM_KEY), base_url=BASE, headers={"x-api-key": SIM_KEY}
    ) as http:
        assert (await http.get(f"/api/v1/runs/{rid}/")).status_code == 404
        assert (await http.get("/api/v1/runs/")).json()["count"] == 0
        await fake_clock.advance(10)
        assert (await http.get(f"/api/v1/runs/{rid}/")).json()["status"] == "queued"
        assert (await http.get("/api/v1/runs/")).json()["count"] == 1


def test_every_name_the_package_exports_loads_on_first_use() -> None:
    import nekt_tui.simulator as simulator

    for name in simulator.__all__:
        assert getattr(simulator, name) is not None, name
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        _ = simulator.Nope  # type: ignore[attr-defined]
