"""Compressed answers from a real loopback server: what the client asks for, what it reads,
what it counts, and what it refuses (issue 18: cheap things first)."""

from __future__ import annotations

import asyncio
import gzip
import json
import time
import zlib

import pytest

from nekt_tui.api.client import NektClient
from nekt_tui.api.encoding import PIECE, Inflater
from nekt_tui.api.errors import AnswerTooLargeError, BadResponseError
from tests.api.loopback import head, serve_requests

KEY = "sk-live-ENCODING-0a1b2c3d"
RID = "3c90c3cc-0d44-4b50-8888-8dd25736052a"


async def no_sleep(_seconds: float) -> None:
    """No waiting between retries."""


def run_body(status: str = "running", lines: int = 10) -> bytes:
    log = "\n".join(
        f"2026-01-01 00:00:{i % 60:02d} INFO tap: synced {i} rows" for i in range(lines)
    )
    data = {"id": RID, "status": status, "pipeline": {"slug": "p"}, "log": {"parsed_log": log}}
    return json.dumps(data).encode()


def replying(*bodies: tuple[bytes, dict[str, str]]):  # type: ignore[no-untyped-def]
    """A server answering each request with the next (body, extra headers), the last again."""
    queue = list(bodies)

    async def answer(writer: asyncio.StreamWriter, _request: bytes) -> None:
        body, extra = queue.pop(0) if len(queue) > 1 else queue[0]
        headers = {"content_type": "application/json", "content_length": str(len(body))}
        writer.write(head(**headers, **extra) + body)
        await writer.drain()

    return serve_requests(answer)


async def test_asks_for_gzip_reads_it_and_counts_the_bytes_on_the_wire() -> None:
    body = run_body(lines=2000)
    packed = gzip.compress(body)
    async with (
        replying((packed, {"content_encoding": "gzip"})) as server,
        NektClient(KEY, server.url, sleep=no_sleep) as client,
    ):
        run = await client.get_run(RID)
        assert b"accept-encoding: gzip\r\n" in server.requests[0].lower()
        assert run.parsed_log is not None and run.parsed_log.endswith("synced 1999 rows")
        # The budget pays what came over the wire, not what it became.
        assert client.last_size(RID) == len(packed) < len(body) // 4
        assert client.received_bytes == len(packed)


async def test_gzip_bomb_stops_at_the_size_cap_after_decompression() -> None:
    # 64 MB of JSON in about 64 KB of gzip; the cap is 1 MB.
    bomb = gzip.compress(b'{"id": "' + b"a" * (64 << 20) + b'"}', 9)
    assert len(bomb) < 200_000
    async with (
        replying((bomb, {"content_encoding": "gzip"})) as server,
        NektClient(KEY, server.url, sleep=no_sleep, max_response_bytes=1 << 20) as client,
    ):
        with pytest.raises(AnswerTooLargeError):
            await client.get_run(RID)
        assert client.received_bytes <= len(bomb)


def test_inflater_hands_out_bounded_pieces_of_a_bomb() -> None:
    bomb = zlib.compress(b"\0" * (32 << 20), 9)
    pieces = Inflater("deflate").feed(bomb)
    first = next(pieces)
    assert len(first) <= PIECE  # not 32 MB at once, as httpx's decoder would


@pytest.mark.parametrize(
    ("encoding", "pack"),
    [
        ("deflate", zlib.compress),
        ("deflate", lambda b: zlib.compress(b)[2:-4]),  # raw deflate, as some servers send
        ("identity", lambda b: b),
        ("x-gzip", gzip.compress),
    ],
)
async def test_other_encodings_a_server_may_send_unasked(encoding: str, pack) -> None:  # type: ignore[no-untyped-def]
    body = run_body()
    async with (
        replying((pack(body), {"content_encoding": encoding})) as server,
        NektClient(KEY, server.url, sleep=no_sleep) as client,
    ):
        assert (await client.get_run(RID)).status == "running"


@pytest.mark.parametrize(
    ("encoding", "pack", "said"),
    [
        ("br", lambda b: b, "'br', which was not asked"),
        ("gzip", lambda b: gzip.compress(b)[:-12], "cut short"),
        ("gzip", lambda b: b"\x1f\x8b" + b"\xff" * 40, "corrupt"),
    ],
)
async def test_unreadable_encodings_are_one_clear_error(encoding: str, pack, said: str) -> None:  # type: ignore[no-untyped-def]
    async with (
        replying((pack(run_body(lines=200)), {"content_encoding": encoding})) as server,
        NektClient(KEY, server.url, sleep=no_sleep) as client,
    ):
        with pytest.raises(BadResponseError) as err:
            await client.get_run(RID)
    assert said in str(err.value) and "\n" not in str(err.value)


async def test_an_unchanged_large_body_is_not_parsed_again() -> None:
    running = run_body("running", lines=200_000)  # about 10 MB
    succeeded = running.replace(b'"running"', b'"success"')  # the same length
    assert len(succeeded) == len(running)
    async with (
        replying((running, {}), (running, {}), (succeeded, {})) as server,
        NektClient(KEY, server.url, sleep=no_sleep) as client,
    ):
        first = await client.get_run(RID)
        started = time.perf_counter()
        again = await client.get_run(RID)
        fast = time.perf_counter() - started
        changed = await client.get_run(RID)
    assert again is first  # nothing decoded or parsed: the same run
    assert changed.status == "success"  # same length, other bytes: parsed
    assert changed.parsed_log == first.parsed_log
    assert fast < 1.0


def etag_server(*, honours: bool, etag: str | None = '"v1"'):  # type: ignore[no-untyped-def]
    """Answers the same run every time, with `etag`; a 304 to a matching `If-None-Match`
    only when it `honours` them."""
    body = run_body()

    async def answer(writer: asyncio.StreamWriter, request: bytes) -> None:
        tag = {} if etag is None else {"etag": etag}
        asked = etag is not None and f"if-none-match: {etag}".encode() in request.lower()
        if honours and asked:
            writer.write(head("304 Not Modified", **tag, content_length="0"))
        else:
            writer.write(
                head(content_type="application/json", content_length=str(len(body)), **tag) + body
            )
        await writer.drain()

    return serve_requests(answer)


def conditional(requests: list[bytes]) -> list[bool]:
    """Which requests carried `If-None-Match`."""
    return [b"if-none-match:" in r.lower() for r in requests]


async def test_an_etag_is_probed_once_and_used_when_the_server_honours_it() -> None:
    async with (
        etag_server(honours=True) as server,
        NektClient(KEY, server.url, sleep=no_sleep) as client,
    ):
        first = await client.get_run(RID)
        assert client.conditional is None
        assert await client.get_run(RID) is first  # a 304: the run kept
        assert client.conditional is True
        assert await client.get_run(RID) is first
    assert conditional(server.requests) == [False, True, True]  # no request of its own


async def test_a_server_that_ignores_if_none_match_is_not_asked_again() -> None:
    async with (
        etag_server(honours=False) as server,
        NektClient(KEY, server.url, sleep=no_sleep) as client,
    ):
        for _ in range(4):
            assert (await client.get_run(RID)).status == "running"
        assert client.conditional is False
    assert conditional(server.requests) == [False, True, False, False]


async def test_without_an_etag_no_condition_is_ever_sent() -> None:
    async with (
        etag_server(honours=True, etag=None) as server,
        NektClient(KEY, server.url, sleep=no_sleep) as client,
    ):
        for _ in range(3):
            await client.get_run(RID)
        assert client.conditional is None
    assert conditional(server.requests) == [False, False, False]
