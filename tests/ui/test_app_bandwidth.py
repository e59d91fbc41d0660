"""The app keeps to the bandwidth budget (issue 18, "done when"): watching a run whose
answer is a large, growing log and a small run beside it, the small run's row shows
`success` on time, the large run's row and status panel say how it is paced, and what
the app received averages within `max_bandwidth`.

Why the scale holds: the budget is linear in bytes (a large run is polled every
`size / share` seconds), so a 2 MB log at 100 KB/s is paced every 20 s exactly as 20 MB
at 1 MB/s is; only `LARGE` (64 KiB, the least answer ever paced) is absolute, and the
large answer stays far above it, the small one far below. Answers are sent uncompressed,
so the log's size is what crosses the wire. The app runs on a FakeClock against the
in-process simulator for ten virtual minutes: the large run's first answer (paid before
its size is known) is then a thirtieth of the bytes, and the average is taken from the
first byte.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

from nekt_tui.api.client import NektClient
from nekt_tui.clock import FakeClock
from nekt_tui.simulator import World
from nekt_tui.simulator.demo import add_big_log_run
from nekt_tui.ui.app import NektApp
from nekt_tui.ui.state.model import Row
from nekt_tui.ui.widgets.row_text import freshness_text, pace_text
from nekt_tui.ui.widgets.watch_list import WatchList
from nekt_tui.watch.bandwidth import Pacing

from .conftest import make_sim, run_json

#: Bytes per second: 1 MB/s scaled by the log's 20 MB → 2 MB.
BUDGET = 100_000
#: The small run succeeds this many seconds in; the test watches for ten minutes.
SMALL_ENDS, WATCHED = 31.0, 600.0
BIG_PIPELINE, SMALL_PIPELINE = "daily-revenue-rollup", "marketing-attribution"


def _world(clock: FakeClock) -> World:
    world = World(seed=3, clock=clock, n_runs=0)
    add_big_log_run(world, 2.0, lines_per_second=2.0, pipeline=BIG_PIPELINE)
    world.add_run([("running", SMALL_ENDS)], "success", pipeline=SMALL_PIPELINE)
    return world


def row_line(app: NektApp, pipeline: str) -> str:
    """The watch list's line for the run of `pipeline`, as drawn."""
    table = app.main.query_one(WatchList)
    lines = [table.render_line(y).text for y in range(1, len(app.model.rows) + 1)]
    return next(line for line in lines if pipeline in line)


def status_panel(app: NektApp) -> str:
    """The status panel's text as drawn, its wrapped lines joined by single spaces."""
    panel = app.widgets.status
    drawn = " ".join(panel.render_line(y).text for y in range(panel.size.height))
    return " ".join(drawn.split())


async def test_a_small_run_shows_success_on_time_beside_a_paced_large_log() -> None:
    sim = make_sim(_world, max_bandwidth=BUDGET)
    sim.transport.app.gzip.enabled = False  # the log's 2 MB on the wire stands for 20 MB
    big, small = sim.world.run_ids
    async with sim.app.run_test(size=(160, 48)) as pilot:
        await sim.advance(pilot, SMALL_ENDS - 1)
        # The small run is polled at its interval: its fresh column says "ago", not a pace.
        assert re.search(r"running .* \ds ago", row_line(sim.app, SMALL_PIPELINE))
        while "success" not in row_line(sim.app, SMALL_PIPELINE):
            assert sim.clock.monotonic() < SMALL_ENDS + 10, "the small run never showed success"
            await sim.advance(pilot, 1)
        # On time: within its 2 s interval (and jitter) and the second the test steps by.
        assert sim.clock.monotonic() <= SMALL_ENDS + 2.2 + 1
        await sim.advance(pilot, WATCHED - sim.clock.monotonic())

        # The large run's row: its fresh column says how often and how big.
        fresh = re.search(r"(\d+)s·(\d+\.\d)MB", row_line(sim.app, BIG_PIPELINE))
        assert fresh is not None, row_line(sim.app, BIG_PIPELINE)
        every, mb = int(fresh[1]), float(fresh[2])
        assert 2.0 <= mb <= 2.6 and 0.9 * mb * 10 <= every <= 1.3 * mb * 10  # size / budget
        # Its status panel says so in words (`every` there is rounded, not cut).
        sim.app.main.query_one(WatchList).select(big)
        await pilot.pause()
        said = re.search(r"Polling large log: every (\d+) s \((\S+) MB\)", status_panel(sim.app))
        assert said is not None, status_panel(sim.app)
        assert int(said[1]) in (every, every + 1) and float(said[2]) == mb

        # Everything the app received (both runs, from the first byte) within the budget.
        client = sim.app.session.source
        assert isinstance(client, NektClient)
        assert client.received_bytes / sim.clock.monotonic() <= 1.1 * BUDGET
        # Paced, not stopped: about every 20 s, not every 2 s; the small run kept its 2 s.
        assert WATCHED / 30 <= sim.requests_for(big) <= WATCHED / 15
        assert sim.requests_for(small) >= SMALL_ENDS / 2.2


def test_a_pace_just_above_the_interval_does_not_read_as_the_interval() -> None:
    # 20 MB gzipped is about 2.4 MB on the wire: at 1 MB/s a poll every 2.4 s, which in
    # whole seconds would read "every 2 s", the status interval itself.
    now = datetime(2026, 1, 15, 12, 0, tzinfo=timezone.utc)
    rid = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
    row = Row(rid, 1, run=run_json(rid, "running"), last_success=now)
    row.pace_source = lambda _rid: Pacing(2_370_000, 2.43)
    assert pace_text(row) == "large log: every 2.4 s (2.4 MB)"
    assert freshness_text(row, now) == ("2.4s·2.4MB", "dim")  # fits the 12-cell column
    row.pace_source = lambda _rid: Pacing(19_800_000, 19.8)
    assert pace_text(row) == "large log: every 20 s (20 MB)"
    assert freshness_text(row, now) == ("19s·20MB", "dim")
