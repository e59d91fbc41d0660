"""The benchmark harness's own arithmetic (fast; CI also runs `python -m benchmarks --quick`).

These check what the figures compute, never how fast anything is.
"""

from __future__ import annotations

import argparse

import pytest

from benchmarks.__main__ import parse_only, table
from benchmarks.bandwidth import watch
from benchmarks.common import Figure, Row
from benchmarks.economy import (
    HOUR,
    naive_requests,
    naive_requests_measured,
    plan_day,
    simulate_day,
)


async def test_naive_arithmetic_matches_a_real_naive_poller() -> None:
    plans = plan_day(3, 0.6 * HOUR, seed=5)
    day = 0.6 * HOUR
    counted = await naive_requests_measured(plans, day, interval=2.0, seed=5)
    assert counted == naive_requests(plans, day, 2.0)


async def test_the_day_sees_every_change_and_sends_fewer_requests() -> None:
    plans = plan_day(4, 0.6 * HOUR, seed=3)
    day = 0.6 * HOUR
    result = await simulate_day(plans, day, interval=2.0, waiting_interval=5.0, seed=3)
    latency = result["latency"]
    assert latency["unseen"] == 0
    assert latency["all"]["n"] > 0
    # Polled every 2 s (±10% jitter) while active: seen within one interval and a bit.
    assert latency["active"]["max"] is None or latency["active"]["max"] <= 2.0 * 1.1 + 1e-6
    assert result["requests"] < naive_requests(plans, day, 2.0)
    # No request wasted on finished runs: the engine sends no more than its intervals
    # call for, and pages of the run list stand in for some of those.
    assert result["requests"] < result["ideal"]


async def test_the_budget_keeps_a_large_log_within_it_and_small_runs_on_time() -> None:
    result = await watch(2.0, 120.0, 100_000, seed=1)
    assert result["bytes_per_s"] <= 1.1 * 100_000
    assert result["paced_every_s"] is not None and result["paced_every_s"] > 2.0
    assert result["latency"]["unseen"] == 0
    assert result["latency"]["active"]["max"] <= 2.0 * 1.1 + 1e-6
    free = await watch(2.0, 20.0, 0, seed=1)
    assert free["bytes_per_s"] > 5 * 100_000 and free["paced_every_s"] is None


def test_ratios_are_per_repetition_and_inverse_rows_read_as_times_cheaper() -> None:
    row = Row("3", "t", "ms", [1.0, 2.0], [30.0, 50.0], "b", "≥ 20×", inverse=True)
    assert row.ratios == [30.0, 25.0]
    assert row.ratio == 27.5
    plain = Row("1", "t", "req/s", [80.0, 90.0], [100.0, 100.0], "b", "≥ 0.8×")
    assert plain.ratios == [0.8, 0.9]


def test_table_escapes_pipes_and_marks_misses() -> None:
    fig = Figure(3, "f")
    fig.rows.append(
        Row("3", "curl | jq", "ms", [2.0], [20.0], "a | b", "≥ 20×", check=lambda r: False)
    )
    text = table([fig])
    assert "curl \\| jq" in text
    assert "**no**" in text


def test_only_rejects_unknown_figures() -> None:
    assert parse_only("1, 7") == [1, 7]
    assert parse_only(None) == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    with pytest.raises(argparse.ArgumentTypeError):
        parse_only("11")
