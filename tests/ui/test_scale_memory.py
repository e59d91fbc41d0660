"""Memory that grows with the watch list stays small per run (figure 9 measures the app)."""

from __future__ import annotations

import tracemalloc
from datetime import datetime, timezone

from nekt_tui.api.models import RunStatus
from nekt_tui.ui.state.model import HISTORY_KEPT, Transition

AT = datetime(2026, 1, 15, 12, 0, tzinfo=timezone.utc)


def test_a_kept_status_change_costs_under_72_bytes() -> None:
    # 10,000 runs that each changed status HISTORY_KEPT times keep 500,000 of these: at
    # 96 bytes each (an instance with a dict), 48 MB; with slots, 28 MB.
    count = 10 * HISTORY_KEPT * 200
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = [Transition(AT, RunStatus.RUNNING, RunStatus.SUCCESS) for _ in range(count)]
        used = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert len(kept) == count
    per_change = (used - 8 * count) / count  # less the list's own pointer to each
    assert per_change < 72, f"{per_change:.0f} bytes per kept status change"
