"""`status --json` prints each run as the API sent it, and apart from it what nekt-tui
derived; over real loopback HTTP."""

from __future__ import annotations

import argparse
import asyncio
import copy
import io
import json
import re
from collections.abc import Mapping
from typing import Any

import pytest

from nekt_tui.api.client import NektClient
from nekt_tui.headless import EXIT_API, EXIT_OK, run_status
from tests.api.loopback import head, serve_requests

KEY = "sk-live-json-test-key-0123456789"
FLAT_ID = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
NESTED_ID = "9a1f6a3e-0d44-4b50-8888-8dd25736052b"
MISSING = "99999999-9999-4999-8999-999999999999"

FLAT: dict[str, Any] = {
    "id": FLAT_ID,
    "number": 812,
    "status": "success",
    "created_at": "2026-01-15T11:59:50Z",
    "started_at": "2026-01-15T12:00:00Z",
    "ended_at": "2026-01-15T12:00:42Z",
    "duration_seconds": 42,
    "full_sync": False,
    "extra_config": {},
    "credit_charge_status": "charged",
    "el_cost_usd": 123,
    "el_cost_metadata": {"rows": 1000},
    "transformation_cost_usd": 0.25,
    "transformation_cost_metadata": None,
    "source": "postgres-to-bigquery",
    "destination": None,
    "transformation": None,
    "triggered_by": 7,
    "triggered_by_token": "0b7e1f0c-token-id",
}

TRACEBACK_LOG = (
    "2026-01-15T12:00:01Z INFO tap | syncing\n"
    "2026-01-15T12:00:02Z ERROR tap | Stream failed\n"
    "Traceback (most recent call last):\n"
    '  File "tap.py", line 3, in sync\n'
    "    conn.execute(q)\n"
    "psycopg2.errors.OperationalError: server closed the connection unexpectedly\n"
)
NESTED: dict[str, Any] = {
    "id": NESTED_ID,
    "status": "failed",
    "created_at": "2026-01-15T11:59:50Z",
    "started_at": "2026-01-15T12:00:00Z",
    "ended_at": "2026-01-15T12:00:05Z",
    "pipeline": {"slug": "orders-sync", "type": "extractor", "triggers": []},
    "log": {"id": "log-1", "parsed_log": TRACEBACK_LOG},
    "trigger_type": "cron",
    "trigger": {"type": "cron", "cron_expression": "0 * * * *"},
    "triggered_by": None,
    "triggered_by_token": {"id": "tok-1", "token": "super-secret-token-value", "description": "ci"},
}


async def status_json(
    answers: Mapping[str, dict[str, Any]], *ids: str
) -> tuple[int, str, list[Any], str]:
    """`nekt-tui status --json IDS` against a loopback server answering `answers` (404
    for any other run); the exit code, stdout, stdout parsed, stderr."""

    async def answer(writer: asyncio.StreamWriter, request: bytes) -> None:
        path = request.split(b" ")[1].decode()
        rid = path.rstrip("/").rsplit("/", 1)[-1]
        if rid in answers:
            status, body = "200 OK", json.dumps(answers[rid]).encode()
        else:
            status, body = "404 Not Found", b'{"detail": "Not found."}'
        length = str(len(body))
        writer.write(head(status, content_type="application/json", content_length=length) + body)
        await writer.drain()

    out, err = io.StringIO(), io.StringIO()
    args = argparse.Namespace(run_ids=list(ids), json=True)
    async with (
        serve_requests(answer) as server,
        NektClient(KEY, server.url, max_retries=1) as client,
    ):
        code = await run_status(args, client, out, err=err)
    text = out.getvalue()
    return code, text, json.loads(text), err.getvalue()


async def test_a_flat_run_is_printed_as_sent() -> None:
    code, _, [element], err = await status_json({FLAT_ID: FLAT}, FLAT_ID)
    assert code == EXIT_OK and err == ""
    assert element["run"] == FLAT  # every field, nothing added, nothing turned into another
    assert list(element["run"]) == list(FLAT)  # in the API's order
    assert type(element["run"]["el_cost_usd"]) is int
    assert type(element["run"]["transformation_cost_usd"]) is float
    assert element["run"]["triggered_by_token"] == "0b7e1f0c-token-id"
    assert "pipeline" not in element["run"] and "log" not in element["run"]
    assert element["nekt_tui"] == {
        "id": FLAT_ID,
        "shape": "flat",
        "status": "success",
        "terminal": True,
        "name": "postgres-to-bigquery",
        "duration_seconds": 42.0,
        "failure": None,
    }


async def test_a_nested_failed_run_is_printed_as_sent_with_why_it_failed() -> None:
    code, text, [element], _ = await status_json({NESTED_ID: NESTED}, NESTED_ID)
    assert code == EXIT_OK
    expected = copy.deepcopy(NESTED)
    expected["triggered_by_token"]["token"] = "[redacted]"  # the secret nothing shows
    assert element["run"] == expected
    assert "super-secret-token-value" not in text
    assert element["nekt_tui"] == {
        "id": NESTED_ID,
        "shape": "nested",
        "status": "failed",
        "terminal": True,
        "name": "orders-sync",
        "duration_seconds": 5.0,
        "failure": "psycopg2.errors.OperationalError: server closed the connection unexpectedly",
    }


async def test_unknown_fields_and_values_are_kept() -> None:
    sent = {
        **FLAT,
        "status": "hibernating",
        "brand_new": {"nested": [1, 2.5, None, True, "x"], "big": 12345678901234567890},
    }
    _, _, [element], _ = await status_json({FLAT_ID: sent}, FLAT_ID)
    assert element["run"] == sent
    assert element["nekt_tui"]["status"] == "hibernating"
    assert element["nekt_tui"]["terminal"] is False


async def test_a_run_that_cannot_be_fetched_is_an_error_element_in_its_place() -> None:
    code, _, elements, err = await status_json({FLAT_ID: FLAT}, MISSING, FLAT_ID)
    assert code == EXIT_API
    missing, flat = elements
    assert missing["run"] is None
    assert missing["nekt_tui"]["id"] == MISSING
    assert "not found" in missing["nekt_tui"]["error"]
    assert flat["run"] == FLAT
    assert MISSING in err  # and said on stderr as before


async def test_the_key_echoed_by_the_server_is_redacted() -> None:
    sent = {
        **FLAT,
        "source": f"echo {KEY}",
        "el_cost_metadata": {"note": f"key={KEY}", KEY: "as a key", "list": [KEY]},
    }
    code, text, [element], _ = await status_json({FLAT_ID: sent}, FLAT_ID)
    assert code == EXIT_OK
    assert KEY not in text and KEY[:12] not in text
    assert element["run"]["source"] == "echo [redacted]"
    assert element["run"]["el_cost_metadata"] == {
        "note": "key=[redacted]",
        "[redacted]": "as a key",
        "list": ["[redacted]"],
    }
    assert element["nekt_tui"]["name"] == "echo [redacted]"


async def test_control_characters_are_escaped_never_raw() -> None:
    sent = {**FLAT, "source": "evil\x1b]0;pwned\x07\x9b31m\u202e", "x\x1bc": "\x1b[2J"}
    _, text, [element], _ = await status_json({FLAT_ID: sent}, FLAT_ID)
    assert element["run"] == sent  # as sent, once parsed
    assert "\\u001b]0;pwned\\u0007" in text and "\\u009b" in text and "\\u202e" in text
    assert re.search(r"[^\x20-\x7e\n]", text) is None  # nothing but printable ASCII


async def test_the_size_cap_and_the_run_id_check_hold_for_the_json_too() -> None:
    """`get_run_with_json` asks as `get_run` does: an answer over the cap is not read,
    an answer for another run is refused."""
    from nekt_tui.api.errors import AnswerTooLargeError, BadResponseError

    body = json.dumps({**FLAT, "el_cost_metadata": {"pad": "x" * 5000}}).encode()
    other = json.dumps({**FLAT, "id": NESTED_ID}).encode()

    async def answer(writer: asyncio.StreamWriter, request: bytes) -> None:
        data = other if FLAT_ID.encode() not in request else body
        head_ = head(content_type="application/json", content_length=str(len(data)))
        writer.write(head_ + data)
        await writer.drain()

    async with serve_requests(answer) as server:
        async with NektClient(KEY, server.url, max_retries=1, max_response_bytes=1000) as client:
            with pytest.raises(AnswerTooLargeError):
                await client.get_run_with_json(FLAT_ID)
        async with NektClient(KEY, server.url, max_retries=1) as client:
            run, sent = await client.get_run_with_json(FLAT_ID)
            assert run.id == FLAT_ID and sent["el_cost_usd"] == 123
            with pytest.raises(BadResponseError, match=NESTED_ID):
                await client.get_run_with_json(MISSING)


async def test_a_number_json_cannot_print_is_printed_as_a_string() -> None:
    """`1e999` parses to infinity, which JSON has no word for: the output stays valid."""

    async def answer(writer: asyncio.StreamWriter, request: bytes) -> None:
        data = json.dumps(FLAT)[:-1].encode() + b', "huge": 1e999}'
        writer.write(head(content_type="application/json", content_length=str(len(data))) + data)
        await writer.drain()

    out = io.StringIO()
    args = argparse.Namespace(run_ids=[FLAT_ID], json=True)
    async with (
        serve_requests(answer) as server,
        NektClient(KEY, server.url, max_retries=1) as client,
    ):
        code = await run_status(args, client, out, err=io.StringIO())
    assert code == EXIT_OK
    [element] = json.loads(out.getvalue(), parse_constant=lambda name: pytest.fail(name))
    assert element["run"]["huge"] == "inf" and element["run"]["el_cost_usd"] == 123
