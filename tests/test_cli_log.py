"""`--log-file PATH` / NEKT_TUI_LOG: the debug log for bug reports, with the key and
anything token-like redacted from messages and tracebacks."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from nekt_tui.cli import main
from nekt_tui.debuglog import open_debug_log
from tests.conftest import SimServer
from tests.test_cli_hostile import JSON, RID, Server

KEY = "sk-live-LOGGED-key-4242"
TOKEN = "nk_live_AbCdEf123456"


@pytest.mark.integration
@pytest.mark.parametrize("how", ["flag-before", "flag-after", "env"])
def test_status_writes_request_lines_to_the_log_file(
    sim_server: SimServer,
    isolated: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    how: str,
) -> None:
    monkeypatch.setenv("NEKT_API_KEY", sim_server.key)
    path = isolated / "debug.log"
    rid = sim_server.run_ids[0]
    argv = {
        "flag-before": ["--log-file", str(path), "status", "--api-url", sim_server.url, rid],
        "flag-after": ["status", "--api-url", sim_server.url, "--log-file", str(path), rid],
        "env": ["status", "--api-url", sim_server.url, rid],
    }[how]
    if how == "env":
        monkeypatch.setenv("NEKT_TUI_LOG", str(path))
    assert main(argv) == 0, capsys.readouterr().err
    text = path.read_text()
    assert f"GET /api/v1/runs/{rid}/ 200 " in text  # the client's own request line
    assert sim_server.key not in text
    assert path.stat().st_mode & 0o077 == 0  # the log may hold run names: private


def test_a_key_echoed_by_the_server_is_redacted_in_the_log(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NEKT_API_KEY", KEY)
    path = isolated / "debug.log"
    body = json.dumps({"detail": f"key {KEY} is revoked; try {TOKEN}"}).encode()
    with Server((401, JSON, body)) as server:
        assert main(["status", "--api-url", server.url, "--log-file", str(path), RID]) == 3
    err = capsys.readouterr().err
    assert "[redacted]" in err and KEY not in err and TOKEN not in err
    text = path.read_text()
    assert f"GET /api/v1/runs/{RID}/ 401 " in text
    assert KEY not in text and TOKEN not in text


def test_an_unexpected_error_points_to_the_log_which_has_the_traceback(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NEKT_API_KEY", KEY)
    path = isolated / "debug.log"

    def broken(*_args: object) -> str:
        raise RecursionError("a bug nothing foresaw")

    # The client turns every failure it meets into a NektError: a bug past it is the case.
    monkeypatch.setattr("nekt_tui.headless.status_table", broken)
    with Server((200, JSON, json.dumps({"id": RID, "status": "running"}).encode())) as server:
        assert main(["status", "--api-url", server.url, "--log-file", str(path), RID]) == 3
    err = capsys.readouterr().err
    assert err.strip() == (
        f"nekt-tui: unexpected RecursionError; the details are in {path}; please report it"
    )
    text = path.read_text()
    assert "Traceback (most recent call last)" in text and "RecursionError" in text


def test_the_filter_redacts_messages_and_tracebacks(tmp_path: Path) -> None:
    path = tmp_path / "debug.log"
    debug_log = open_debug_log(path, [KEY])
    log = logging.getLogger("nekt_tui.test")
    try:
        log.debug("sent %s", KEY)
        try:
            raise ValueError(f"bad key {KEY} / {TOKEN}")
        except ValueError:
            log.exception("failed with %s", TOKEN)
    finally:
        debug_log.close()
    text = path.read_text()
    assert KEY not in text and TOKEN not in text
    assert "Traceback (most recent call last)" in text and "ValueError: bad key [redacted]" in text
    assert logging.getLogger("nekt_tui").propagate  # detached again


def test_an_unwritable_log_file_is_one_line_exit_2(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NEKT_API_KEY", KEY)
    path = isolated / "no-such-dir" / "debug.log"
    assert main(["status", "--log-file", str(path), RID]) == 2
    err = capsys.readouterr().err
    assert err.strip() == f"nekt-tui: cannot write the log file {path}: No such file or directory"


def test_a_key_given_after_the_log_opened_is_redacted_too(tmp_path: Path) -> None:
    """A key typed in the app (K) or a profile switched to comes after the debug log was
    opened with the configured key: its client makes the log redact it as well."""
    import asyncio

    from nekt_tui.api.client import NektClient

    typed = "sk-live-TYPED-later-9191"
    path = tmp_path / "debug.log"
    debug_log = open_debug_log(path, [KEY])
    try:
        asyncio.run(NektClient(typed, "http://127.0.0.1:9").aclose())  # made, never used
        logging.getLogger("nekt_tui.test").debug("echoed %s and %s", typed, typed[:14])
    finally:
        debug_log.close()
    text = path.read_text()
    assert typed not in text and typed[:14] not in text
    assert "echoed [redacted] and [redacted]" in text
