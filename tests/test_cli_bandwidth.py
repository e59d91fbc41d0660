"""`nekt-tui wait` keeps to the bandwidth budget (issue 18, "done when"): watching a run
whose answer is a large, growing log and a small run beside it, the small run's success
is printed on time and the large run's bytes average within `max_bandwidth`.

Why the scale holds: the budget is linear in bytes (a large run is polled every
`size / share` seconds), so a log and a budget both divided by ten keep every interval and
every ratio of 20 MB at 1 MB/s; only `LARGE` (64 KiB, the least answer ever paced) is
absolute, and the large answers here stay well above it, the small ones far below.

Two levels. On a FakeClock, `run_wait` (wait's entry point takes the clock) runs for ten
virtual minutes against the in-process simulator: 2 MB uncompressed at 100 KB/s, paced
every 20 s as 20 MB at 1 MB/s would be, the average taken from the first byte as the issue
states it. Over a real loopback socket, the command itself runs as a user runs it (budget
from the config file, answers gzipped) on the real clock, so it is kept to about four
seconds: wait's least interval is 0.5 s, and a 1 MB log (about 95 KB gzipped) at 100 KB/s
is paced at about 1 s. There the average is taken from the large run's first answer on:
that answer is paid before its size is known, which over four seconds would put an
average from the first byte about 30 % over, over ten minutes (the FakeClock test) 3 %.
"""

from __future__ import annotations

import io
import itertools
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from nekt_tui.api.client import NektClient
from nekt_tui.clock import FakeClock
from nekt_tui.headless import EXIT_OK, run_wait
from nekt_tui.simulator import DEMO_KEY, World, app_transport
from nekt_tui.simulator.demo import add_big_log_run
from tests.conftest import SimServer
from tests.watch.conftest import SIM_URL, Sim
from tests.watch.test_headless import drive, wait_args


class Stamped(io.StringIO):
    """wait's stdout, each line with the clock time it was written at."""

    def __init__(self, clock: FakeClock) -> None:
        super().__init__()
        self.clock = clock
        self.lines: list[tuple[float, str]] = []

    def write(self, text: str) -> int:
        self.lines += [(self.clock.monotonic(), line) for line in text.splitlines()]
        return super().write(text)


def printed_at(lines: list[tuple[float, str]], run_id: str, change: str) -> float:
    """When wait printed `change` (e.g. "running → success") for `run_id`."""
    return next(t for t, line in lines if run_id in line and line.endswith(change))


# ---- on a FakeClock: the whole average, from the first byte ---------------------------

#: Bytes per second: 1 MB/s scaled by the log's 20 MB → 2 MB.
BUDGET = 100_000
#: The small run succeeds this many seconds in; the large one after ten minutes.
SMALL_ENDS, BIG_ENDS = 60.0, 600.0


async def test_wait_prints_a_small_success_on_time_beside_a_large_log_in_budget() -> None:
    clock = FakeClock()
    world = World(seed=3, clock=clock, n_runs=0)
    transport = app_transport(world, DEMO_KEY)
    transport.app.gzip.enabled = False  # 2 MB on the wire stands for 20 MB
    client = NektClient(DEMO_KEY, SIM_URL, transport=transport, sleep=clock.sleep, now=clock.now)
    sim = Sim(clock, world, transport, client)
    big = add_big_log_run(world, 2.0, lines_per_second=2.0, running_for=BIG_ENDS)
    small = world.add_run([("running", SMALL_ENDS)], "success")
    out, err = Stamped(clock), io.StringIO()
    args = wait_args(big, small, "--exit-status")
    try:
        code = await drive(sim, run_wait(args, client, clock, out, err=err, max_bandwidth=BUDGET))
    finally:
        await client.aclose()
    assert (code, err.getvalue()) == (EXIT_OK, "")
    # The small run: its success printed within its 2 s interval (and jitter) of the end.
    assert SMALL_ENDS < printed_at(out.lines, small, "running → success") <= SMALL_ENDS + 2.3
    # Everything wait received (both runs' answers) over its ten minutes, from 0 s.
    ended = clock.monotonic()
    assert client.received_bytes / ended <= 1.1 * BUDGET
    # Paced, not stopped: about every 20 s (2 MB / 100 KB/s), not every 2 s, and its own
    # success seen within one such interval.
    polls = world.requests.count(big)
    assert BIG_ENDS / 25 <= polls <= BIG_ENDS / 15
    assert BIG_ENDS < printed_at(out.lines, big, "running → success") <= BIG_ENDS + 25
    assert world.requests.count(small) >= SMALL_ENDS / 2.2


# ---- the command over a real socket, on the real clock ---------------------------------

#: Bytes per second for the loopback test: its 95 KB answers are paced at about 1 s.
LOOPBACK_BUDGET = 100_000
INTERVAL = 0.5
#: World seconds per second: the demo's marketing-attribution run (58 s to success)
#: succeeds a second after the simulator starts, the large log 3 s after it.
SPEED = 58
_EXCHANGE = re.compile(
    r"^(?P<at>\S+ \S+) DEBUG nekt_tui\.api\.client: GET /api/v1/runs/(?P<id>[^/]+)/ 200 "
    r"(?P<bytes>\d+) bytes"
)


def exchanges(log_file: Path, run_id: str) -> list[tuple[float, int]]:
    """(end time as Unix seconds, bytes on the wire) of each answer for `run_id`, from the
    client's own log of every exchange."""
    found = []
    for line in log_file.read_text().splitlines():
        m = _EXCHANGE.match(line)
        if m and m["id"] == run_id:
            at = datetime.strptime(m["at"], "%Y-%m-%d %H:%M:%S,%f").timestamp()  # local time
            found.append((at, int(m["bytes"])))
    return found


def read_lines(proc: subprocess.Popen[str]) -> list[tuple[float, str]]:
    """Every stdout line of `proc` with the Unix time it arrived, until it exits."""
    assert proc.stdout is not None
    return [(time.time(), line.rstrip("\n")) for line in proc.stdout]


def ended_at(sim: SimServer, run_id: str) -> float:
    """When the simulator says the run ended (its `ended_at`, real time: see World.wall)."""
    answer = httpx.get(f"{sim.url}/api/v1/runs/{run_id}/", headers={"x-api-key": sim.key})
    return datetime.fromisoformat(answer.json()["ended_at"].replace("Z", "+00:00")).timestamp()


@pytest.mark.integration
def test_the_wait_command_keeps_to_the_configured_budget_over_a_socket(
    sim_server_factory: Callable[..., SimServer], tmp_path: Path
) -> None:
    sim = sim_server_factory(
        "--big-log-mb", "1", "--big-log-for", str(3 * SPEED), "--speed", str(SPEED)
    )
    big = sim.run_ids[-1]  # the large log is added after the demo's runs
    assert sim.runs[big].status == "running"
    small = sim.find(slug="marketing-attribution").id
    config, log_file = tmp_path / "config.toml", tmp_path / "wait.log"
    config.write_text(f"max_bandwidth = {LOOPBACK_BUDGET}\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEKT")}
    env |= {"NEKT_API_KEY": sim.key, "NEKT_TUI_CONFIG": str(config)}
    argv = [sys.executable, "-m", "nekt_tui", "wait", big, small, "--exit-status"]
    argv += ["--interval", str(INTERVAL), "--api-url", sim.url, "--log-file", str(log_file)]
    proc = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    watchdog = threading.Timer(30, proc.kill)  # a hung wait fails the test, not the run
    watchdog.start()
    try:
        lines = read_lines(proc)
        assert proc.stderr is not None
        err = proc.stderr.read()
        code = proc.wait()
    finally:
        watchdog.cancel()
        if proc.stderr is not None:
            proc.stderr.close()
        if proc.stdout is not None:
            proc.stdout.close()
    assert (code, err) == (EXIT_OK, "")
    # The small run's success is printed within its interval (and a little) of its end.
    late = printed_at(lines, small, "running → success") - ended_at(sim, small)
    assert 0 < late <= INTERVAL * 1.1 + 0.4
    assert printed_at(lines, big, "running → success") > ended_at(sim, big)
    # The large run: every answer after the first is paid for at the budget's rate...
    answers = exchanges(log_file, big)
    assert len(answers) >= 3 and min(size for _, size in answers) > 64 * 1024
    paid = sum(size for _, size in answers[1:])
    assert paid / (answers[-1][0] - answers[0][0]) <= 1.1 * LOOPBACK_BUDGET
    # ...by waiting longer between its polls: each answer's size at the budget's rate,
    # about twice its interval (the small run keeps its 0.5 s).
    for (was, size), (then, _) in itertools.pairwise(answers):
        assert then - was >= 0.9 * size / LOOPBACK_BUDGET > 1.5 * INTERVAL
