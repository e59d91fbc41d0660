"""`--detail flat|nested|mixed` over loopback HTTP: the run detail as documented today,
and `expand[]=triggered_by` (plain JSON: no model of nekt_tui.api is involved)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from nekt_tui.clock import FakeClock
from nekt_tui.simulator import World
from tests.conftest import SimServer, start_sim_server

pytestmark = pytest.mark.integration

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
USER_KEYS = {"id", "first_name", "last_name", "email", "picture", "role", "date_joined",
             "last_login", "is_active"}  # fmt: skip


@pytest.fixture(scope="module")
def flat() -> Iterator[SimServer]:
    server = start_sim_server("--detail", "flat")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def nested() -> Iterator[SimServer]:
    server = start_sim_server("--detail", "nested")
    yield server
    server.stop()


def details(server: SimServer, query: str = "") -> dict[str, dict[str, Any]]:
    """Every listed run's detail, by run ID."""
    out = {}
    with httpx.Client(base_url=server.url, headers={"x-api-key": server.key}) as http:
        for rid in server.run_ids:
            response = http.get(f"/api/v1/runs/{rid}/{query}")
            assert response.status_code == 200, rid
            out[rid] = response.json()
    return out


def pipeline_items(server: SimServer) -> dict[str, dict[str, Any]]:
    """Every sources and transformations item, by item ID."""
    items = {}
    with httpx.Client(base_url=server.url, headers={"x-api-key": server.key}) as http:
        for kind in ("sources", "transformations"):
            for item in http.get(f"/api/v1/{kind}/").json()["results"]:
                items[item["id"]] = item
    return items


def test_flat_detail_has_no_log_no_pipeline_and_ids(flat: SimServer) -> None:
    runs = details(flat)
    assert {r.shape for r in flat.runs.values()} == {"flat"}
    for body in runs.values():
        assert "log" not in body and "pipeline" not in body and "number" in body
        assert body["triggered_by"] is None or isinstance(body["triggered_by"], int)
        assert body["triggered_by_token"] is None or isinstance(body["triggered_by_token"], str)
    assert any(isinstance(b["triggered_by"], int) for b in runs.values())
    # Expandable names: some runs name their pipeline's source (etc.) by ID, some by name,
    # and either way it is an item of the sources or transformations list.
    items = pipeline_items(flat)
    names = {item["name"]: item for item in items.values()}
    refs = [b[k] for b in runs.values() for k in ("source", "destination", "transformation")]
    refs = [ref for ref in refs if ref is not None]
    by_id = [ref for ref in refs if UUID.fullmatch(ref)]
    by_name = [ref for ref in refs if not UUID.fullmatch(ref)]
    assert by_id and by_name
    assert all(ref in items for ref in by_id) and all(ref in names for ref in by_name)


def test_nested_detail_is_the_seed_shape(nested: SimServer) -> None:
    for body in details(nested).values():
        assert isinstance(body["pipeline"]["triggers"], list)
        assert isinstance(body["log"]["parsed_log"], str)
        assert body["triggered_by"] is None or set(body["triggered_by"]) == USER_KEYS
    assert {r.shape for r in nested.runs.values()} == {"nested"}


def test_mixed_detail_is_per_run_and_repeatable(sim_server_factory: Any) -> None:
    server = sim_server_factory("--detail", "mixed", "--runs", "30", "--seed", "4")
    shapes = {rid: run.shape for rid, run in server.runs.items()}
    assert set(shapes.values()) == {"flat", "nested"}
    for rid, body in details(server).items():
        assert ("log" in body) == (shapes[rid] == "nested")
    clock = FakeClock()
    again = World(4, clock, detail="mixed", n_runs=30)
    assert {rid: again.describe(rid).shape for rid in again.run_ids} == shapes


def test_expand_triggered_by_gives_the_user(flat: SimServer) -> None:
    plain = details(flat)
    manual = [rid for rid, body in plain.items() if isinstance(body["triggered_by"], int)]
    assert manual
    for query in ("?expand[]=triggered_by", "?expand[]=nothing&expand[]=triggered_by",
                  "?expand[]=triggered_by.role", "?expand%5B%5D=triggered_by"):  # fmt: skip
        expanded = details(flat, query)
        for rid in manual:
            user = expanded[rid]["triggered_by"]
            assert set(user) == USER_KEYS, query
            assert user["id"] == plain[rid]["triggered_by"]
            rest = {k: v for k, v in expanded[rid].items() if k not in ("triggered_by",
                                                                         "updated_at")}  # fmt: skip
            assert rest.keys() == {k for k in plain[rid] if k not in ("triggered_by",
                                                                       "updated_at")}  # fmt: skip
    # Unknown fields are ignored, as DRF ignores unknown parameters.
    ignored = details(flat, "?expand[]=no_such_field&expand[]=source.owner")
    for rid in manual:
        assert ignored[rid]["triggered_by"] == plain[rid]["triggered_by"]


def test_expand_leaves_a_nested_user_alone(nested: SimServer) -> None:
    plain = details(nested)
    expanded = details(nested, "?expand[]=triggered_by")
    for rid, body in plain.items():
        assert expanded[rid]["triggered_by"] == body["triggered_by"]


def test_demo_detail_default_is_flat_and_choosable() -> None:
    """The demo shows what a user of today's documented API sees: every detail flat."""
    clock = FakeClock()
    assert {World.demo(clock).describe(r).shape for r in World.demo(clock).run_ids} == {"flat"}
    today = World.demo(clock, detail=None)  # the demo as it was
    assert [today.describe(r).shape for r in today.run_ids].count("flat") == 1
    zendesk = today.run_json(today.find_run(slug="zendesk-to-catalog"))
    assert zendesk is not None and zendesk["source"] == "zendesk-support"  # names, as before
    for detail in ("flat", "nested"):
        world = World.demo(clock, detail=detail)
        assert {world.describe(r).shape for r in world.run_ids} == {detail}
        assert world.run_ids == today.run_ids  # the same runs, served otherwise
    with pytest.raises(ValueError, match="detail"):
        World(detail="sideways")
