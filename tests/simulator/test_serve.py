"""The simulator as a real server: a subprocess on a free loopback port, plain HTTP."""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import subprocess
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from nekt_tui.api.client import NektClient
from nekt_tui.api.errors import AuthenticationError
from nekt_tui.api.models import Run, RunStatus
from nekt_tui.simulator.serve import add_simulate_arguments, default_key, simulate_command
from tests.conftest import SimServer

pytestmark = pytest.mark.integration

ORDER = ["pending_events", "queued", "running", "cancelling", "success", "failed", "canceled"]
#: Real seconds a test may wait for a server-side change before giving up.
DEADLINE = 30.0


def key_structure(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: key_structure(v) for k, v in obj.items() if v is not None or k == "ended_at"}
    return None


async def poll_statuses(server: SimServer, run_id: str) -> list[str]:
    """Every distinct status seen, polling until the run is terminal (bounded)."""
    seen: list[str] = []
    deadline = time.monotonic() + DEADLINE
    async with httpx.AsyncClient(base_url=server.url, headers={"x-api-key": server.key}) as http:
        while time.monotonic() < deadline:
            status = (await http.get(f"/api/v1/runs/{run_id}/")).json()["status"]
            if not seen or seen[-1] != status:
                seen.append(status)
            if status in ("success", "failed", "canceled"):
                return seen
            await asyncio.sleep(0.02)  # a polling pace, not a timing assumption
    raise AssertionError(f"run {run_id} still not terminal after {DEADLINE}s: {seen}")


async def test_serves_the_seed_shape_and_auth_errors(
    sim_server: SimServer, seed_run_json: dict[str, Any]
) -> None:
    run = sim_server.find(slug="hubspot-to-catalog")
    assert sim_server.key == default_key(0)
    url = f"{sim_server.url}/api/v1/runs/{run.id}/"
    async with httpx.AsyncClient() as http:
        ok = await http.get(url, headers={"x-api-key": sim_server.key})
        assert ok.status_code == 200
        body = ok.json()
        assert body["id"] == run.id and body["pipeline"]["slug"] == "hubspot-to-catalog"
        assert set(body) == set(seed_run_json)
        assert set(body["pipeline"]) == set(seed_run_json["pipeline"])
        assert set(body["log"]) == set(seed_run_json["log"])
        assert Run.model_validate(body).shape == "nested"
        missing = await http.get(url)
        assert missing.status_code == 401
        assert missing.json() == {"detail": "Authentication credentials were not provided."}
        wrong = await http.get(url, headers={"x-api-key": "nope"})
        assert (wrong.status_code, wrong.json()) == (403, {"detail": "Invalid API key."})
        unknown = await http.get(
            f"{sim_server.url}/api/v1/runs/00000000-0000-4000-8000-000000000000/",
            headers={"x-api-key": sim_server.key},
        )
        assert (unknown.status_code, unknown.json()) == (404, {"detail": "Not found."})


def test_banner_lists_every_demo_run(sim_server: SimServer) -> None:
    assert len(sim_server.runs) == 11
    assert {r.status for r in sim_server.runs.values()} == set(ORDER)
    assert [r.shape for r in sim_server.runs.values()].count("flat") == 1
    assert sim_server.url.startswith("http://127.0.0.1:")


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_by_hand(sim_server: SimServer) -> None:
    run = sim_server.find(slug="daily-revenue-rollup")
    url = f"{sim_server.url}/api/v1/runs/{run.id}/"
    with_key = subprocess.run(
        ["curl", "-s", "-H", f"x-api-key: {sim_server.key}", url],
        capture_output=True, text=True, timeout=DEADLINE, check=True,
    )  # fmt: skip
    body = json.loads(with_key.stdout)
    assert body["status"] == "success" and body["log"]["parsed_log"].count("\n") > 3000
    without = subprocess.run(
        ["curl", "-s", "-w", "\n%{http_code}", url],
        capture_output=True, text=True, timeout=DEADLINE, check=True,
    )  # fmt: skip
    text, code = without.stdout.rsplit("\n", 1)
    assert code == "401" and json.loads(text)["detail"]


async def test_a_run_moves_through_its_states(
    sim_server_factory: Callable[..., SimServer],
) -> None:
    server = sim_server_factory("--speed", "30")
    run = server.find(slug="salesforce-to-catalog")  # queued -> running 170 s -> success
    seen = await poll_statuses(server, run.id)
    assert seen[-1] == run.outcome == "success"
    assert "running" in seen and len(seen) >= 2
    assert seen == sorted(seen, key=ORDER.index)


async def test_cancel_over_http(sim_server_factory: Callable[..., SimServer]) -> None:
    server = sim_server_factory("--speed", "20")
    run = server.find(slug="hubspot-to-catalog")  # runs for 45 simulated minutes
    async with httpx.AsyncClient(base_url=server.url, headers={"x-api-key": server.key}) as http:
        response = await http.post(f"/api/v1/runs/{run.id}/cancel/", json={})
        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "cancelling" and "number" in body and "pipeline" not in body
        assert await poll_statuses(server, run.id) == ["cancelling", "canceled"]
        again = await http.post(f"/api/v1/runs/{run.id}/cancel/", json={})
        assert again.status_code == 400 and "canceled" in again.json()["detail"]


async def test_nekt_client_over_loopback(sim_server: SimServer) -> None:
    async with NektClient(sim_server.key, sim_server.url) as client:
        page = await client.list_runs(page_size=4)
        assert page.count == 11 and len(page.results) == 4 and page.next
        for run_id in sim_server.run_ids:
            run = await client.get_run(run_id)
            assert isinstance(run.status, RunStatus)
    async with NektClient("wrong", sim_server.url) as client:
        with pytest.raises(AuthenticationError):
            await client.get_run(sim_server.run_ids[0])


async def test_faults_over_a_socket(sim_server_factory: Callable[..., SimServer]) -> None:
    server = sim_server_factory("--reset-rate", "1")
    async with httpx.AsyncClient(base_url=server.url, headers={"x-api-key": server.key}) as http:
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            await http.get(f"/api/v1/runs/{server.run_ids[0]}/")
    limited = sim_server_factory("--rate-limit-rate", "1", "--rate-limit-seconds", "30")
    async with httpx.AsyncClient(base_url=limited.url, headers={"x-api-key": limited.key}) as http:
        response = await http.get(f"/api/v1/runs/{limited.run_ids[0]}/")
        assert response.status_code == 429 and response.headers["retry-after"]


def test_ctrl_c_exits_cleanly(sim_server_factory: Callable[..., SimServer]) -> None:
    server = sim_server_factory("--runs", "5", "--seed", "3", "--key", "k")
    assert server.key == "k" and len(server.runs) == 5
    assert server.stop() == 0
    assert server.output[-1] == "simulator stopped"


def test_nekt_tui_simulate_subcommand(sim_server_factory: Callable[..., SimServer]) -> None:
    server = sim_server_factory("--shape", "flat", module=("nekt_tui", "simulate"))
    assert {r.shape for r in server.runs.values()} == {"flat"}
    response = httpx.get(
        f"{server.url}/api/v1/runs/{server.run_ids[0]}/", headers={"x-api-key": server.key}
    )
    assert "pipeline" not in response.json() and "number" in response.json()


@pytest.mark.parametrize(
    "argv",
    [["--host", "0.0.0.0"], ["--host", "example.com"], ["--speed", "0"], ["--error-rate", "3"]],
)
def test_bad_options_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser()
    add_simulate_arguments(parser)
    assert simulate_command(parser.parse_args(argv)) == 2
    err = capsys.readouterr().err
    assert err.startswith("nekt-tui simulate: ") and err.count("\n") == 1
