"""Headless `status` and `wait`: output, colour rules and every exit code."""

from __future__ import annotations

import argparse
import asyncio
import io
import json
from collections.abc import Coroutine
from typing import Any

import pytest

from nekt_tui.headless import (
    EXIT_API,
    EXIT_FAILED,
    EXIT_OK,
    EXIT_TIMEOUT,
    EXIT_USAGE,
    add_status_arguments,
    add_wait_arguments,
    run_status,
    run_wait,
)
from nekt_tui.simulator import DEMO_KEY
from tests.watch.conftest import Sim, gaps

MISSING = "99999999-9999-4999-8999-999999999999"


class Tty(io.StringIO):
    """A StringIO that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def wait_args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="nekt-tui wait")
    add_wait_arguments(parser)
    return parser.parse_args(argv)


def status_args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="nekt-tui status")
    add_status_arguments(parser)
    return parser.parse_args(argv)


async def drive(sim: Sim, coro: Coroutine[Any, Any, int], limit: float = 7200) -> int:
    """Run a headless command while moving the FakeClock, one second at a time."""
    task = asyncio.ensure_future(coro)
    elapsed = 0.0
    await sim.clock.settle()
    while not task.done() and elapsed < limit:
        await sim.clock.advance(1.0)
        elapsed += 1.0
    assert task.done(), "the command did not finish"
    return task.result()


async def wait_code(sim: Sim, *argv: str, out: io.StringIO | None = None) -> tuple[int, str, str]:
    out = out if out is not None else io.StringIO()
    err = io.StringIO()
    code = await drive(sim, run_wait(wait_args(*argv), sim.client, sim.clock, out, err=err))
    return code, out.getvalue(), err.getvalue()


# ---- wait ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "with_flag", "expected"),
    [
        ("success", True, EXIT_OK),
        ("failed", True, EXIT_FAILED),
        ("canceled", True, EXIT_FAILED),
        ("failed", False, EXIT_OK),
    ],
)
async def test_wait_exit_status(sim: Sim, outcome: str, with_flag: bool, expected: int) -> None:
    rid = sim.world.add_run([("queued", 5.0), ("running", 20.0)], outcome)
    flags = ["--exit-status"] if with_flag else []
    code, out, err = await wait_code(sim, rid, *flags)
    assert code == expected
    assert err == ""
    lines = out.splitlines()
    path = ["queued", "running", *(["cancelling"] if outcome == "canceled" else []), outcome]
    # A failed run's line ends with " — " and why it failed (the failure digest).
    assert [line.split(" — ")[0].split()[-1] for line in lines] == path
    assert (" — " in lines[-1]) == (outcome == "failed")
    assert "queued → running" in lines[1] and f"→ {outcome}" in lines[-1]
    assert all(rid in line for line in lines)
    assert "\x1b" not in out  # not a terminal: plain text


async def test_wait_prints_each_transition_once_for_several_runs(sim: Sim) -> None:
    a = sim.world.add_run([("running", 10.0)], "success")
    b = sim.world.add_run([("pending_events", 4.0), ("running", 30.0)], "failed")
    code, out, _ = await wait_code(sim, a, f"https://app.nekt.ai/runs/{b}", "--exit-status")
    assert code == EXIT_FAILED
    transitions = [line for line in out.splitlines() if "→" in line]
    assert len(transitions) == 3 and len(set(transitions)) == 3
    assert len(out.splitlines()) == 5  # plus the first status of each


async def test_wait_on_terminal_runs_returns_at_once(sim: Sim) -> None:
    done = sim.world.add_run([("running", 10.0)], "success", ago=100)
    failed = sim.world.add_run([("running", 10.0)], "failed", ago=100)
    out, err = io.StringIO(), io.StringIO()
    code = await asyncio.wait_for(
        run_wait(wait_args(done, failed, "--exit-status"), sim.client, sim.clock, out, err=err),
        timeout=5,  # real seconds: the FakeClock never moves here
    )
    assert code == EXIT_FAILED
    assert sim.clock.monotonic() == 0.0
    assert sim.world.requests.count() == 2


async def test_wait_not_found_is_exit_3(sim: Sim) -> None:
    code, _, err = await wait_code(sim, MISSING)
    assert code == EXIT_API
    assert "not found" in err and MISSING in err


async def test_wait_timeout_is_exit_124(sim: Sim) -> None:
    rid = sim.world.add_run([("running", 3600.0)], "success")
    code, _, err = await wait_code(sim, rid, "--timeout", "30")
    assert code == EXIT_TIMEOUT
    assert "timed out after 30s" in err and rid in err
    assert sim.clock.monotonic() <= 31


async def test_wait_interval_flag(sim: Sim) -> None:
    rid = sim.world.add_run([("queued", 20.0), ("running", 40.0)], "success")
    code, _, _ = await wait_code(sim, rid, "--interval", "10")
    assert code == EXIT_OK
    times = [r.time for r in sim.world.requests.for_run(rid)]
    assert all(9.0 <= g <= 11.0 for g in gaps(times))  # 10 s ± jitter
    assert len(times) in (7, 8)


async def test_wait_invalid_id_is_exit_2_without_requests(sim: Sim) -> None:
    code, _, err = await wait_code(sim, "not-a-run")
    assert code == EXIT_USAGE
    assert "'not-a-run' is not a run ID" in err
    assert sim.world.requests.count() == 0


async def test_wait_auth_problem_is_exit_3_said_once(sim: Sim) -> None:
    ids = [sim.world.add_run([("running", 100.0)], "success") for _ in range(4)]
    sim.transport.app.api_key = "another-key"
    code, _, err = await wait_code(sim, *ids)
    assert code == EXIT_API
    assert len(err.splitlines()) == 1 and "API key" in err
    assert DEMO_KEY not in err


async def test_wait_unreachable_after_retries_is_exit_3(sim: Sim) -> None:
    rid = sim.world.add_run([("running", 1000.0)], "success")
    sim.transport.faults.set(reset_rate=1.0)
    code, _, err = await wait_code(sim, rid)
    assert code == EXIT_API
    assert "cannot reach" in err
    assert sim.world.requests.count(rid) == 3


async def test_wait_survives_a_transient_error(sim: Sim) -> None:
    rid = sim.world.add_run([("running", 20.0)], "success")
    sim.transport.faults.set(error_rate=1.0)

    async def heal() -> None:
        await sim.clock.sleep(5)
        sim.transport.faults.off()

    healer = asyncio.ensure_future(heal())
    code, _, err = await wait_code(sim, rid, "--exit-status")
    await healer
    assert code == EXIT_OK and err == ""


@pytest.mark.parametrize("bad", ["0", "-1", "abc", "nan", "inf"])
def test_bad_interval_is_a_usage_error(bad: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        wait_args("3c90c3cc-0d44-4b50-8888-8dd25736052a", "--interval", bad)
    assert exc.value.code == EXIT_USAGE
    assert "seconds" in capsys.readouterr().err


async def test_wait_colours_only_on_a_terminal_without_no_color(
    sim: Sim, monkeypatch: pytest.MonkeyPatch
) -> None:
    rid = sim.world.add_run([("running", 4.0)], "success")
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("TERM", raising=False)
    _, out, _ = await wait_code(sim, rid, out=Tty())
    assert "\x1b[32msuccess\x1b[0m" in out
    monkeypatch.setenv("NO_COLOR", "1")
    rid2 = sim.world.add_run([("running", 4.0)], "success")
    _, out, _ = await wait_code(sim, rid2, out=Tty())
    assert "\x1b" not in out


# ---- status ----------------------------------------------------------------------------


async def test_status_table(sim: Sim) -> None:
    a = sim.world.add_run([("running", 100.0)], "success", pipeline=None, ago=30)
    b = sim.world.add_run([("running", 10.0)], "failed", ago=100)
    out, err = io.StringIO(), io.StringIO()
    code = await run_status(status_args(a, b), sim.client, out, err=err, clock=sim.clock)
    assert code == EXIT_OK and err.getvalue() == ""
    header, row_a, row_b = out.getvalue().splitlines()
    assert header.split() == ["RUN", "STATUS", "PIPELINE", "STARTED", "DURATION", "TRIGGER"]
    assert row_a.split()[:2] == [a, "running"] and row_b.split()[:2] == [b, "failed"]
    assert sim.world.describe(a).slug in row_a
    assert "30s" in row_a and "10s" in row_b
    assert row_a.split()[-1] == sim.world.describe(a).trigger_type
    assert sim.world.requests.count() == 2  # one request per run


async def test_status_json_is_the_full_runs(sim: Sim) -> None:
    a = sim.world.add_run([("running", 100.0)], "success")
    out = io.StringIO()
    code = await run_status(status_args(a, "--json"), sim.client, out, err=io.StringIO())
    assert code == EXIT_OK
    [element] = json.loads(out.getvalue())
    run = element["run"]  # as the API sent it; what nekt-tui derived is apart
    assert run["id"] == a and run["status"] == "running"
    assert set(sim.world.run_json(a) or {}) <= set(run) | {"triggered_by_token"}
    assert element["nekt_tui"]["status"] == "running" and element["nekt_tui"]["id"] == a


async def test_status_exit_3_when_one_cannot_be_fetched(sim: Sim) -> None:
    a = sim.world.add_run([("running", 100.0)], "success")
    out, err = io.StringIO(), io.StringIO()
    code = await run_status(status_args(a, MISSING), sim.client, out, err=err)
    assert code == EXIT_API
    assert a in out.getvalue() and MISSING in err.getvalue()


async def test_status_invalid_id_is_exit_2(sim: Sim) -> None:
    err = io.StringIO()
    code = await run_status(status_args("nope"), sim.client, io.StringIO(), err=err)
    assert code == EXIT_USAGE and "'nope' is not a run ID" in err.getvalue()


async def test_status_sanitises_server_text(sim: Sim) -> None:
    from nekt_tui.api.models import Run

    class Hostile:
        async def get_run(self, run_id: str, *, patient: bool = False) -> Run:
            return Run.model_validate(
                {
                    "id": run_id,
                    "status": "evil\x1b]0;pwned\x07",
                    "pipeline": {"slug": "pipe\x1b[2J\x9b31m[@click=app.quit]x[/]"},
                    "trigger_type": "cron\x1bc",
                }
            )

    out = Tty()
    rid = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
    code = await run_status(status_args(rid), Hostile(), out, err=io.StringIO())
    assert code == EXIT_OK
    text = out.getvalue()
    # Only the SGR colour codes this module writes itself: ESC [ <digits> m.
    import re

    assert re.sub(r"\x1b\[[0-9;]*m", "", text).count("\x1b") == 0
    assert "\x9b" not in text and "\x07" not in text
    assert "[@click=app.quit]x[/]" in text


# ---- what the messages promise is what happens -----------------------------------------


async def test_wait_says_it_gives_up_after_failed_polls_and_never_promises_a_retry(
    sim: Sim,
) -> None:
    rid = sim.world.add_run([("running", 1000.0)], "success")
    sim.transport.faults.set(error_rate=1.0)
    code, _, err = await wait_code(sim, rid)
    assert code == EXIT_API
    (line,) = err.splitlines()
    assert "retried" not in line and "HTTP 5" in line
    assert line.endswith(f"giving up on {rid} after 3 failed polls in a row (exit 3)")


async def test_status_says_a_server_error_is_not_retried_further(sim: Sim) -> None:
    rid = sim.world.add_run([("running", 1000.0)], "success")
    sim.transport.faults.set(error_rate=1.0)
    err = io.StringIO()
    code = await run_status(status_args(rid), sim.client, io.StringIO(), err=err)
    assert code == EXIT_API
    (line,) = err.getvalue().splitlines()
    assert line.startswith(f"nekt-tui: {rid}: the API failed with HTTP 5")
    assert "will be retried" not in line
    assert line.endswith("; not retried further (exit 3)")


async def test_status_waits_longer_for_a_slow_run_and_shows_it() -> None:
    """A run whose answer takes longer than the usual wait (others answer at once) is slow,
    not unreachable: `status` asks it once more with more patience and prints it, exit 0."""
    import httpx

    from nekt_tui.api.client import NektClient
    from tests.api.loopback import head, serve_requests

    slow_id, fast_id = (
        "3c90c3cc-0d44-4b50-8888-8dd25736052a",
        "9a1f6a3e-0d44-4b50-8888-8dd25736052b",
    )

    async def answer(writer: asyncio.StreamWriter, request: bytes) -> None:
        rid = slow_id if slow_id.encode() in request else fast_id
        if rid == slow_id:
            await asyncio.sleep(0.5)
        body = json.dumps({"id": rid, "status": "running"}).encode()
        writer.write(head(content_type="application/json", content_length=str(len(body))) + body)
        await writer.drain()

    out, err = io.StringIO(), io.StringIO()
    args = argparse.Namespace(run_ids=[slow_id, fast_id], json=False)
    async with serve_requests(answer) as server:
        options: dict[str, Any] = {"timeout": httpx.Timeout(0.2), "patient_timeout": 5.0}
        async with NektClient("sk-test-slow-key", server.url, **options) as client:
            code = await run_status(args, client, out, err=err)
    assert code == 0, err.getvalue()
    assert slow_id in out.getvalue() and fast_id in out.getvalue()
    assert "did not answer within" in err.getvalue() and "asking once more" in err.getvalue()
    assert "cannot reach" not in err.getvalue()


# ---- the failure digest ----------------------------------------------------------------


async def test_wait_says_why_a_run_failed(sim: Sim) -> None:
    rid = sim.world.add_run([("running", 20.0)], "failed", shape="nested")
    ok = sim.world.add_run([("running", 20.0)], "success", shape="nested")
    code, out, _ = await wait_code(sim, rid, ok, "--exit-status")
    assert code == EXIT_FAILED
    log = (sim.world.run_json(rid) or {})["log"]["parsed_log"]
    last_traceback = log[log.rindex("Traceback (most recent call last):") :].splitlines()
    exception = next(line for line in last_traceback[1:] if line and not line[0].isspace())
    expected = exception if len(exception) <= 160 else exception[:159] + "…"
    (failed_line,) = [line for line in out.splitlines() if rid in line and "→ failed" in line]
    assert failed_line.endswith(f"→ failed — {expected}")
    assert "Error" in exception
    success_line = next(line for line in out.splitlines() if ok in line and "→ success" in line)
    assert success_line.endswith("→ success")
