"""The notify command: a real program run per change, with the change in its environment
and never the API key; bounded in time and number; its problems said once."""

from __future__ import annotations

from pathlib import Path

import pytest

from nekt_tui.alerts import CommandRunner, Notifier
from nekt_tui.clock import FakeClock

from .helpers import NEKT_VARS, alert, alive, env_writer, script, until, written

BASE_ENV = {
    "PATH": "/usr/bin:/bin",
    "HOME": "/nowhere",
    "NEKT_API_KEY": "sk-secret-123",
    "NEKT_TUI_CONFIG": "/x/config.toml",
    "KEEP_ME": "yes",
}


def runner(argv: list[str], clock: FakeClock, said: list[str], **kw: object) -> CommandRunner:
    return CommandRunner(argv, clock=clock, report=said.append, base_env=BASE_ENV, **kw)  # type: ignore[arg-type]


async def test_the_command_gets_the_change_and_not_the_key(tmp_path: Path) -> None:
    cmd, out = env_writer(tmp_path)
    said: list[str] = []
    run = runner([str(cmd)], FakeClock(), said)
    run.submit(alert())
    await run.drain()
    (env,) = written(out)
    assert {k: env[k] for k in NEKT_VARS} == {
        "NEKT_RUN_ID": "3c90c3cc-0d44-4b50-8888-8dd25736052a",
        "NEKT_STATUS": "failed",
        "NEKT_PREVIOUS_STATUS": "running",
        "NEKT_PIPELINE": "pipe-x",
        "NEKT_LABEL": "nightly",
        "NEKT_STARTED_AT": "2026-01-15T12:00:00Z",
        "NEKT_ENDED_AT": "2026-01-15T12:00:10Z",
        "NEKT_ERROR": "KeyError: 'id'",
    }
    assert "NEKT_API_KEY" not in env and "sk-secret-123" not in "".join(env.values())
    assert "NEKT_TUI_CONFIG" not in env  # no NEKT_ variable but the change's own
    assert env["KEEP_ME"] == "yes"  # the rest of the environment is the user's
    assert said == [] and run.finished == 1


async def test_the_command_runs_for_every_change_with_arguments(tmp_path: Path) -> None:
    out = tmp_path / "args"
    cmd = script(tmp_path / "n.sh", f'printf "%s|%s|%s\\n" "$1" "$2" "$NEKT_RUN_ID" >> "{out}"\n')
    run = runner([str(cmd), "nekt", "a b; rm -rf /"], FakeClock(), [])
    for rid in ("r1", "r2", "r3"):
        run.submit(alert(rid))
    await run.drain()
    lines = sorted(out.read_text().splitlines())
    # The argv list is passed as is: no shell splits or runs the second word.
    assert lines == [f"nekt|a b; rm -rf /|{rid}" for rid in ("r1", "r2", "r3")]


async def test_a_missing_command_is_said_once(tmp_path: Path) -> None:
    said: list[str] = []
    run = runner([str(tmp_path / "no-such-notifier")], FakeClock(), said)
    for rid in ("r1", "r2", "r3"):
        run.submit(alert(rid))
    await run.drain()
    assert len(said) == 1
    assert "no-such-notifier" in said[0] and "not found" in said[0] and "notify_cmd" in said[0]


async def test_a_failing_command_is_said_once(tmp_path: Path) -> None:
    said: list[str] = []
    cmd = script(tmp_path / "fails.sh", "echo to-the-void; echo oops >&2; exit 3\n")
    run = runner([str(cmd)], FakeClock(), said)
    for rid in ("r1", "r2"):
        run.submit(alert(rid))
    await run.drain()
    run.submit(alert("r3"))
    await run.drain()
    assert run.finished == 3
    assert len(said) == 1 and "exit status 3" in said[0]


async def test_a_hanging_command_is_stopped_at_its_timeout(tmp_path: Path) -> None:
    clock = FakeClock()
    said: list[str] = []
    pids = tmp_path / "pids"
    # It starts a child of its own and waits: both must go.
    cmd = script(tmp_path / "hangs.sh", f'sleep 300 & echo "$$ $!" > "{pids}"; wait\n')
    run = runner([str(cmd)], clock, said)
    run.submit(alert())
    await until(lambda: pids.exists() and len(pids.read_text().split()) == 2, "the script ran")
    shell, child = (int(p) for p in pids.read_text().split())
    await clock.advance(9.5)
    assert run.stopped == 0 and alive(shell) and alive(child)
    await clock.advance(0.5)  # 10 s of the injected clock
    await run.drain()
    assert run.stopped == 1 and run.finished == 0
    await until(lambda: not alive(child), "the command's own child stopped too")
    assert not alive(shell)
    assert len(said) == 1 and "longer than 10 s" in said[0]


async def test_at_most_four_at_once_the_rest_wait(tmp_path: Path) -> None:
    clock = FakeClock()
    started = tmp_path / "started"
    started.mkdir()
    cmd = script(tmp_path / "slow.sh", f'touch "{started}/$NEKT_RUN_ID"; exec sleep 300\n')
    run = runner([str(cmd)], clock, [])
    for n in range(6):
        run.submit(alert(f"r{n}"))
    await until(lambda: len(list(started.iterdir())) == 4, "four commands started")
    await clock.settle()
    assert sorted(p.name for p in started.iterdir()) == ["r0", "r1", "r2", "r3"]
    assert run.started == 4
    await clock.advance(10)  # the first four are stopped; the last two start
    await until(lambda: len(list(started.iterdir())) == 6, "the waiting two started")
    await clock.advance(10)
    await run.drain()
    assert run.started == 6 and run.stopped == 6


async def test_the_queue_is_bounded(tmp_path: Path) -> None:
    clock = FakeClock()
    cmd = script(tmp_path / "slow.sh", "exec sleep 300\n")
    run = runner([str(cmd)], clock, [], limit=1, queue_max=2)
    for n in range(5):
        run.submit(alert(f"r{n}"))
    assert run.dropped == 2  # the oldest waiting ones
    await run.aclose()


async def test_closing_stops_what_runs(tmp_path: Path) -> None:
    pids = tmp_path / "pid"
    cmd = script(tmp_path / "slow.sh", f'echo $$ > "{pids}"; exec sleep 300\n')
    run = runner([str(cmd)], FakeClock(), [])
    run.submit(alert())
    await until(lambda: pids.exists() and pids.read_text().strip() != "", "the script ran")
    await run.aclose()
    await until(lambda: not alive(int(pids.read_text())), "the command stopped")


@pytest.mark.parametrize("policy", ["off", "failures"])
async def test_notify_off_runs_nothing(tmp_path: Path, policy: str) -> None:
    cmd, out = env_writer(tmp_path)
    notifier = Notifier.build(
        policy, [str(cmd)], clock=FakeClock(), report=lambda _: None, env=BASE_ENV
    )
    notifier.changes([alert(), alert(status="success", error="")])
    await notifier.drain()
    assert len(written(out)) == (0 if policy == "off" else 1)


async def test_a_tilde_in_the_command_is_the_home_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    cmd, out = env_writer(tmp_path)
    run = runner([f"~/{cmd.name}"], FakeClock(), [])
    run.submit(alert())
    await run.drain()
    assert len(written(out)) == 1
