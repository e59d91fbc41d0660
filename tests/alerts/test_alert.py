"""An alert holds one printable line per field, whatever the server or a paste sent."""

from __future__ import annotations

from nekt_tui.alerts import alert_for, one_line
from nekt_tui.api.enums import RunStatus
from nekt_tui.api.models import Run

HOSTILE = "pipe\x1b]0;owned\x07-x\nrm -rf /\r\u2028\u202eevil\x00"


def _run(status: str) -> Run:
    return Run.model_validate(
        {
            "id": "3c90c3cc-0d44-4b50-8888-8dd25736052a",
            "status": status,
            "started_at": "2026-01-15T11:59:00Z",
            "ended_at": "2026-01-15T12:01:00Z" if status != "running" else None,
            "pipeline": {"slug": HOSTILE},
            "number": 42,
        }
    )


def test_every_field_is_one_printable_line() -> None:
    alert = alert_for(
        _run("failed"), RunStatus.RUNNING, RunStatus.FAILED, label=HOSTILE, failure=HOSTILE
    )
    for name, value in alert.env().items():
        assert value.isprintable(), (name, value)
        assert "\x1b" not in value and "owned" not in value
    assert alert.name.endswith("#42")
    assert (alert.previous, alert.status) == ("running", "failed")
    assert (alert.started_at, alert.ended_at) == ("2026-01-15T11:59:00Z", "2026-01-15T12:01:00Z")


def test_only_a_failure_carries_an_error() -> None:
    ok = alert_for(_run("success"), RunStatus.RUNNING, RunStatus.SUCCESS, failure="stale")
    assert ok.error == "" and ok.env()["NEKT_ERROR"] == ""
    running = alert_for(_run("running"), RunStatus.QUEUED, RunStatus.RUNNING)
    assert running.ended_at == "" and running.label == ""


def test_one_line_cuts_long_text() -> None:
    assert one_line("x" * 600) == "x" * 499 + "…"
    assert one_line(None) == ""
