"""Run logs: grow line by line while running, end with a summary, a traceback or a cancel."""

from __future__ import annotations

import itertools
import re
from datetime import datetime, timezone

from nekt_tui.clock import FakeClock
from nekt_tui.simulator import World

LINE = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ) (DEBUG|INFO|WARNING|ERROR) \[([\w.-]+)\] \S")


def log_of(world: World, rid: str) -> str:
    data = world.run_json(rid)
    assert data is not None
    return str(data["log"]["parsed_log"])


async def test_log_is_empty_until_running_then_grows_by_rate(fake_clock: FakeClock) -> None:
    world = World(clock=fake_clock, n_runs=0)
    rid = world.add_run([("queued", 10), ("running", 60)], "success", lines_per_second=2)
    assert log_of(world, rid) == ""
    await fake_clock.advance(10)
    header = log_of(world, rid).splitlines()
    assert header and all(LINE.match(line) for line in header)
    assert rid in header[0]
    counts = []
    previous = log_of(world, rid)
    for _ in range(10):
        await fake_clock.advance(1)
        text = log_of(world, rid)
        assert text.startswith(previous)  # only ever appended to
        counts.append(len(text.splitlines()))
        previous = text
    growth = [b - a for a, b in itertools.pairwise(counts)]
    assert growth == [2] * 9


async def test_log_timestamps_match_the_clock(fake_clock: FakeClock) -> None:
    world = World(clock=fake_clock, n_runs=0)
    rid = world.add_run([("running", 100)], "success", lines_per_second=3)
    await fake_clock.advance(40)
    now = fake_clock.now()
    stamps = [LINE.match(line) for line in log_of(world, rid).splitlines()]
    times = [datetime.strptime(m[1], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
             for m in stamps if m]  # fmt: skip
    assert len(times) == len(stamps) > 100
    assert times == sorted(times)
    assert times[0] == now.replace(second=0, microsecond=0)  # started 40 s ago at 12:00:00
    assert times[-1] <= now
    data = world.run_json(rid)
    assert data is not None
    last = times[-1].strftime("%Y-%m-%dT%H:%M:%S")
    assert data["log"]["updated_at"].startswith(last)  # the last line's time


async def test_failed_run_ends_with_an_error_and_a_traceback(fake_clock: FakeClock) -> None:
    world = World(clock=fake_clock, n_runs=0)
    for slug in ("hubspot-to-catalog", "postgres-prod-to-catalog", "daily-revenue-rollup",
                 "marketing-attribution", "churn-features", "catalog-to-salesforce"):  # fmt: skip
        rid = world.add_run([("running", 30)], "failed", pipeline=slug, lines_per_second=2)
        assert "Traceback" not in log_of(world, rid)
    await fake_clock.advance(31)
    for rid in world.run_ids:
        lines = log_of(world, rid).splitlines()
        start = lines.index("Traceback (most recent call last):")
        assert lines[start - 1].split()[1] == "ERROR"
        assert any(line.startswith('  File "') for line in lines[start:])
        exc_lines = [line for line in lines[start:] if re.match(r"^[\w.]+(Error|Exception)", line)]
        assert exc_lines, lines[start:]
        assert re.match(r".* ERROR \[nekt\] Run failed after 30s: ", lines[-1])


async def test_successful_run_ends_with_a_summary(fake_clock: FakeClock) -> None:
    world = World(clock=fake_clock, n_runs=0)
    rid = world.add_run([("queued", 1), ("running", 20)], "success", pipeline="customer-360")
    await fake_clock.advance(30)
    lines = log_of(world, rid).splitlines()
    assert lines[-1].endswith("INFO [nekt] Run finished successfully in 20s")
    assert not any(" ERROR " in line for line in lines)
    assert any("[dbt] Done. PASS=" in line for line in lines)


async def test_cancel_lines_are_appended(fake_clock: FakeClock) -> None:
    world = World(clock=fake_clock, n_runs=0)
    rid = world.add_run(
        [("running", 300)], "success", pipeline="stripe-to-catalog", cancelling_seconds=5
    )
    await fake_clock.advance(20)
    before = log_of(world, rid)
    world.cancel(rid)
    text = log_of(world, rid)
    assert text.startswith(before)
    assert text[len(before) :] == (
        "\n2026-01-15T12:00:20Z WARNING [nekt] Cancellation requested; "
        "sending SIGTERM to tap-stripe"
    )
    await fake_clock.advance(60)
    lines = log_of(world, rid).splitlines()
    assert lines[-2:] == [
        "2026-01-15T12:00:25Z INFO [tap-stripe] Received SIGTERM; flushing state and exiting",
        "2026-01-15T12:00:25Z WARNING [nekt] Run canceled after 25s",
    ]
    assert "\n".join(lines[:-2]) == text  # nothing else was logged after the cancel


async def test_long_log_is_built_incrementally(fake_clock: FakeClock) -> None:
    world = World(clock=fake_clock, n_runs=0)
    rid = world.add_run([("running", 10_000)], "success", lines_per_second=20)
    sizes = []
    for _ in range(5):
        await fake_clock.advance(100)
        sizes.append(len(log_of(world, rid).splitlines()))
    assert sizes[-1] > 9_000
    # The writer keeps one joined string and extends it: asking twice returns the same object.
    run = world.get(rid)
    assert run is not None
    t = world.elapsed()
    assert run.log.text(run.timeline, t) is run.log.text(run.timeline, t)
