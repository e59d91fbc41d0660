"""The fast path that takes the key out of every string of a run (issue 13.5)."""

from __future__ import annotations

import base64
import json
import random
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nekt_tui.api.client as client_module
from nekt_tui.api.client import NektClient
from nekt_tui.api.models import Run, RunPage, UnknownValue
from nekt_tui.api.reading import LARGE_BODY
from nekt_tui.api.redact import REDACTED, Redactor
from nekt_tui.api.scrub import scrub_model

KEY = "sk/live+H6=9f2c~4e7a1b3d5f60&a8c2"
RID = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
SEED = json.loads((Path(__file__).parent.parent / "fixtures" / "seed_run.json").read_text())


@pytest.mark.parametrize(
    "form",
    [
        KEY,
        quote(KEY, safe=""),
        quote_plus(KEY),
        base64.b64encode(KEY.encode()).decode(),
        base64.urlsafe_b64encode(KEY.encode()).decode().rstrip("="),
        base64.b64encode(b"Basic u:" + KEY.encode()).decode(),
        KEY[:14],  # a key cut short
        KEY[-14:],  # its tail
        "nk_live_AbCdEf123456",
    ],
)
def test_scrub_redacts_what_redact_does_line_by_line(form: str) -> None:
    text = f"line one\nsent {form} twice: {form}\nline three\n{form}"
    redactor = Redactor(KEY)
    assert redactor.suspect(text)
    assert redactor.scrub(text) == redactor.redact(text)
    assert form not in redactor.scrub(text)


PIECES = st.sampled_from(
    [
        KEY,
        quote(KEY, safe=""),
        base64.b64encode(KEY.encode()).decode(),
        KEY[:12],
        KEY[-13:],
        "nk_live_AbCdEf123456",
        "nk_test_",
        "bank_account_12345678",
        "\n",
        " ",
        "x",
        "9",
        "row 42 ok",
        "é",
    ]
)


@given(st.lists(PIECES, max_size=12))
def test_scrub_agrees_with_redact_on_anything_made_of_keys_tokens_and_words(
    pieces: list[str],
) -> None:
    text = "".join(pieces)
    redactor = Redactor(KEY)
    assert redactor.scrub(text) == redactor.redact(text)


def test_scrub_of_clean_text_is_the_same_object() -> None:
    redactor = Redactor(KEY)
    text = "".join(f"line {i}: chunk of 120 rows, sk/live+ ok\n" for i in range(50_000))
    assert not redactor.suspect(text)
    assert redactor.scrub(text) is text


def run_with(**changes: Any) -> Run:
    data: dict[str, Any] = json.loads(json.dumps(SEED))
    data.update(changes)
    return Run.model_validate(data)


def test_a_clean_run_is_returned_as_the_same_object() -> None:
    run = run_with()
    assert scrub_model(run, Redactor(KEY)) is run


def test_only_what_holds_the_key_is_rebuilt_and_unknown_values_stay_unknown() -> None:
    run = run_with(status=f"odd {KEY}", source=KEY)
    clean = scrub_model(run, Redactor(KEY))
    assert isinstance(clean.status, UnknownValue) and clean.status == f"odd {REDACTED}"
    assert clean.source == REDACTED
    assert clean.log is run.log and clean.pipeline is run.pipeline  # untouched parts shared


def test_every_run_of_a_page_is_scrubbed() -> None:
    page = RunPage.model_validate(
        {"count": 2, "results": [SEED, {**SEED, "destination": f"to {KEY}"}]}
    )
    clean = scrub_model(page, Redactor(KEY))
    assert clean.results[0] is page.results[0]
    assert clean.results[1].destination == f"to {REDACTED}"


@pytest.mark.parametrize("size", [100, 2 * LARGE_BODY], ids=["small", "streamed"])
async def test_a_clean_log_is_returned_as_the_very_string_parsed(
    size: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed: list[Any] = []
    real_parse = client_module.parse

    def spy(*args: Any) -> Any:
        parsed.append(real_parse(*args))
        return parsed[-1]

    monkeypatch.setattr(client_module, "parse", spy)
    log = "".join(f"line {i}: 120 rows\n" for i in range(size // 18 + 1))
    body = json.dumps({**SEED, "log": {"parsed_log": log}}).encode()

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"content-type": "application/json"})

    transport = httpx.MockTransport(handler)
    async with NektClient(KEY, "https://api.example.test", transport=transport) as client:
        run = await client.get_run(RID)
    assert run is parsed[0]
    assert run.parsed_log == log and run.parsed_log is parsed[0].parsed_log


def test_redacting_a_run_is_cheap() -> None:
    """Not a benchmark: a guard that the fast path stays a few scans, not a regex pass."""
    import time

    rng = random.Random(1)
    log = "".join(f"row {rng.random()} chunk_size ok\n" for _ in range(60_000))  # ~2 MB
    run = run_with(log={"parsed_log": log})
    redactor = Redactor(KEY)
    fast = float("inf")
    for _ in range(3):  # the best of three: a pause elsewhere is not the fast path's cost
        start = time.perf_counter()
        scrub_model(run, redactor)
        fast = min(fast, time.perf_counter() - start)
    start = time.perf_counter()
    redactor.redact(log)
    full = time.perf_counter() - start
    assert fast < full / 5
