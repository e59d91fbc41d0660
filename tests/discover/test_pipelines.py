"""Every pipeline from both lists, against the simulator over loopback: one row per
pipeline with its last run, a status filter, and one clear line for a list that fails."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from nekt_tui.api.client import NektClient
from nekt_tui.api.enums import RunStatus
from nekt_tui.discover.pipelines import fetch_pipelines
from nekt_tui.simulator.catalog import PIPELINES
from tests.conftest import SimServer, start_sim_server

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module", params=["nested", "flat"])
def sim(request: pytest.FixtureRequest) -> Iterator[SimServer]:
    """A slow world, older (nested) or newer (flat) list items, two items per page."""
    server = start_sim_server("--detail", request.param, "--speed", "0.01", "--page-size-cap", "2")
    yield server
    server.stop()


async def test_every_pipeline_once_with_its_last_run(sim: SimServer) -> None:
    async with NektClient(sim.key, sim.url) as client:
        fetched = await fetch_pipelines(client)
    assert fetched.problems == ()
    slugs = [row.slug for row in fetched.rows]
    assert sorted(slugs) == sorted({p.slug for p in PIPELINES})
    assert fetched.requests > 2  # paged: two items a page
    watched = {run.slug: rid for rid, run in sim.runs.items()}
    by_slug = {row.slug: row for row in fetched.rows}
    for slug in watched:
        assert by_slug[slug].last_run_id is not None
        assert by_slug[slug].last_status is not None
    kinds = {row.kind_label for row in fetched.rows}
    assert kinds == {"source", "transformation"}


async def test_status_filter(sim: SimServer) -> None:
    async with NektClient(sim.key, sim.url) as client:
        fetched = await fetch_pipelines(client, statuses=("failed",))
    assert fetched.rows
    assert {row.last_status for row in fetched.rows} == {RunStatus.FAILED}


@pytest.mark.parametrize(
    ("status", "words"),
    [("403", "the API key may not read it (HTTP 403)"), ("404", "not available on this API")],
)
async def test_a_refused_list_is_one_line_and_the_other_list_still_shows(
    status: str, words: str
) -> None:
    server = start_sim_server("--list-error", f"transformations={status}")
    try:
        async with NektClient(server.key, server.url) as client:
            fetched = await fetch_pipelines(client)
    finally:
        server.stop()
    assert len(fetched.problems) == 1
    assert fetched.problems[0].startswith("the transformations list")
    assert words in fetched.problems[0]
    assert fetched.rows and {row.kind for row in fetched.rows} == {"sources"}
