"""The key never comes back inside a run (issue 13.5): every string of a run the client
returns has the key, its encodings and token-looking values `[redacted]`, against a real
server on loopback, for a small answer and for one streamed past 1 MiB."""

from __future__ import annotations

import asyncio
import base64
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from nekt_tui.api.client import NektClient
from nekt_tui.api.reading import LARGE_BODY
from nekt_tui.api.redact import REDACTED
from tests.api.loopback import head, serve

RID = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
# A key whose URL-encoding and base64 share nothing with it.
KEY = "sk/live+Echo=7f3a9c2b~d41e"
URL_KEY = quote(KEY, safe="")
B64_KEY = base64.b64encode(KEY.encode()).decode()
TOKEN = "nk_live_AbCdEf0123456789"  # someone's token: redacted whoever's it is
FORMS = (KEY, URL_KEY, B64_KEY, B64_KEY.rstrip("="), TOKEN)
SEED = json.loads((Path(__file__).parent.parent / "fixtures" / "seed_run.json").read_text())


def echoing_run(log_size: int) -> dict[str, Any]:
    """A run whose every kind of string echoes the key in some form."""
    run: dict[str, Any] = json.loads(json.dumps(SEED))
    filler = "".join(f"line {i}: extracted 120 rows\n" for i in range(log_size // 28 + 1))
    run["status"] = f"odd-{KEY}"  # an unknown status is shown as sent
    run["log"]["parsed_log"] = (
        f"starting with key {KEY}\n{filler}auth header x-api-key%3A{URL_KEY}\n"
        f"basic {B64_KEY}\nretrying with {TOKEN}.\nend"
    )
    run["pipeline"]["slug"] = f"pipe-{URL_KEY}"
    run["pipeline"]["description"] = f"Loads with {KEY} every hour"
    run["pipeline"]["triggers"][0]["cron_expression"] = f"0 * * * * {TOKEN}"
    run["pipeline"]["triggers"][0]["events"] = [KEY]
    run["triggered_by"]["email"] = f"{B64_KEY.rstrip('=')}@example.com"
    run["triggered_by"]["first_name"] = TOKEN
    run["triggered_by_token"]["description"] = f"CI token {KEY}"
    run["extra_config"] = {KEY: [f"x {TOKEN}"]}
    return run


def every_string(run: object) -> str:
    """All the text a run holds, as it could be shown, logged or saved."""
    assert hasattr(run, "model_dump")
    return json.dumps(run.model_dump(mode="json")) + repr(run)


@pytest.mark.parametrize("log_size", [200, 2 * LARGE_BODY], ids=["small", "over-1MiB"])
async def test_a_run_echoing_the_key_comes_back_with_it_redacted(log_size: int) -> None:
    body = json.dumps(echoing_run(log_size)).encode()
    assert (len(body) >= LARGE_BODY) == (log_size > LARGE_BODY)

    async def answer(writer: asyncio.StreamWriter) -> None:
        writer.write(head(content_type="application/json", content_length=str(len(body))))
        writer.write(body)
        await writer.drain()

    async with serve(answer) as served, NektClient(KEY, served.url) as client:
        run = await client.get_run(RID)
    text = every_string(run)
    assert [form for form in FORMS if form in text] == []
    assert run.parsed_log is not None
    assert run.parsed_log.startswith(f"starting with key {REDACTED}\nline 0:")
    assert run.parsed_log.endswith(f"basic {REDACTED}\nretrying with {REDACTED}.\nend")
    assert run.pipeline is not None and run.pipeline.slug == f"pipe-{REDACTED}"
    assert run.triggered_by is not None and not isinstance(run.triggered_by, int)
    assert run.triggered_by.email == f"{REDACTED}@example.com"
    assert str(run.status) == f"odd-{REDACTED}"
    assert run.token_description == f"CI token {REDACTED}"
    assert run.extra_config == {REDACTED: [f"x {REDACTED}"]}
    assert len(run.parsed_log) > log_size  # the log itself is all there
