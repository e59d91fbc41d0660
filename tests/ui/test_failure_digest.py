"""A failed run says why at a glance: its log's last error heads the status panel and ends
the transition toast (the failure digest, issue 17)."""

from __future__ import annotations

from nekt_tui.logview.digest import failure_digest
from nekt_tui.ui.widgets.status_panel import status_content

from .conftest import make_sim

#: The demo's postgres run fails with a psycopg2 traceback about 39 s in.
FAILS_BY = 41


async def test_a_failed_run_heads_its_status_panel_and_toast_with_why() -> None:
    sim = make_sim()
    async with sim.app.run_test(size=(160, 48), notifications=True) as pilot:
        for _ in range(FAILS_BY):
            await sim.advance(pilot, 1)
        await pilot.press("J")
        await sim.advance(pilot, 0)
        app = sim.app
        row = app.model.get(app.widgets.watch_list.selected or "")
        assert row is not None and row.run is not None
        why = failure_digest(row.run.parsed_log)
        assert why is not None and "OperationalError" in why
        panel = status_content(row, app.now(), app.conn).plain.splitlines()
        assert panel[1] == why  # right under the heading, before the times
        assert any(t.message.endswith(f"→ failed — {why}") for t in app.toasts)


async def test_a_run_that_did_not_fail_has_no_reason_line() -> None:
    sim = make_sim()
    async with sim.app.run_test(size=(160, 48)) as pilot:
        for _ in range(FAILS_BY):
            await sim.advance(pilot, 1)
        for row in sim.app.model.rows.values():
            if row.run is not None and row.run.status.value != "failed":
                assert row.failure is None
                assert "Error" not in status_content(row, sim.app.now()).plain.splitlines()[1]
