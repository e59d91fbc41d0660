"""The client, against httpx.MockTransport: error mapping, retries, secrets."""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from nekt_tui import __version__
from nekt_tui.api.client import NektClient, check_base_url, parse_retry_after
from nekt_tui.api.errors import (
    ApiUnreachableError,
    AuthenticationError,
    BadResponseError,
    ClientError,
    InvalidRunIdError,
    NektError,
    RateLimitedError,
    RunNotFoundError,
    ServerError,
)
from nekt_tui.api.models import RunStatus

KEY = "sk-live-SECRET-7f3a9c"
RID = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
SEED = json.loads((Path(__file__).parent.parent / "fixtures" / "seed_run.json").read_text())

Handler = Callable[[httpx.Request], httpx.Response]


class Sleeps:
    """An injected sleep that records instead of waiting."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def make(handler: Handler, sleeps: Sleeps | None = None, **kw: Any) -> NektClient:
    return NektClient(
        KEY,
        "https://api.example.test",
        transport=httpx.MockTransport(handler),
        sleep=sleeps or Sleeps(),
        rng=random.Random(1),
        **kw,
    )


async def test_get_run_sends_key_and_user_agent_and_parses() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=SEED)

    async with make(handler) as client:
        run = await client.get_run(RID.upper())
    assert run.status is RunStatus.QUEUED
    req = seen[0]
    assert req.url.path == f"/api/v1/runs/{RID}/"
    assert req.headers["x-api-key"] == KEY
    assert f"nekt-tui/{__version__}" in req.headers["user-agent"]


@pytest.mark.parametrize("bad", ["", "42", "not-a-uuid", RID + "0", "../../etc/passwd"])
async def test_invalid_run_id_fails_before_any_request(bad: str) -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(200, json=SEED)

    async with make(handler) as client:
        with pytest.raises(InvalidRunIdError) as err:
            await client.get_run(bad)
    assert isinstance(err.value, ValueError)
    assert repr(bad) in str(err.value)
    assert calls == []


@pytest.mark.parametrize(
    ("status", "body", "error", "words"),
    [
        (
            401,
            {"detail": "Authentication credentials were not provided."},
            AuthenticationError,
            "NEKT_API_KEY",
        ),
        (403, {"detail": "Invalid API key."}, AuthenticationError, "rejected"),
        (404, {"detail": "Not found."}, RunNotFoundError, "not found"),
        (400, {"detail": "Bad request."}, ClientError, "HTTP 400"),
    ],
)
async def test_error_mapping(status: int, body: Any, error: type[NektError], words: str) -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(status, json=body)

    async with make(handler) as client:
        with pytest.raises(error) as err:
            await client.get_run(RID)
    assert words in str(err.value) and "\n" not in str(err.value)
    assert calls == 1  # 4xx is never retried


async def test_429_is_raised_at_once_with_retry_after_seconds() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(429, headers={"Retry-After": "17"}, json={"detail": "Throttled."})

    async with make(handler) as client:
        with pytest.raises(RateLimitedError) as err:
            await client.get_run(RID)
    assert err.value.retry_after == 17 and calls == 1


def test_retry_after_http_date_and_garbage() -> None:
    now = datetime(2026, 1, 15, 12, 0, tzinfo=timezone.utc)
    later = format_datetime(now + timedelta(seconds=90), usegmt=True)
    assert parse_retry_after(later, now) == pytest.approx(90)
    assert parse_retry_after(format_datetime(now - timedelta(seconds=5), usegmt=True), now) == 0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None


async def test_5xx_retried_with_capped_full_jitter_then_raised() -> None:
    calls = 0
    sleeps = Sleeps()

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(503, text="<html><h1>Service Unavailable</h1></html>")

    async with make(handler, sleeps, max_retries=3, backoff_base=1.0, backoff_cap=1.5) as client:
        with pytest.raises(ServerError) as err:
            await client.get_run(RID)
    assert calls == 3 and len(sleeps.calls) == 2
    assert 0 <= sleeps.calls[0] <= 1.0 and 0 <= sleeps.calls[1] <= 1.5
    assert "HTTP 503" in str(err.value) and "<html>" not in str(err.value)


async def test_5xx_then_success_returns_the_run() -> None:
    answers = iter([httpx.Response(502), httpx.Response(200, json=SEED)])

    async with make(lambda r: next(answers)) as client:
        run = await client.get_run(RID)
    assert run.id == RID


@pytest.mark.parametrize(
    "exc",
    [
        httpx.ConnectError("dns failure"),
        httpx.ConnectTimeout("slow"),
        httpx.RemoteProtocolError("reset"),
        httpx.ReadError("connection reset by peer"),
    ],
)
async def test_network_failures_become_unreachable_and_are_retried(exc: Exception) -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        raise exc

    async with make(handler) as client:
        with pytest.raises(ApiUnreachableError) as err:
            await client.get_run(RID)
    assert calls == 3
    assert "api.example.test" in str(err.value)


async def test_cancel_is_a_post_and_never_retried() -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(500)

    async with make(handler) as client:
        with pytest.raises(ServerError):
            await client.cancel_run(RID)
    assert len(calls) == 1 and calls[0].method == "POST"
    assert calls[0].url.path == f"/api/v1/runs/{RID}/cancel/" and json.loads(calls[0].content) == {}


async def test_cancel_returns_the_run() -> None:
    flat = {"id": RID, "status": "cancelling", "number": 3}
    async with make(lambda r: httpx.Response(200, json=flat)) as client:
        run = await client.cancel_run(RID)
    assert run.status is RunStatus.CANCELLING and run.number == 3


async def test_list_runs_pagination() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200, json={"count": 1, "next": None, "previous": None, "results": [SEED]}
        )

    async with make(handler) as client:
        page = await client.list_runs(page=2, page_size=25)
    assert page.count == 1 and page.results[0].id == RID
    assert seen[0].url.params["page"] == "2" and seen[0].url.params["page_size"] == "25"


@pytest.mark.parametrize(
    ("response", "words"),
    [
        (
            httpx.Response(
                200, text="<html>proxy login</html>", headers={"content-type": "text/html"}
            ),
            "not valid JSON",
        ),
        (
            httpx.Response(
                200, text='{"id": "3c90c3cc-0d44', headers={"content-type": "application/json"}
            ),
            "not valid JSON",
        ),
        (
            httpx.Response(200, json={"id": RID, "status": "running", "number": "many"}),
            "field 'number'",
        ),
        (httpx.Response(200, json=[1, 2, 3]), "bad response"),
    ],
)
async def test_bad_bodies_name_the_problem_never_the_body(
    response: httpx.Response, words: str
) -> None:
    async with make(lambda r: response) as client:
        with pytest.raises(BadResponseError) as err:
            await client.get_run(RID)
    text = str(err.value)
    assert words in text and "proxy login" not in text and "many" not in text


async def test_server_detail_is_sanitised() -> None:
    body = {"detail": "boom\x1b]0;pwned\x07\x1b[2J now"}
    async with make(lambda r: httpx.Response(500, json=body), max_retries=1) as client:
        with pytest.raises(ServerError) as err:
            await client.get_run(RID)
    assert "\x1b" not in str(err.value) and "boom now" in str(err.value)


async def test_key_never_in_repr_errors_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    responses = iter(
        [
            httpx.Response(500, json={"detail": "x"}),
            httpx.Response(401, json={"detail": "no"}),
        ]
    )

    def handler(request: httpx.Request) -> httpx.Response:
        return next(responses)

    async with make(handler) as client:
        assert KEY not in repr(client)
        with pytest.raises(AuthenticationError) as err:
            await client.get_run(RID)
    assert KEY not in str(err.value) and KEY not in repr(err.value)
    assert KEY not in caplog.text
    assert caplog.records  # the retry was logged, without the key


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://api.nekt.ai", True),
        ("http://127.0.0.1:8765/", True),
        ("http://localhost:9000", True),
        ("http://api.nekt.ai", False),
        ("ftp://api.nekt.ai", False),
        ("api.nekt.ai", False),
    ],
)
def test_plain_http_only_on_loopback(url: str, ok: bool) -> None:
    if ok:
        assert not check_base_url(url).endswith("/")
    else:
        with pytest.raises(ValueError, match=r"https|http"):
            check_base_url(url)


async def test_base_url_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEKT_API_URL", "http://127.0.0.1:8765/")
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=SEED)

    async with NektClient(KEY, transport=httpx.MockTransport(handler)) as client:
        await client.get_run(RID)
    assert str(seen[0].url).startswith("http://127.0.0.1:8765/api/v1/runs/")
    monkeypatch.delenv("NEKT_API_URL")
    async with NektClient(KEY, transport=httpx.MockTransport(handler)) as client:
        assert client.base_url == "https://api.nekt.ai"


async def test_each_poll_of_a_run_sends_the_key_to_that_runs_url() -> None:
    other = "0d1f0a2e-5b6c-4d7e-8f90-a1b2c3d4e5f6"
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        rid = request.url.path.split("/")[-2]
        return httpx.Response(200, json={**SEED, "id": rid})

    async with make(handler) as client:
        runs = [await client.get_run(rid) for rid in (RID, other, RID.upper(), RID)]
    assert [r.id for r in runs] == [RID, other, RID, RID]
    assert [r.url.path for r in seen] == [f"/api/v1/runs/{rid}/" for rid in (RID, other, RID, RID)]
    assert all(r.headers["x-api-key"] == KEY and r.method == "GET" for r in seen)


def _chunked(body: bytes, size: int = 64 * 1024) -> httpx.Response:
    async def chunks() -> Any:
        for start in range(0, len(body), size):
            yield body[start : start + size]

    return httpx.Response(200, content=chunks(), headers={"content-type": "application/json"})


async def test_a_huge_log_arrives_whole_and_is_never_held_three_times() -> None:
    import tracemalloc

    from nekt_tui.api.client import LARGE_BODY

    log_text = "".join(f'line {i} of a long log, with "quotes" and é\n' for i in range(120_000))
    body = json.dumps({**SEED, "log": {**SEED["log"], "parsed_log": log_text}}).encode()
    assert len(body) > 4 * LARGE_BODY
    async with make(lambda r: _chunked(body)) as client:
        await client.get_run(RID)  # warm up: build the model, the pool, the caches
        tracemalloc.start()
        try:
            run = await client.get_run(RID)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert run.parsed_log == log_text
    # The final log string is about one body; reading and parsing may add one more, not
    # the two more (chunk list + joined bytes, or bytes + decoded text + log) of before.
    assert peak < 2.5 * len(body), peak / len(body)


@pytest.mark.parametrize("small", [True, False])
async def test_bodies_big_and_small_that_are_not_json_are_named_so(small: bool) -> None:
    from nekt_tui.api.client import LARGE_BODY

    size = 100 if small else LARGE_BODY + 10
    for junk in (b"<html>" + b"x" * size, b'{"id": "' + b"\xff" * size + b'"}'):
        async with make(lambda r, junk=junk: _chunked(junk)) as client:
            with pytest.raises(BadResponseError, match="not valid JSON") as err:
                await client.get_run(RID)
        assert "xxx" not in str(err.value)


async def test_a_proxy_from_the_environment_is_still_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import asyncio

    heard: list[bytes] = []

    async def proxy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        heard.append(await reader.readuntil(b"\r\n\r\n"))
        writer.write(b"HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(proxy, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{port}")
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    try:
        async with NektClient(KEY, max_retries=1) as client:
            with pytest.raises(ApiUnreachableError):
                await client.get_run(RID)
    finally:
        server.close()
        await server.wait_closed()
    assert heard and heard[0].startswith(b"CONNECT api.nekt.ai:443 ")
    assert KEY.encode() not in heard[0]  # the key goes only inside the TLS tunnel
