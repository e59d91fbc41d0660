"""The UI's pure helpers: time text, cron reading, palette, filter/sort, reducer, add input."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from rich.cells import cell_len

from nekt_tui.api.errors import RunNotFoundError
from nekt_tui.api.models import Run, RunStatus, UnknownValue
from nekt_tui.ui import timefmt
from nekt_tui.ui.cron_text import read_cron
from nekt_tui.ui.screens.add_dialog import check_input
from nekt_tui.ui.state.model import HISTORY_KEPT, Filter, Transition, WatchModel
from nekt_tui.ui.state.reactions import EventReducer, severity, should_ring, summary
from nekt_tui.ui.status_style import STATUS_KEYS, attention_rank, look, status_variables
from nekt_tui.ui.widgets.header_bar import Connection
from nekt_tui.ui.widgets.status_panel import status_content
from nekt_tui.ui.widgets.watch_list import elapsed_text, fit, freshness_text, rfit
from nekt_tui.watch.events import PollFailed, RunStale, RunUpdated, StatusChanged

from .conftest import RUN_A, RUN_B

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=timezone.utc)


def _run(run_id: str, status: str, **extra: object) -> Run:
    return Run.model_validate({"id": run_id, "status": status, **extra})


def test_time_text() -> None:
    assert timefmt.compact(59) == "59s"
    assert timefmt.compact(125) == "2m"
    assert timefmt.compact(7300) == "2h"
    assert timefmt.span(42) == "42s"
    assert timefmt.span(184) == "3m 04s"
    assert timefmt.span(3720) == "1h 02m"
    assert timefmt.span(2 * 86400 + 3 * 3600) == "2d 03h"
    assert timefmt.ago(NOW - timedelta(minutes=3), NOW) == "3m ago"
    assert timefmt.ago(NOW, NOW) == "just now"
    assert timefmt.ago(NOW + timedelta(minutes=2), NOW) == "in 2m"
    assert timefmt.local(NOW - timedelta(minutes=1), NOW, timezone.utc) == "11:59:00"
    assert timefmt.local(NOW - timedelta(days=1), NOW, timezone.utc) == "2026-01-14 12:00"


def test_cron_reading_zone_and_next_fires() -> None:
    reading = read_cron("0 3 * * 1-5", "America/Sao_Paulo", NOW)
    assert reading.description == "At 03:00, Monday through Friday"
    assert reading.zone_name == "America/Sao_Paulo" and reading.zone_error is None
    zoned = [z.strftime("%a %d %H:%M %Z") for z, _ in reading.fires]
    assert zoned == ["Fri 16 03:00 -03", "Mon 19 03:00 -03", "Tue 20 03:00 -03"]
    # The same instants in local time (TZ=UTC in these tests).
    assert [here.strftime("%H:%M") for _, here in reading.fires] == ["06:00"] * 3
    assert all(z == here for z, here in reading.fires)


@pytest.mark.parametrize(
    ("expression", "zone", "error", "zone_error"),
    [
        ("not cron", None, "not a valid cron expression", None),
        ("0 0 31 2 *", "UTC", "never fires", None),
        ("*/5 * * * *", "../../etc/passwd", None, "unknown time zone, times shown in UTC"),
        (None, None, "no cron expression", None),
        ("x" * 500, None, "not a valid cron expression", None),
    ],
)
def test_cron_reading_never_raises(
    expression: str | None, zone: str | None, error: str | None, zone_error: str | None
) -> None:
    reading = read_cron(expression, zone, NOW)
    assert reading.error == error
    assert reading.zone_error == zone_error


def test_cron_macros_read_as_english() -> None:
    assert read_cron("@daily", None, NOW).description == "Once a day, at 00:00"


def test_every_status_has_symbol_label_and_colour() -> None:
    symbols = {look(s).symbol for s in RunStatus}
    assert len(symbols) == len(RunStatus)  # tell statuses apart without colour
    assert look(UnknownValue("weird")).symbol == "?"
    assert look(UnknownValue("\x1b[31mred")).label == "red"
    assert look(None).label == ""
    variables = status_variables(
        {"foreground": "#e0e0e0", "background": "#121212", "text-success": "#00ff00"}
    )
    for key in STATUS_KEYS:
        assert variables[f"status-{key}"].startswith("#")
        assert variables[f"status-{key}-flash"].startswith("#")
    assert variables["status-success"] == "#00ff00"
    # A theme that sets its own status colour keeps it.
    themed = status_variables({"status-failed": "#ff00ff", "foreground": "#000"})
    assert themed["status-failed"] == "#ff00ff"


def test_attention_order() -> None:
    order = sorted(RunStatus, key=attention_rank)
    assert order[0] is RunStatus.FAILED and order[-1] is RunStatus.SUCCESS


def test_filter_and_sort() -> None:
    model = WatchModel()
    a = model.add(RUN_A, label="alpha-sync")
    b = model.add(RUN_B, label="beta-load")
    a.set_run(_run(RUN_A, "failed", started_at="2026-01-15T11:00:00Z"), NOW)
    b.set_run(_run(RUN_B, "running", started_at="2026-01-15T11:30:00Z"), NOW)
    model.rebuild_view()
    assert model.view == [RUN_A, RUN_B]
    model.set_filter("status:running")
    model.rebuild_view()
    assert model.view == [RUN_B]
    model.set_filter("ALPHA")
    model.rebuild_view()
    assert model.view == [RUN_A]
    model.set_filter("")
    assert model.cycle_sort() == "status"
    model.rebuild_view()
    assert model.view == [RUN_A, RUN_B]
    model.cycle_sort()
    model.cycle_sort()  # started: newest first
    model.rebuild_view()
    assert model.view == [RUN_B, RUN_A]
    assert Filter.parse("is:failed,running x") == Filter(("x",), frozenset({"failed", "running"}))


def test_remove_and_restore_keep_the_order() -> None:
    model = WatchModel()
    model.add(RUN_A)
    model.add(RUN_B)
    row = model.remove(RUN_A)
    assert row is not None
    model.restore(row)
    assert list(model.rows) == [RUN_A, RUN_B]


def test_row_texts() -> None:
    model = WatchModel()
    row = model.add(RUN_A)
    assert freshness_text(row, NOW) == ("…", "dim")
    row.set_run(_run(RUN_A, "running", started_at="2026-01-15T11:58:00Z"), NOW)
    assert elapsed_text(row, NOW + timedelta(seconds=5)) == ("2m 05s", True)
    assert freshness_text(row, NOW + timedelta(seconds=5)) == ("5s ago", "ok")
    row.stale = True
    assert freshness_text(row, NOW + timedelta(minutes=2)) == ("stale 2m", "problem")
    row.error = RunNotFoundError(RUN_A)
    assert freshness_text(row, NOW) == ("not found", "problem")
    row.paused = True
    assert freshness_text(row, NOW) == ("paused", "dim")
    done = model.add(RUN_B)
    done.set_run(_run(RUN_B, "success", duration_seconds=125), NOW)
    assert elapsed_text(done, NOW) == ("2m 05s", False)
    assert freshness_text(done, NOW) == ("final", "dim")


def test_fit_counts_cells() -> None:
    assert fit("abc", 5) == "abc  "
    assert fit("abcdef", 4) == "abc…"
    # Wide characters are counted as two cells and never overflow the column.
    assert cell_len(fit("日本語", 4)) == 4
    assert cell_len(fit("日本語テキスト", 7)) == 7
    assert rfit("7s", 4) == "  7s"


def test_reducer_folds_events() -> None:
    model = WatchModel()
    conn = Connection()
    reducer = EventReducer(model, conn)
    row = model.add(RUN_A, saved_status=RunStatus.RUNNING)
    reducer.expect_away([RUN_A])
    run = _run(RUN_A, "failed")
    reducer.apply(RunUpdated(RUN_A, run, None, None, NOW))
    reducer.apply(StatusChanged(RUN_A, run, RunStatus.RUNNING, RunStatus.FAILED, NOW))
    batch = reducer.take()
    assert conn.kind == "live"
    assert batch.transitions == []  # the first fetch: it happened while away
    assert batch.away_summary == [Transition(NOW, RunStatus.RUNNING, RunStatus.FAILED)]
    assert batch.saved == {RUN_A: (RunStatus.FAILED, NOW)}
    reducer.apply(PollFailed(RUN_A, RunNotFoundError(RUN_A), None, NOW))
    reducer.apply(RunStale(RUN_A, NOW, NOW))
    assert row.error is not None and row.stale
    assert reducer.take().rows == {RUN_A}
    # Events for a run no longer watched are dropped.
    reducer.apply(RunUpdated(RUN_B, _run(RUN_B, "running"), None, None, NOW))
    assert not reducer.pending


def test_bell_policy_and_words() -> None:
    failed, success, running = RunStatus.FAILED, RunStatus.SUCCESS, RunStatus.RUNNING
    assert not should_ring("off", [failed])
    assert should_ring("failures", [failed]) and not should_ring("failures", [success])
    assert should_ring("terminal", [success]) and not should_ring("terminal", [running])
    assert should_ring("all", [running]) and not should_ring("all", [])
    changes = [Transition(NOW, running, s) for s in (success, success, failed)]
    assert summary(changes) == "2 succeeded, 1 failed"
    assert severity([success, failed]) == "error"


def test_add_input_checks() -> None:
    never = lambda _: False  # noqa: E731
    assert check_input(f"x {RUN_A} y {RUN_B}", never) == ([RUN_A, RUN_B], "")
    ids, why = check_input("", never)
    assert not ids and "at least one" in why
    ids, why = check_input("[b]nope[/b]", never)
    assert not ids and "“[b]nope[/b]”" in why
    ids, why = check_input(f"{RUN_A} 3c90c3cc-0d44-4b50", never)
    assert not ids and "not a whole UUID" in why
    ids, why = check_input(RUN_A, lambda rid: rid == RUN_A)
    assert not ids and "already" in why
    assert check_input(f"{RUN_A} {RUN_B}", lambda rid: rid == RUN_A) == ([RUN_B], "")


def test_a_run_whose_status_flaps_keeps_only_its_newest_changes() -> None:
    model = WatchModel()
    reducer = EventReducer(model, Connection())
    row = model.add(RUN_A, saved_status=RunStatus.RUNNING)
    flips = (RunStatus.RUNNING, RunStatus.CANCELLING)
    for i in range(HISTORY_KEPT * 3):
        old, new = flips[i % 2], flips[(i + 1) % 2]
        at = NOW + timedelta(seconds=i)
        reducer.apply(StatusChanged(RUN_A, _run(RUN_A, new.value), old, new, at))
    assert len(row.history) == HISTORY_KEPT
    assert row.history[-1].at == NOW + timedelta(seconds=HISTORY_KEPT * 3 - 1)
    shown = status_content(row, NOW).plain
    assert shown.count(" → ") == HISTORY_KEPT
