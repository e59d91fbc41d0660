"""The client itself never sends inside a known Retry-After window: not a new request, not
the retry of one that was already under way when the 429 came (the soak found those)."""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta

import httpx
import pytest

from nekt_tui.api.client import NektClient
from nekt_tui.api.errors import RateLimitedError
from nekt_tui.clock import FakeClock

RUN_A = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
RUN_B = "11111111-2222-4333-8444-555555555555"


def ok(run_id: str) -> httpx.Response:
    return httpx.Response(200, json={"id": run_id, "status": "running"})


def client_for(handler: httpx.MockTransport, clock: FakeClock) -> NektClient:
    return NektClient(
        "k",
        transport=handler,
        sleep=clock.sleep,
        now=clock.now,
        rng=random.Random(1),
        backoff_base=2.0,
    )


async def test_no_request_inside_the_window_then_requests_again() -> None:
    clock = FakeClock()
    sent: list[tuple[float, str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append((clock.monotonic(), request.url.path))
        if len(sent) == 1:
            return httpx.Response(429, headers={"retry-after": "10"})
        return ok(RUN_B)

    async with client_for(httpx.MockTransport(handler), clock) as client:
        with pytest.raises(RateLimitedError) as first:
            await client.get_run(RUN_A)
        assert first.value.retry_after == 10
        await clock.advance(4)
        with pytest.raises(RateLimitedError) as refused:
            await client.get_run(RUN_B)
        assert refused.value.retry_after == pytest.approx(6)
        assert refused.value.until == clock.now() + timedelta(seconds=6)
        assert len(sent) == 1  # refused without sending
        await clock.advance(6)
        assert (await client.get_run(RUN_B)).id == RUN_B
    assert [t for t, _ in sent] == [0.0, 10.0]


async def test_http_date_retry_after_is_read_on_the_injected_clock() -> None:
    clock = FakeClock()
    sent: list[float] = []
    until = clock.now() + timedelta(seconds=30)

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(clock.monotonic())
        if len(sent) == 1:
            value = until.strftime("%a, %d %b %Y %H:%M:%S GMT")
            return httpx.Response(429, headers={"retry-after": value})
        return ok(RUN_A)

    async with client_for(httpx.MockTransport(handler), clock) as client:
        with pytest.raises(RateLimitedError) as err:
            await client.get_run(RUN_A)
        assert err.value.retry_after == 30
        await clock.advance(29)
        with pytest.raises(RateLimitedError):
            await client.get_run(RUN_A)
        await clock.advance(1)
        await client.get_run(RUN_A)
    assert sent == [0.0, 30.0]


async def test_a_retry_under_way_waits_for_a_window_opened_meanwhile() -> None:
    clock = FakeClock()
    sent: list[tuple[float, str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        run_id = request.url.path.rstrip("/").rsplit("/", 1)[-1]
        sent.append((clock.monotonic(), run_id))
        if run_id == RUN_A:
            return httpx.Response(503, json={"detail": "busy"})  # A will retry...
        return httpx.Response(429, headers={"retry-after": "60"})  # ...after B's 429

    async with client_for(httpx.MockTransport(handler), clock) as client:
        a = asyncio.ensure_future(client.get_run(RUN_A))
        await clock.settle()  # A failed once and sleeps before its retry
        with pytest.raises(RateLimitedError):
            await client.get_run(RUN_B)
        await clock.advance(30)  # A's back-off ends inside B's window
        with pytest.raises(RateLimitedError):
            await a
    assert [rid for _, rid in sent] == [RUN_A, RUN_B]  # A's retry was never sent
