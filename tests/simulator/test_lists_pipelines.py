"""`GET /api/v1/sources/` and `GET /api/v1/transformations/` over loopback HTTP: DRF pages,
filters, both documented item shapes, `expand[]=last_run`, auth. Plain JSON assertions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from nekt_tui.clock import FakeClock
from nekt_tui.simulator import Faults, World, app_transport
from nekt_tui.simulator.catalog import PIPELINES
from tests.conftest import SIM_KEY, SimServer, start_sim_server

pytestmark = pytest.mark.integration

KINDS = ("sources", "transformations")
#: A world this slow stands still while a test compares two answers.
FROZEN = ("--speed", "0.01")
TRIGGER_KEYS = {"id", "created_at", "updated_at", "type", "cron_expression", "cron_timezone",
                "events", "event_rule"}  # fmt: skip
LAST_RUN_KEYS = {"id", "created_at", "updated_at", "started_at", "ended_at", "status"}
COMMON = {"id", "name", "description", "pipeline_current_status", "pipeline_triggers",
          "last_run", "full_sync_cron", "full_sync_cron_timezone"}  # fmt: skip


@pytest.fixture(scope="module")
def older() -> Iterator[SimServer]:
    """The demo with nested detail: older list items."""
    server = start_sim_server("--detail", "nested", *FROZEN)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def newer() -> Iterator[SimServer]:
    """The demo with flat detail: newer list items."""
    server = start_sim_server("--detail", "flat", *FROZEN)
    yield server
    server.stop()


def get(server: SimServer, path: str, **params: Any) -> dict[str, Any]:
    response = httpx.get(f"{server.url}{path}", params=params, headers={"x-api-key": server.key})
    assert response.status_code == 200, (path, params, response.text[:200])
    body: dict[str, Any] = response.json()
    return body


def items(server: SimServer, kind: str, **params: Any) -> list[dict[str, Any]]:
    page = get(server, f"/api/v1/{kind}/", **params)
    assert set(page) == {"count", "next", "previous", "results"}
    assert page["count"] == len(page["results"]) and page["next"] is None
    results: list[dict[str, Any]] = page["results"]
    return results


def slugs(found: list[dict[str, Any]]) -> set[str]:
    return {item.get("pipeline_slug") or item["slug"] for item in found}


@pytest.mark.parametrize("name", ["older", "newer"])
def test_every_pipeline_is_in_exactly_one_list(name: str, request: pytest.FixtureRequest) -> None:
    server: SimServer = request.getfixturevalue(name)
    sources, transformations = (slugs(items(server, kind)) for kind in KINDS)
    assert not sources & transformations
    assert sources | transformations == {tpl.slug for tpl in PIPELINES}
    types = {tpl.slug: tpl.type for tpl in PIPELINES}
    assert {types[s] for s in sources} == {"extractor", "destination"}
    assert {types[s] for s in transformations} == {"transformation"}


def test_older_items(older: SimServer) -> None:
    for kind in KINDS:
        for item in items(older, kind):
            assert COMMON | {"pipeline_slug", "pipeline_active"} <= set(item)
            assert "slug" not in item and "active" not in item
            assert all(set(t) == TRIGGER_KEYS for t in item["pipeline_triggers"])
            assert item["pipeline_triggers"]
            if item["last_run"] is not None:
                assert set(item["last_run"]) == LAST_RUN_KEYS
    hubspot = next(i for i in items(older, "sources") if i["pipeline_slug"] == "hubspot-to-catalog")
    assert hubspot["full_sync_cron"] == "0 */6 * * *"
    assert hubspot["full_sync_cron_timezone"] == "America/Sao_Paulo"
    assert {t["type"] for t in hubspot["pipeline_triggers"]} == {"cron", "manual"}
    # Its last run is the demo's run of that pipeline, as the run detail says.
    detail = get(older, f"/api/v1/runs/{hubspot['last_run']['id']}/")
    assert detail["status"] == hubspot["last_run"]["status"] == "running"
    assert detail["pipeline"]["triggers"] == hubspot["pipeline_triggers"]


def test_newer_items_and_expand_last_run(newer: SimServer) -> None:
    for kind in KINDS:
        plain = items(newer, kind)
        expanded = items(newer, kind, **{"expand[]": "last_run"})
        assert [i["id"] for i in plain] == [i["id"] for i in expanded]
        for item, big in zip(plain, expanded, strict=True):
            assert COMMON | {"slug", "active"} <= set(item) and "pipeline_slug" not in item
            if item["last_run"] is None:
                assert big["last_run"] is None
                continue
            assert isinstance(item["last_run"], str)
            assert (
                set(big["last_run"]) >= LAST_RUN_KEYS and big["last_run"]["id"] == item["last_run"]
            )
            detail = get(newer, f"/api/v1/runs/{item['last_run']}/")
            assert big["last_run"]["status"] == detail["status"]
    # `a.b` expands recursively: the last run's user, not just its ID.
    plain = items(newer, "sources")
    deep = items(newer, "sources", **{"expand[]": "last_run.triggered_by"})
    users = [i["last_run"]["triggered_by"] for i in deep if i["last_run"] is not None]
    assert any(isinstance(u, dict) and u["email"].endswith("@example.com") for u in users)
    assert all(isinstance(i["last_run"], str | None) for i in plain)


def test_mixed_world_has_both_item_shapes(sim_server_factory: Any) -> None:
    server = sim_server_factory("--detail", "mixed", "--runs", "30", *FROZEN)
    every = [item for kind in KINDS for item in items(server, kind)]
    older = [i for i in every if "pipeline_slug" in i]
    newer = [i for i in every if "slug" in i]
    assert older and newer and len(older) + len(newer) == len(every) == len(PIPELINES)


def test_last_run_status_filter(older: SimServer) -> None:
    for kind in KINDS:
        every = items(older, kind)
        status = {i["pipeline_slug"]: (i["last_run"] or {}).get("status") for i in every}
        for wanted in ("failed", "running", "running,failed", "queued, pending_events"):
            allowed = {w.strip() for w in wanted.split(",")}
            got = slugs(items(older, kind, last_run_status=wanted))
            assert got == {s for s, st in status.items() if st in allowed}, (kind, wanted)
    assert slugs(items(older, "sources", last_run_status="failed")) == {"catalog-to-salesforce"}
    assert items(older, "sources", last_run_status="no_such_status") == []


def test_connector_slug_filter(older: SimServer) -> None:
    assert slugs(items(older, "sources", connector_slug="hubspot")) == {
        "hubspot-to-catalog", "catalog-to-hubspot"
    }  # fmt: skip
    assert slugs(items(older, "sources", connector_slug="stripe")) == {"stripe-to-catalog"}
    assert items(older, "sources", connector_slug="oracle") == []


def test_transformation_filters(older: SimServer) -> None:
    found = items(older, "transformations", output_table_name="analytics.customer_360")
    assert slugs(found) == {"customer-360"}
    assert found[0]["output_table_name"] == "analytics.customer_360"
    every = items(older, "transformations")
    for current in ("idle", "running", "pending_events"):
        got = slugs(items(older, "transformations", pipeline_current_status=current))
        assert got == {i["pipeline_slug"] for i in every if i["pipeline_current_status"] == current}
    waiting = items(older, "transformations", pipeline_current_status="pending_events,running")
    assert slugs(waiting) == {"customer-360", "marketing-attribution"}  # the demo at its start
    idle = items(older, "transformations", pipeline_current_status="idle")
    assert slugs(idle) == {"daily-revenue-rollup", "churn-features"}


def test_pages_of_a_pipeline_list(newer: SimServer) -> None:
    first = get(newer, "/api/v1/sources/", page_size=5)
    assert first["count"] == 12 and len(first["results"]) == 5 and first["previous"] is None
    assert first["next"] == f"{newer.url}/api/v1/sources/?page=2&page_size=5"
    second = httpx.get(first["next"], headers={"x-api-key": newer.key}).json()
    assert second["previous"] == f"{newer.url}/api/v1/sources/?page_size=5"
    last = get(newer, "/api/v1/sources/", page="last", page_size=5)
    assert len(last["results"]) == 2 and last["next"] is None
    ids = [i["id"] for p in (first, second, last) for i in p["results"]]
    assert len(set(ids)) == 12
    big = get(newer, "/api/v1/sources/", page_size=100, **{"expand[]": "last_run"})
    assert len(big["results"]) == 12  # under the cap: one page
    bad = httpx.get(f"{newer.url}/api/v1/sources/?page=9", headers={"x-api-key": newer.key})
    assert bad.status_code == 404 and bad.json() == {"detail": "Invalid page."}


def test_auth_and_unknown_paths(newer: SimServer) -> None:
    for kind in KINDS:
        url = f"{newer.url}/api/v1/{kind}/"
        missing = httpx.get(url)
        assert missing.status_code == 401
        assert missing.json() == {"detail": "Authentication credentials were not provided."}
        wrong = httpx.get(url, headers={"x-api-key": "not-the-key"})
        assert wrong.status_code == 403 and wrong.json() == {"detail": "Invalid API key."}
        post = httpx.post(url, json={}, headers={"x-api-key": newer.key})
        assert post.status_code == 405
    for path in ("/api/v1/sources", "/api/v1/pipelines/", "/api/v1/sources/x/"):
        response = httpx.get(f"{newer.url}{path}", headers={"x-api-key": newer.key})
        assert response.status_code == 404 and response.headers["content-type"].startswith(
            "text/html"
        ), path


async def test_faults_and_the_request_log_cover_the_new_endpoints() -> None:
    world = World(seed=1, clock=FakeClock(), detail="flat", n_runs=5)
    transport = app_transport(world, SIM_KEY, Faults(error_rate=1.0, seed=3))
    async with httpx.AsyncClient(
        transport=transport, base_url="https://nekt.sim", headers={"x-api-key": SIM_KEY}
    ) as http:
        for kind in KINDS:
            response = await http.get(f"/api/v1/{kind}/")
            assert response.status_code >= 500
        transport.faults.set(error_rate=0.0)
        assert (await http.get("/api/v1/transformations/")).status_code == 200
    logged = [(r.path, r.status, r.fault) for r in world.requests]
    assert logged[0][0] == "/api/v1/sources/" and logged[0][2] == "error"
    assert logged[-1] == ("/api/v1/transformations/", 200, None)
