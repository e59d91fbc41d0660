"""The client's list methods against the simulator over loopback: both item shapes of the
pipeline lists, their status filter, `expand[]`, and pages kept as sent for `--json`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from nekt_tui.api.client import NektClient
from nekt_tui.api.enums import RunStatus
from nekt_tui.api.lists import PIPELINE_KINDS, list_params
from tests.conftest import SimServer, start_sim_server

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module", params=["nested", "flat"])
def sim(request: pytest.FixtureRequest) -> Iterator[SimServer]:
    """A slow world (nothing moves between two answers), nested (older list items) or
    flat (newer items: `last_run` a bare ID)."""
    server = start_sim_server("--detail", request.param, "--speed", "0.01")
    yield server
    server.stop()


async def test_pipeline_lists_read_slug_and_last_run_in_either_shape(sim: SimServer) -> None:
    async with NektClient(sim.key, sim.url) as client:
        slugs: set[str] = set()
        for kind in PIPELINE_KINDS:
            page = await client.list_pipelines(kind, 1, 100)
            assert page.results, kind
            for item in page.results:
                assert item.slug
                slugs.add(item.slug)
        assert {run.slug for run in sim.runs.values()} <= slugs
        expanded = await client.list_pipelines("sources", 1, 100, expand=("last_run",))
        assert all(i.last_run_known for i in expanded.results if i.last_run is not None)


async def test_status_filter_keeps_only_those_statuses(sim: SimServer) -> None:
    async with NektClient(sim.key, sim.url) as client:
        page = await client.list_pipelines(
            "sources", 1, 100, statuses=("failed",), expand=("last_run",)
        )
        assert page.results
        assert {i.last_run.status for i in page.results if i.last_run} == {RunStatus.FAILED}


async def test_run_detail_expands_the_user(sim: SimServer) -> None:
    run_id = sim.run_ids[0]
    async with NektClient(sim.key, sim.url) as client:
        plain = await client.get_run(run_id)
        expanded = await client.get_run(run_id, expand=("triggered_by",))
    assert not isinstance(expanded.triggered_by, int)
    if isinstance(plain.triggered_by, int):
        assert expanded.triggered_by is not None and expanded.triggered_by.id == plain.triggered_by


async def test_json_page_keeps_the_items_as_sent(sim: SimServer) -> None:
    async with NektClient(sim.key, sim.url) as client:
        page = await client.list_json("runs", 1, 5)
        assert len(page.items()) == 5 and page.has_next
        assert all(isinstance(item["id"], str) for item in page.items())
        with pytest.raises(ValueError):
            await client.list_json("runs/../users", 1, 5)


def test_list_params_repeat_expand_and_join_statuses() -> None:
    assert list_params(2, 10, statuses=("failed", "running"), expand=("last_run", "x")) == [
        ("page", 2), ("page_size", 10), ("last_run_status", "failed,running"),
        ("expand[]", "last_run"), ("expand[]", "x"),
    ]  # fmt: skip
    with pytest.raises(ValueError):
        list_params(0, 10)
