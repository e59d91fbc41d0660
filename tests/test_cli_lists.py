"""`nekt-tui pipelines` and `nekt-tui runs` against the simulator, as a user runs them:
valid JSON holding only what was asked for, tables, global flags before or after the
subcommand, exit 2 for bad usage (a bad status, a bad follow rule), exit 3 for a list
the API refuses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import SimServer, start_sim_server

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def sim() -> Iterator[SimServer]:
    """Two items a page, so every list takes several pages."""
    server = start_sim_server("--page-size-cap", "2", "--background-runs", "30")
    yield server
    server.stop()


def run_cli(
    *args: str, tmp: Path, key: str | None = None, config: str = ""
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEKT")}
    (tmp / "config.toml").write_text(config)
    env["NEKT_TUI_CONFIG"] = str(tmp / "config.toml")
    env["NEKT_TUI_STATE"] = str(tmp / "state.json")
    env["NO_COLOR"] = "1"
    if key is not None:
        env["NEKT_API_KEY"] = key
    return subprocess.run(
        [sys.executable, "-m", "nekt_tui", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_pipelines_status_failed_json_holds_only_failed_items(
    sim: SimServer, tmp_path: Path
) -> None:
    done = run_cli(
        "pipelines", "--status", "failed", "--json", "--api-url", sim.url, tmp=tmp_path, key=sim.key
    )
    assert done.returncode == 0, done.stderr
    items = json.loads(done.stdout)
    assert isinstance(items, list) and items
    assert {item["last_run"]["status"] for item in items} == {"failed"}
    assert not (tmp_path / "state.json").exists()


def test_runs_status_failed_json_holds_only_failed_runs_as_sent(
    sim: SimServer, tmp_path: Path
) -> None:
    done = run_cli(
        "--api-url", sim.url, "runs", "--status", "failed", "--json", tmp=tmp_path, key=sim.key
    )
    assert done.returncode == 0, done.stderr
    items = json.loads(done.stdout)
    assert isinstance(items, list) and len(items) > 2  # more than one page of two
    assert {item["status"] for item in items} == {"failed"}
    assert all("pipeline" in item and "log" in item for item in items)  # the nested item, whole


def test_runs_pipeline_glob_and_limit(sim: SimServer, tmp_path: Path) -> None:
    done = run_cli(
        "runs",
        "--pipeline",
        "CATALOG-*",
        "--limit",
        "3",
        "--json",
        "--api-url",
        sim.url,
        tmp=tmp_path,
        key=sim.key,
    )
    assert done.returncode == 0, done.stderr
    items = json.loads(done.stdout)
    assert len(items) == 3
    assert all(item["pipeline"]["slug"].startswith("catalog-") for item in items)


@pytest.mark.parametrize("where", ["before", "after"])
def test_tables_with_global_flags_before_or_after(
    sim: SimServer, tmp_path: Path, where: str
) -> None:
    flags = ["--api-url", sim.url, "--read-only", "--log-file", str(tmp_path / "debug.log")]
    for command in (["pipelines", "--status", "failed"], ["runs", "--status", "failed"]):
        argv = [*flags, *command] if where == "before" else [*command, *flags]
        done = run_cli(*argv, tmp=tmp_path, key=sim.key)
        assert done.returncode == 0, done.stderr
        lines = done.stdout.splitlines()
        assert "STATUS" in lines[0]
        assert lines[1:] and all(" failed " in line for line in lines[1:])
    assert (tmp_path / "debug.log").exists()
    assert sim.key not in (tmp_path / "debug.log").read_text()


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["runs", "--status", "fail"], "'fail'"),
        (["pipelines", "--status", "failed,exploded"], "'exploded'"),
        (["runs", "--limit", "0"], "'0'"),
        (["--follow", "statu:failed"], "statu:failed"),
        (["--follow", "status:failed", "--follow", "type:lake"], "lake"),
        (["--demo", "--follow", ""], "empty follow rule"),
    ],
)
def test_bad_usage_is_exit_2_in_one_line(tmp_path: Path, argv: list[str], words: str) -> None:
    done = run_cli(*argv, tmp=tmp_path, key="sk-unused")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], done.stderr
    assert done.stdout == ""


def test_a_bad_rule_in_the_config_file_is_exit_2_naming_it(tmp_path: Path) -> None:
    done = run_cli("--demo", tmp=tmp_path, config='follow = ["status:failed", "pipelin:x"]\n')
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "pipelin:x" in lines[0] and "config" in lines[0]


def test_a_refused_run_list_is_one_line_and_exit_3(tmp_path: Path) -> None:
    server = start_sim_server("--list-error", "runs=403")
    try:
        done = run_cli("runs", "--json", "--api-url", server.url, tmp=tmp_path, key=server.key)
    finally:
        server.stop()
    assert done.returncode == 3
    assert json.loads(done.stdout) == []
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "403" in lines[0] and "Traceback" not in done.stderr


def test_pipelines_json_with_one_list_refused_prints_the_other_and_exits_3(
    tmp_path: Path,
) -> None:
    server = start_sim_server("--list-error", "transformations=403")
    try:
        done = run_cli("pipelines", "--json", "--api-url", server.url, tmp=tmp_path, key=server.key)
    finally:
        server.stop()
    assert done.returncode == 3
    items = json.loads(done.stdout)
    assert items  # the sources list still
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "transformations" in lines[0] and "403" in lines[0]
