"""A run paced by the bandwidth budget says so: in its watch list row and the status panel
(issue 18.1), in the app against the simulator serving a large, growing log."""

from __future__ import annotations

from datetime import datetime, timezone

from nekt_tui.clock import FakeClock
from nekt_tui.simulator import World
from nekt_tui.simulator.demo import add_big_log_run
from nekt_tui.ui.state.model import Row
from nekt_tui.ui.widgets.row_text import freshness_text, megabytes, pace_text
from nekt_tui.ui.widgets.status_panel import status_content
from nekt_tui.watch.bandwidth import Pacing

from .conftest import make_sim, run_json

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=timezone.utc)
RID = "3c90c3cc-0d44-4b50-8888-8dd25736052a"


def paced_row(pacing: Pacing | None) -> Row:
    row = Row(RID, 1, run=run_json(RID, "running"), last_success=NOW)
    row.pace_source = lambda _rid: pacing
    return row


def test_row_and_panel_text_of_a_paced_run() -> None:
    row = paced_row(Pacing(21_000_000, 20.4))
    assert pace_text(row) == "large log: every 20 s (21 MB)"
    assert freshness_text(row, NOW) == ("20s·21MB", "dim")  # fits the 12-cell column
    panel = status_content(row, NOW).plain
    assert "Polling    large log: every 20 s (21 MB)  (max_bandwidth)" in panel


def test_an_unpaced_run_says_nothing_of_it() -> None:
    row = paced_row(None)
    assert pace_text(row) is None
    assert freshness_text(row, NOW) == ("0s ago", "ok")
    assert "large log" not in status_content(row, NOW).plain


def test_sizes_as_a_user_reads_them() -> None:
    assert [megabytes(n) for n in (2_480_000, 9_960_000, 21_400_000, 250_000)] == [
        "2.5 MB",
        "10 MB",
        "21 MB",
        "0.2 MB",
    ]


def _big(clock: FakeClock) -> World:
    world = World(seed=3, clock=clock, n_runs=0)
    add_big_log_run(world, 2.0, lines_per_second=2.0)
    world.add_run([("running", 3600.0)], "success", lines_per_second=0.05)
    return world


async def test_the_app_shows_the_pace_of_a_large_running_log() -> None:
    sim = make_sim(_big, max_bandwidth=100_000)
    sim.transport.app.gzip.enabled = False  # 2 MB on the wire: about every 20 s
    big, small = sim.world.run_ids
    async with sim.app.run_test(size=(120, 30)) as pilot:
        await sim.advance(pilot, 60)
        row = sim.app.model.rows[big]
        text = pace_text(row)
        assert text is not None and text.startswith("large log: every ") and text.endswith(" MB)")
        assert "large log: every" in status_content(row, sim.clock.now()).plain
        assert pace_text(sim.app.model.rows[small]) is None
        # Paced, not stopped: about three polls a minute instead of thirty.
        assert 2 <= sim.requests_for(big) <= 6 < 25 <= sim.requests_for(small)
