"""`nekt-tui wait` runs the notify command too: for a failing run, with the failure digest
in NEKT_ERROR, before it exits; with `notify = "off"` it runs nothing."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest

from nekt_tui.headless import EXIT_FAILED, EXIT_OK, run_wait
from nekt_tui.simulator import DEMO_KEY
from tests.watch.conftest import Sim
from tests.watch.test_headless import wait_args

from .helpers import env_writer, script, until, written

ENV = {"PATH": "/usr/bin:/bin", "NEKT_API_KEY": DEMO_KEY}


async def _wait(
    sim: Sim, rid: str, out_dir: Path, told: str, **notify: object
) -> tuple[int, str, str]:
    """Run `wait` to its end: the fake clock moves a second at a time, and each time
    stands still until every change printed so far with `told` in it has been written
    by the notify command (a real process, which the clock would otherwise stop at 10 s
    of fake time); then the last one gets real time to finish."""
    out, err = io.StringIO(), io.StringIO()
    task = asyncio.ensure_future(
        run_wait(
            wait_args(rid, "--exit-status"), sim.client, sim.clock, out, err=err, env=ENV, **notify
        )  # type: ignore[arg-type]
    )
    await sim.clock.settle()
    for _ in range(600):
        lines = out.getvalue()
        expected = lines.count(told)
        await until(lambda n=expected: len(written(out_dir)) == n, "the command ran")
        if task.done() or lines.count("\n") >= 3:
            break
        await sim.clock.advance(1.0)
    code = await asyncio.wait_for(task, timeout=10)
    return code, out.getvalue(), err.getvalue()


async def test_wait_runs_the_command_for_a_failure(sim: Sim, tmp_path: Path) -> None:
    rid = sim.world.add_run([("queued", 2.0), ("running", 20.0)], "failed")
    cmd, out_dir = env_writer(tmp_path)
    code, out, err = await _wait(sim, rid, out_dir, "→ failed", notify_cmd=(str(cmd),))
    assert code == EXIT_FAILED and err == ""
    (env,) = written(out_dir)  # "failures": queued → running told nothing
    why = out.splitlines()[-1].split(" — ", 1)[1]
    assert env["NEKT_RUN_ID"] == rid
    assert (env["NEKT_STATUS"], env["NEKT_PREVIOUS_STATUS"]) == ("failed", "running")
    assert env["NEKT_ERROR"] == why and why
    assert env["NEKT_PIPELINE"] and env["NEKT_STARTED_AT"].endswith("Z")
    assert env["NEKT_ENDED_AT"].endswith("Z")
    assert env["NEKT_LABEL"] == ""
    assert "NEKT_API_KEY" not in env and DEMO_KEY not in "".join(env.values())


async def test_wait_with_notify_all_tells_every_change(sim: Sim, tmp_path: Path) -> None:
    rid = sim.world.add_run([("queued", 2.0), ("running", 20.0)], "success")
    cmd, out_dir = env_writer(tmp_path)
    code, _, _ = await _wait(sim, rid, out_dir, "→", notify="all", notify_cmd=(str(cmd),))
    assert code == EXIT_OK
    changes = sorted((e["NEKT_PREVIOUS_STATUS"], e["NEKT_STATUS"]) for e in written(out_dir))
    assert changes == [("queued", "running"), ("running", "success")]
    assert all(e["NEKT_ERROR"] == "" for e in written(out_dir))


async def test_wait_with_notify_off_runs_nothing(sim: Sim, tmp_path: Path) -> None:
    rid = sim.world.add_run([("running", 5.0)], "failed")
    cmd, out_dir = env_writer(tmp_path)
    code, _, _ = await _wait(sim, rid, out_dir, "→ nothing", notify="off", notify_cmd=(str(cmd),))
    assert code == EXIT_FAILED
    assert written(out_dir) == []


@pytest.mark.parametrize("missing", [True, False])
async def test_wait_says_a_broken_command_once_on_stderr(
    sim: Sim, tmp_path: Path, missing: bool
) -> None:
    a = sim.world.add_run([("running", 5.0)], "failed")
    cmd = tmp_path / "nope" if missing else script(tmp_path / "bad.sh", "exit 7\n")
    out, err = io.StringIO(), io.StringIO()
    b = sim.world.add_run([("running", 6.0)], "failed")
    task = asyncio.ensure_future(
        run_wait(
            wait_args(a, b), sim.client, sim.clock, out, err=err, env=ENV, notify_cmd=(str(cmd),)
        )
    )
    for _ in range(60):
        if task.done() or out.getvalue().count("→") >= 2:
            break
        await sim.clock.advance(1.0)
    assert await asyncio.wait_for(task, timeout=10) == EXIT_OK
    lines = err.getvalue().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("nekt-tui: notify command")
    assert ("not found" if missing else "exit status 7") in lines[0]
