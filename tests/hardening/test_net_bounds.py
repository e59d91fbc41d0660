"""Bounded bytes and time per answer, against real servers on loopback (issue 13.1, 13.2).

Each hostile server here would, before the cap and the deadline, grow the client's memory
without end or hold a request (and a poll slot) for ever.
"""

from __future__ import annotations

import asyncio
import json
import time
import tracemalloc
from typing import Any

import httpx
import pytest

from nekt_tui.api.client import NektClient
from nekt_tui.api.errors import (
    AnswerTooLargeError,
    ApiUnreachableError,
    ServerError,
    SlowAnswerError,
)
from tests.api.loopback import endless, head, serve

RID = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
KEY = "sk-live-bounds-0123456789abcdef"
RUN = json.dumps({"id": RID, "status": "running"}).encode()


async def no_sleep(_seconds: float) -> None:
    """Retries without waiting."""


def client(url: str, **options: Any) -> NektClient:
    return NektClient(KEY, url, sleep=no_sleep, **options)


# ---- the size cap -------------------------------------------------------------------------

ENDLESS = {
    "string": (b'{"id": "' + RID.encode() + b'", "log": {"parsed_log": "', b"x" * 65536),
    "brackets": (b"", b"[" * 65536),
    "whitespace": (b'{"id": ', b" " * 65536),
    "escapes": (b'{"id": "', b"\\u00e9" * 10000),
}


@pytest.mark.parametrize("cap", [256 * 1024, 2 << 20], ids=["small-body", "streamed"])
@pytest.mark.parametrize("kind", list(ENDLESS))
async def test_an_endless_answer_is_cut_at_the_cap_and_memory_stays_bounded(
    kind: str, cap: int
) -> None:
    start, chunk = ENDLESS[kind]

    async def answer(writer: asyncio.StreamWriter) -> None:
        writer.write(head(content_type="application/json", transfer_encoding="chunked"))
        first = b"%x\r\n%s\r\n" % (len(start), start) if start else b""
        writer.write(first)
        await endless(writer, b"%x\r\n%s\r\n" % (len(chunk), chunk))

    async with serve(answer) as server, client(server.url, max_response_bytes=cap) as api:
        tracemalloc.start()
        began = time.monotonic()
        try:
            with pytest.raises(AnswerTooLargeError) as err:
                await api.get_run(RID)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert time.monotonic() - began < 5
    assert len(server.requests) == 1  # never retried
    assert "answer too large" in str(err.value) and "not read" in str(err.value)
    # What was read is held about once (the small-body buffer or the streamed skeleton),
    # and the endless rest is never read.
    assert peak < 4 * cap + (1 << 20), peak


async def test_a_huge_content_length_is_refused_before_reading() -> None:
    async def answer(writer: asyncio.StreamWriter) -> None:
        writer.write(head(content_type="application/json", content_length="5000000000"))
        await endless(writer, b" " * 65536)

    async with serve(answer) as server, client(server.url) as api:
        tracemalloc.start()
        try:
            with pytest.raises(AnswerTooLargeError, match=r"over 256 MB"):
                await api.get_run(RID)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert peak < 4 << 20 and len(server.requests) == 1


async def test_the_cap_is_for_the_body_as_sent_and_a_body_under_it_is_read() -> None:
    body = json.dumps({"id": RID, "status": "running", "pad": "x" * 300_000}).encode()

    async def answer(writer: asyncio.StreamWriter) -> None:
        writer.write(head(content_type="application/json", content_length=str(len(body))) + body)
        await writer.drain()

    async with serve(answer) as server, client(server.url, max_response_bytes=len(body)) as api:
        assert (await api.get_run(RID)).id == RID
    async with serve(answer) as server, client(server.url, max_response_bytes=len(body) - 1) as api:
        with pytest.raises(AnswerTooLargeError):
            await api.get_run(RID)


async def test_an_endless_error_page_is_read_only_in_part_and_still_a_server_error() -> None:
    async def answer(writer: asyncio.StreamWriter) -> None:
        writer.write(head("503 Service Unavailable", content_type="text/html"))
        await endless(writer, b"<p>busy</p>" * 4096)

    async with serve(answer) as server, client(server.url, max_retries=2) as api:
        began = time.monotonic()
        with pytest.raises(ServerError, match="HTTP 503"):
            await api.get_run(RID)
    assert time.monotonic() - began < 5 and len(server.requests) == 2


# ---- the deadline -------------------------------------------------------------------------


def cancelling(task: asyncio.Task[Any] | None) -> int:
    """How many cancellations the task has pending (Python 3.10 counts none)."""
    return int(getattr(task, "cancelling", lambda: 0)())


async def test_an_answer_that_drips_ends_at_the_deadline_and_is_not_retried() -> None:
    async def answer(writer: asyncio.StreamWriter) -> None:
        writer.write(head(content_type="application/json", content_length="100000"))
        while True:  # a byte every 50 ms: httpx's per-read timeout never fires
            writer.write(b" ")
            await writer.drain()
            await asyncio.sleep(0.05)

    async with serve(answer) as server, client(server.url, deadline=0.3) as api:
        began = time.monotonic()
        with pytest.raises(SlowAnswerError) as err:
            await api.get_run(RID)
        took = time.monotonic() - began
        # The deadline's cancel was taken back: the caller's task is not left cancelling.
        assert cancelling(asyncio.current_task()) == 0
    assert 0.25 < took < 1.5, took
    assert len(server.requests) == 1
    assert err.value.host == server.url.removeprefix("http://") and err.value.waited >= 0.25
    assert err.value.short == "slow"


async def test_headers_that_drip_end_at_the_deadline() -> None:
    async def answer(writer: asyncio.StreamWriter) -> None:
        for byte in head(content_type="application/json", content_length="2") * 100:
            writer.write(bytes([byte]))
            await writer.drain()
            await asyncio.sleep(0.05)

    async with serve(answer) as server, client(server.url, deadline=0.3) as api:
        began = time.monotonic()
        with pytest.raises(SlowAnswerError):
            await api.get_run(RID)
    assert time.monotonic() - began < 1.5 and len(server.requests) == 1


async def test_a_big_answer_arriving_steadily_may_take_longer_than_the_base_deadline() -> None:
    body = json.dumps({"id": RID, "status": "running", "pad": "x" * (2 << 20)}).encode()
    step = 64 * 1024

    async def answer(writer: asyncio.StreamWriter) -> None:
        writer.write(head(content_type="application/json", content_length=str(len(body))))
        for start in range(0, len(body), step):  # ~3 MB/s: 0.7 s in all
            writer.write(body[start : start + step])
            await writer.drain()
            await asyncio.sleep(0.02)

    options = {"deadline": 0.3, "min_rate": 256 * 1024}
    async with serve(answer) as server, client(server.url, **options) as api:
        began = time.monotonic()
        run = await api.get_run(RID)
    assert run.id == RID and time.monotonic() - began > 0.3


async def test_a_read_timeout_is_slow_not_unreachable_and_not_retried() -> None:
    async def answer(writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(10)  # took the request, says nothing

    async with serve(answer) as server, client(server.url, timeout=httpx.Timeout(0.2)) as api:
        with pytest.raises(SlowAnswerError) as err:
            await api.get_run(RID)
    assert len(server.requests) == 1 and err.value.waited >= 0.15


async def test_a_patient_request_waits_longer_for_a_slow_run() -> None:
    async def answer(writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(0.5)
        writer.write(head(content_type="application/json", content_length=str(len(RUN))) + RUN)
        await writer.drain()

    options: dict[str, Any] = {"timeout": httpx.Timeout(0.2), "patient_timeout": 3.0}
    async with serve(answer) as server, client(server.url, **options) as api:
        with pytest.raises(SlowAnswerError):
            await api.get_run(RID)
        run = await api.get_run(RID, patient=True)
    assert run.id == RID


async def test_a_refused_connection_is_still_unreachable_and_retried() -> None:
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    async with NektClient(KEY, f"http://127.0.0.1:{port}", sleep=sleep, max_retries=3) as api:
        with pytest.raises(ApiUnreachableError, match="connection failed"):
            await api.get_run(RID)
    assert len(slept) == 2


async def test_list_runs_has_the_same_cap_and_deadline() -> None:
    async def drip(writer: asyncio.StreamWriter) -> None:
        writer.write(head(content_type="application/json", content_length="100000"))
        while True:
            writer.write(b" ")
            await writer.drain()
            await asyncio.sleep(0.05)

    async def flood(writer: asyncio.StreamWriter) -> None:
        writer.write(head(content_type="application/json", transfer_encoding="chunked"))
        await endless(writer, b"10000\r\n" + b"[" * 0x10000 + b"\r\n")

    async with serve(drip) as server, client(server.url, deadline=0.3) as api:
        with pytest.raises(SlowAnswerError):
            await api.list_runs()
    async with serve(flood) as server, client(server.url, max_response_bytes=1 << 20) as api:
        with pytest.raises(AnswerTooLargeError):
            await api.list_runs()


async def test_a_poll_cancelled_by_its_caller_is_cancelled_not_slow() -> None:
    async def answer(writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(10)

    async with serve(answer) as server, client(server.url, deadline=0.2) as api:
        task = asyncio.create_task(api.get_run(RID))
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        # The deadline of the cancelled request never fires into anything else.
        await asyncio.sleep(0.3)
        assert cancelling(asyncio.current_task()) == 0
