"""The client against httpx.MockTransport: slow answers, odd bodies, odd keys, the wrong
run, Retry-After bounds and the request log (issues 12 and 13)."""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from nekt_tui.api.client import MAX_RETRY_AFTER, NektClient, parse_retry_after
from nekt_tui.api.errors import (
    AuthenticationError,
    BadResponseError,
    NektError,
    RateLimitedError,
    SlowAnswerError,
)
from nekt_tui.api.reading import LARGE_BODY
from nekt_tui.clock import FakeClock

KEY = "sk-live-ANSWERS-5b7d9f1e3a"
RID = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
OTHER = "0d1f0a2e-5b6c-4d7e-8f90-a1b2c3d4e5f6"

Handler = Callable[[httpx.Request], httpx.Response]


async def no_sleep(_seconds: float) -> None:
    """Retries without waiting."""


def make(handler: Handler, key: str = KEY, **options: Any) -> NektClient:
    return NektClient(
        key,
        "https://api.example.test",
        transport=httpx.MockTransport(handler),
        sleep=no_sleep,
        rng=random.Random(1),
        **options,
    )


def chunked(body: bytes, size: int = 64 * 1024) -> httpx.Response:
    async def chunks() -> Any:
        for start in range(0, len(body), size):
            yield body[start : start + size]

    return httpx.Response(200, content=chunks(), headers={"content-type": "application/json"})


# ---- slow answers --------------------------------------------------------------------------


@pytest.mark.parametrize("exc", [httpx.ReadTimeout("slow"), httpx.PoolTimeout("busy")])
async def test_a_read_timeout_is_a_slow_answer_never_retried(exc: Exception) -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        raise exc

    async with make(handler) as client:
        with pytest.raises(SlowAnswerError) as err:
            await client.get_run(RID)
    assert calls == 1 and err.value.short == "slow"
    assert "api.example.test" in str(err.value) and "\n" not in str(err.value)


async def test_patient_requests_wait_longer_per_read() -> None:
    reads: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        reads.append(request.extensions["timeout"]["read"])
        return httpx.Response(200, json={"id": RID, "status": "running"})

    async with make(handler, patient_timeout=90.0) as client:
        await client.get_run(RID)
        await client.get_run(RID, patient=True)
        await client.get_run(RID)
    assert reads == [10.0, 90.0, 10.0]


# ---- the run asked for ---------------------------------------------------------------------


async def test_an_answer_about_another_run_is_a_bad_response() -> None:
    answer = {"id": OTHER, "status": "success"}
    async with make(lambda r: httpx.Response(200, json=answer)) as client:
        for call in (client.get_run, client.cancel_run):
            with pytest.raises(BadResponseError) as err:
                await call(RID)
            assert f"the API answered run {OTHER} for run {RID}" in str(err.value)


async def test_the_run_id_is_compared_whatever_its_case() -> None:
    answer = {"id": RID.upper(), "status": "success"}
    async with make(lambda r: httpx.Response(200, json=answer)) as client:
        assert (await client.get_run(RID)).id == RID.upper()
        assert (await client.cancel_run(RID.upper())).id == RID.upper()


async def test_a_hostile_id_in_the_answer_is_shown_safely() -> None:
    answer = {"id": "\x1b]0;pwned\x07" + "x" * 500 + KEY, "status": "success"}
    async with make(lambda r: httpx.Response(200, json=answer)) as client:
        with pytest.raises(BadResponseError) as err:
            await client.get_run(RID)
    text = str(err.value)
    assert "\x1b" not in text and KEY not in text and len(text) < 200


# ---- valid JSON is valid, whatever its size ------------------------------------------------


@pytest.mark.parametrize("size", [0, LARGE_BODY + 10])
async def test_a_lone_surrogate_is_valid_json_in_small_and_large_bodies(size: int) -> None:
    body = json.dumps({"id": RID, "status": "running", "pad": "p" * size, "x": "\ud800"})
    assert "\\ud800" in body
    async with make(lambda r: chunked(body.encode())) as client:
        run = await client.get_run(RID)
    assert run.id == RID


@pytest.mark.parametrize("valid", [True, False])
@pytest.mark.parametrize("size", [100_000, 1_000_000, 3_000_000])
async def test_json_nested_too_deeply_is_one_line_never_a_recursion_error(
    size: int, valid: bool
) -> None:
    body = b"[" * size + (b"]" * size if valid else b"")
    for answer in (body, b'{"id": "' + RID.encode() + b'", "status": "running", "x": ' + body):
        async with make(lambda r, answer=answer: chunked(answer)) as client:
            with pytest.raises(BadResponseError) as err:
                await client.get_run(RID)
        text = str(err.value)
        assert "\n" not in text
        # Unclosed, it may be found too deep or not JSON first: either is one clear line.
        assert "nested too deeply" in text or (not valid and "not valid JSON" in text), text


async def test_json_nested_200_deep_is_valid_in_small_bodies_as_in_large_ones() -> None:
    body = json.dumps({"id": RID, "status": "running", "extra": json.loads("[" * 250 + "]" * 250)})
    async with make(lambda r: chunked(body.encode())) as client:
        assert (await client.get_run(RID)).id == RID


async def test_a_body_in_utf16_is_not_json_in_small_bodies_as_in_large_ones() -> None:
    body = json.dumps({"id": RID, "status": "running"}).encode("utf-16")
    async with make(lambda r: chunked(body)) as client:
        with pytest.raises(BadResponseError, match="not valid JSON"):
            await client.get_run(RID)


# ---- keys that cannot be sent, and the unexpected -----------------------------------------


@pytest.mark.parametrize("key", ["clé-secrète-123", "sk live 123456", "sk-live-123456\n", "\tsk"])
async def test_a_key_that_cannot_be_sent_is_one_line_and_nothing_is_sent(key: str) -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"id": RID, "status": "running"})

    async with make(handler, key=key) as client:  # constructing it never raises
        with pytest.raises(AuthenticationError) as err:
            await client.get_run(RID)
    text = str(err.value)
    assert "cannot be sent in an HTTP header" in text and "NEKT_API_KEY" in text
    assert "\n" not in text and key.strip() not in text and sent == []


async def test_any_other_exception_becomes_a_nekt_error_naming_only_its_type() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise ZeroDivisionError(f"server said {KEY}")

    async with make(handler) as client:
        with pytest.raises(NektError) as err:
            await client.get_run(RID)
    assert "ZeroDivisionError" in str(err.value) and KEY not in str(err.value)
    assert err.value.__cause__ is None and err.value.__suppress_context__


# ---- Retry-After ---------------------------------------------------------------------------

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("999999999999", MAX_RETRY_AFTER),
        ("9" * 5000, MAX_RETRY_AFTER),
        ("Fri, 31 Dec 9999 23:59:59 GMT", MAX_RETRY_AFTER),
        ("601", MAX_RETRY_AFTER),
        ("600", 600.0),
        ("30", 30.0),
        ("Mon, 01 Jan 0001 00:00:00 +0100", 0.0),
        ("-5", None),
        ("²", None),
        ("soon", None),
        ("", None),
        ("Fri, 31 Dec 99999 23:59:59 GMT", None),
    ],
)
def test_retry_after_is_clamped_and_never_overflows(header: str, seconds: float | None) -> None:
    assert MAX_RETRY_AFTER == 600.0
    assert parse_retry_after(header, NOW) == seconds


@pytest.mark.parametrize("header", ["999999999999", "Fri, 31 Dec 9999 23:59:59 GMT"])
async def test_a_far_future_retry_after_pauses_ten_minutes_and_a_refresh_may_try_once(
    header: str,
) -> None:
    clock = FakeClock(NOW)
    answers = iter(
        [
            httpx.Response(429, headers={"Retry-After": header}),
            httpx.Response(200, json={"id": RID, "status": "running"}),
        ]
    )
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return next(answers)

    async with make(handler, now=clock.now) as client:
        with pytest.raises(RateLimitedError) as err:
            await client.get_run(RID)
        assert err.value.until is not None
        assert err.value.until - clock.now() == timedelta(seconds=MAX_RETRY_AFTER)
        with pytest.raises(RateLimitedError):  # inside the window: nothing is sent
            await client.get_run(RID)
        assert len(sent) == 1
        client.clear_rate_limit()  # the user pressed R
        assert (await client.get_run(RID)).id == RID
    assert len(sent) == 2


# ---- the request log -----------------------------------------------------------------------


async def test_each_request_is_logged_with_status_size_and_time_never_the_key(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="nekt_tui.api.client")
    answers = iter(
        [
            httpx.Response(200, json={"id": RID, "status": "running"}),
            httpx.Response(401, json={"detail": f"bad key {KEY}"}),
        ]
    )
    async with make(lambda r: next(answers)) as client:
        await client.get_run(RID)
        with pytest.raises(AuthenticationError):
            await client.get_run(RID)
    lines = [r.getMessage() for r in caplog.records if r.name == "nekt_tui.api.client"]
    assert len(lines) == 2, lines
    ok, failed = lines
    assert ok.startswith(f"GET /api/v1/runs/{RID}/ 200 ") and "bytes" in ok and "ms" in ok
    assert " 401 " in failed and "failed: AuthenticationError" in failed
    assert KEY not in caplog.text and "nekt-tui/" not in caplog.text  # no header value
