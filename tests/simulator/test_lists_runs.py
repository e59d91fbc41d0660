"""The run list over loopback HTTP in a flat-detail world: nested items with logs, newest
first, a server-side cap on `page_size`, and watched runs on page 2 or later."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from nekt_tui.clock import FakeClock
from nekt_tui.simulator import World, app_transport
from tests.conftest import SimServer, start_sim_server

pytestmark = pytest.mark.integration

BACKGROUND = "200"


@pytest.fixture(scope="module")
def busy() -> Iterator[SimServer]:
    """The demo, flat detail, with 200 background runs between its own."""
    server = start_sim_server("--detail", "flat", "--background-runs", BACKGROUND)
    yield server
    server.stop()


def get(server: SimServer, url: str) -> dict[str, Any]:
    response = httpx.get(url, headers={"x-api-key": server.key})
    assert response.status_code == 200, url
    body: dict[str, Any] = response.json()
    return body


def test_page_size_is_capped_with_a_next_link(busy: SimServer) -> None:
    first = get(busy, f"{busy.url}/api/v1/runs/?page_size=100")
    assert first["count"] == len(busy.runs) == 11 + int(BACKGROUND)
    assert len(first["results"]) == 50 and first["previous"] is None
    link = urlsplit(first["next"])
    assert f"{link.scheme}://{link.netloc}" == busy.url and link.path == "/api/v1/runs/"
    assert dict(parse_qsl(link.query)) == {"page": "2", "page_size": "100"}
    seen = [r["id"] for r in first["results"]]
    page = first
    while page["next"]:
        page = get(busy, page["next"])
        assert len(page["results"]) <= 50
        seen += [r["id"] for r in page["results"]]
    assert sorted(seen) == sorted(busy.runs)  # every run once
    assert len(get(busy, f"{busy.url}/api/v1/runs/?page_size=7")["results"]) == 7


def test_items_are_nested_with_logs_newest_first(busy: SimServer) -> None:
    page = get(busy, f"{busy.url}/api/v1/runs/")
    created = [
        datetime.fromisoformat(r["created_at"].replace("Z", "+00:00")) for r in page["results"]
    ]
    assert created == sorted(created, reverse=True)
    for item in page["results"]:
        assert isinstance(item["log"]["parsed_log"], str)
        assert isinstance(item["pipeline"]["triggers"], list)
    slugs = {item["pipeline"]["slug"] for item in page["results"]}
    assert len(slugs) >= 8  # runs of many pipelines


def test_a_watched_run_sits_on_page_two_or_later(busy: SimServer) -> None:
    watched = busy.find(slug="google-ads-to-catalog", outcome="canceled")  # a demo run
    detail = get(busy, f"{busy.url}/api/v1/runs/{watched.id}/")
    assert "log" not in detail  # flat: only the list carries its log
    url: str | None = f"{busy.url}/api/v1/runs/?page_size=50"
    number = 0
    found = None
    while url and found is None:
        number += 1
        page = get(busy, url)
        found = next((r for r in page["results"] if r["id"] == watched.id), None)
        url = page["next"]
    assert found is not None and number >= 2
    assert found["log"]["parsed_log"].count("\n") > 100  # its log, from the list
    assert found["pipeline"]["slug"] == "google-ads-to-catalog"
    assert {t["type"] for t in found["pipeline"]["triggers"]} == {"cron", "manual"}


def test_cap_is_a_knob(sim_server_factory: Any) -> None:
    server = sim_server_factory("--runs", "12", "--page-size-cap", "5")
    page = get(server, f"{server.url}/api/v1/runs/?page_size=50")
    assert len(page["results"]) == 5 and page["count"] == 12
    default = get(server, f"{server.url}/api/v1/runs/")
    assert len(default["results"]) == 5 and default["next"]


def test_background_runs_are_seeded_and_leave_the_demo_runs_alone() -> None:
    clock = FakeClock()
    plain = World.demo(clock)
    busy = World.demo(clock, background_runs=200)
    again = World.demo(clock, background_runs=200)
    assert busy.run_ids[:11] == plain.run_ids and busy.run_ids == again.run_ids
    assert busy.demo_run_ids == plain.demo_run_ids == plain.run_ids  # what the demo watches
    for rid in plain.run_ids:
        before, after = plain.run_json(rid, "nested"), busy.run_json(rid, "nested")
        assert before is not None and after is not None
        # The same run, still its pipeline's latest (only numbers are renumbered).
        assert after["pipeline"]["latest_run_status"] == before["pipeline"]["latest_run_status"]
        assert after["log"] == before["log"] and after["status"] == before["status"]
    numbers: dict[str, list[tuple[datetime, int]]] = {}
    for rid in busy.run_ids:
        body = busy.run_json(rid, "flat")
        assert body is not None
        created = when(body["created_at"])
        numbers.setdefault(busy.describe(rid).slug, []).append((created, body["number"]))
    for runs in numbers.values():
        assert [n for _, n in sorted(runs)] == sorted(n for _, n in runs)  # numbers follow time


async def test_documented_world_lists_nested_older_worlds_as_before() -> None:
    clock = FakeClock()
    key = "k"
    for world, nested in (
        (World(seed=2, clock=clock, detail="flat", n_runs=6), True),
        (World(seed=2, clock=clock, shape="flat", n_runs=6), False),  # as it always was
        (World(seed=2, clock=clock, detail="flat", run_list="detail", n_runs=6), False),
    ):
        transport = app_transport(world, key)
        async with httpx.AsyncClient(transport=transport, base_url="https://nekt.sim") as http:
            page = (await http.get("/api/v1/runs/", headers={"x-api-key": key})).json()
        assert len(page["results"]) == 6
        assert all(("log" in item) is nested for item in page["results"])
    with pytest.raises(ValueError, match="run_list"):
        World(run_list="flat")


def when(text: str) -> datetime:
    """An API time (`...Z`: Python 3.10's fromisoformat reads no "Z")."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
