"""Reading one answer within bounds: at most so many bytes, and in time.

httpx bounds neither: its read timeout is per chunk (a byte every 5 s never trips a 10 s
timeout) and it reads a body for as long as it comes. `read_body` stops at a byte limit
(counted after decompression: see `encoding.py`) and `Deadline` at an overall time that
grows with what has arrived. `Deadline.received` counts the bytes on the wire (what the
bandwidth budget pays), compressed or not.

A large answer can be recognised as unchanged before it is decoded or parsed: see `Mark`.
"""

from __future__ import annotations

import asyncio
import hashlib
import sys
from collections.abc import AsyncIterator
from typing import Any

import httpx

from nekt_tui.api.body import JsonSplitter
from nekt_tui.api.encoding import Inflater
from nekt_tui.api.errors import AnswerTooLargeError

#: From this size on a successful answer is split as it arrives, its long strings decoded
#: apart, and never held whole (see `read_body`).
LARGE_BODY = 1 << 20
#: An error answer (4xx, 5xx) is read up to this much: only its short `detail` is used.
ERROR_BODY_LIMIT = 64 * 1024
#: Without `Task.uncancel` (Python 3.10) a deadline cancels a task of the exchange's own.
OWN_TASK = sys.version_info < (3, 11)
#: From this size on the wire, a successful answer with a Content-Length gets a `Mark`.
MARK_FROM = 64 * 1024


class Mark:
    """A body as it came on the wire: its length and a digest of its bytes.

    Two answers with the same mark are the same bytes, so the same run: the client keeps
    the mark of each run's last large answer with what it parsed, and an answer of the
    same Content-Length is first read and hashed only (about 1 ms per MB), then decoded and
    parsed only if its digest differs (see `read_body`). Length and tail alone would not
    do: a status is near the head of the body and `running` is as long as `success`.
    """

    __slots__ = ("digest", "length")

    def __init__(self, length: int, digest: bytes) -> None:
        self.length = length
        self.digest = digest

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Mark) and self.length == other.length and self.digest == other.digest
        )

    __hash__ = None  # type: ignore[assignment]


class Unchanged:
    """What `read_body` returns for a body with the mark it was given."""


#: The one `Unchanged`.
UNCHANGED = Unchanged()


class Deadline:
    """The time one request may take, from sending it to its answer's last byte.

    It may take `base` seconds, plus one second for every `min_rate` bytes that have
    arrived so far: a big answer coming steadily (faster than `min_rate` on average) goes
    on, one that drips (a byte every few seconds) ends about `base` seconds after it was
    asked for. Measured on the event loop's clock. When it passes, the request's task is
    cancelled, and `absorb()` tells the cancellation it caused from any other.

    Cheap on purpose (one timer per request, moved only when it fires early): it is set
    for every poll of every run.
    """

    __slots__ = (
        "_base",
        "_handle",
        "_loop",
        "_rate",
        "_task",
        "expired",
        "mark",
        "received",
        "start",
    )

    def __init__(self, base: float, min_rate: float) -> None:
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.current_task()
        self._base = base
        self._rate = min_rate
        #: Bytes of the answer that have arrived on the wire (`read_body` counts them).
        self.received = 0
        #: The answer's `Mark`, when `read_body` was asked for one and it had one.
        self.mark: Mark | None = None
        self.expired = False
        self.start = self._loop.time()
        self._handle = self._loop.call_at(self.start + base, self._check)

    def _check(self) -> None:
        end = self.start + self._base + self.received / self._rate
        if self._loop.time() < end:
            self._handle = self._loop.call_at(end, self._check)
            return
        self.expired = True
        if self._task is not None:
            self._task.cancel()

    def watch(self, task: asyncio.Task[object]) -> None:
        """Cancel `task` when the deadline passes, instead of the one that made it."""
        self._task = task

    def waited(self) -> float:
        """Seconds since the request was sent."""
        return self._loop.time() - self.start

    def stop(self) -> None:
        """The request is over: the timer is no longer needed."""
        self._handle.cancel()

    def absorb(self) -> bool:
        """On a `CancelledError`: True when this deadline caused it alone (its cancel is
        then taken back, so the task goes on); False for any other cancellation."""
        if not self.expired:
            return False
        if OWN_TASK:
            return True  # its own task was cancelled, not the caller's
        uncancel = getattr(self._task, "uncancel", None)  # Python 3.11+
        return uncancel is None or uncancel() == 0


async def read_body(
    response: httpx.Response,
    limit: int,
    deadline: Deadline,
    *,
    marked: bool = False,
    known: Mark | None = None,
) -> bytes | bytearray | JsonSplitter | Unchanged:
    """The whole (decoded) body, never held twice; a large JSON answer as a `JsonSplitter`.

    A successful answer over `limit` bytes (by its Content-Length before reading, or once
    that many bytes have been decoded: a gzip bomb stops there) raises
    `AnswerTooLargeError`; the caller closes the response, so the rest is never read. An
    error answer is read up to `ERROR_BODY_LIMIT` and cut there: its status says what
    happened. `deadline.received` counts the bytes on the wire.

    `Response.aread()` keeps every chunk in a list and then joins them, so a 33 MB log is
    held twice at the end; growing one buffer holds it once. A one-chunk body (the usual
    small run) is returned as it came, without a copy. A successful answer of `LARGE_BODY`
    or more (by its Content-Length, or once that much has come) goes to a `JsonSplitter`
    chunk by chunk instead, so its bytes are never held whole (see `body.py`).

    `marked`: a successful answer with a Content-Length of `MARK_FROM` or more gets its
    `Mark` in `deadline.mark`. `known`: the mark of the last answer; one of the same length
    is read (held as it came, compressed or not) and hashed first, and `UNCHANGED` is
    returned when its digest is the same too, without decoding or parsing anything.
    """
    ok = 200 <= response.status_code < 300  # an error's body is read in part: it is small
    length = response.headers.get("content-length", "")
    digits = length.isascii() and length.isdigit()
    size = int(length) if digits and len(length) <= 18 else None  # 19 digits: over an EB
    if not ok:
        limit = min(limit, ERROR_BODY_LIMIT)
    elif digits and (size is None or size > limit):
        raise AnswerTooLargeError(limit)
    if response.is_stream_consumed:  # built from bytes (a test's MockTransport): decoded
        inflater = Inflater(None)
        raw: AsyncIterator[bytes] = _replay([response.content])
    else:
        inflater = Inflater(response.headers.get("content-encoding"))
        raw = response.aiter_raw()
    hasher = None
    if ok and marked and size is not None and size >= MARK_FROM:
        hasher = hashlib.blake2b(digest_size=16)
    if hasher is not None and known is not None and known.length == size:
        held: list[bytes] = []
        async for chunk in raw:
            deadline.received += len(chunk)
            hasher.update(chunk)
            held.append(chunk)
        deadline.mark = Mark(deadline.received, hasher.digest())
        if deadline.mark == known:
            return UNCHANGED
        deadline.received = 0  # counted again as they are replayed
        return await _adecode(_replay(held), inflater, ok, size, limit, deadline, None)
    return await _adecode(raw, inflater, ok, size, limit, deadline, hasher)


async def _replay(chunks: list[bytes]) -> AsyncIterator[bytes]:
    """Chunks already read, handed out again (and let go of) one by one."""
    chunks.reverse()
    while chunks:
        yield chunks.pop()


async def _adecode(
    raw: AsyncIterator[bytes],
    inflater: Inflater,
    ok: bool,
    size: int | None,
    limit: int,
    deadline: Deadline,
    hasher: Any,
) -> bytes | bytearray | JsonSplitter:
    """Read, decode and keep the body (see `read_body`)."""
    large = ok and inflater.identity and size is not None and size >= LARGE_BODY
    splitter = JsonSplitter() if large else None
    first: bytes | None = None
    buffer: bytearray | None = None
    decoded = 0
    over = False
    async for wire in raw:
        deadline.received += len(wire)
        if hasher is not None:
            hasher.update(wire)
        for chunk in inflater.feed(wire):
            decoded += len(chunk)
            over = decoded > limit
            if over:
                if ok:
                    raise AnswerTooLargeError(limit)
                chunk = chunk[: len(chunk) - (decoded - limit)]
            if splitter is not None:
                splitter.feed(chunk)
            elif first is None:
                first = chunk
            elif buffer is None:
                buffer = bytearray(first)
                buffer += chunk
            else:
                buffer += chunk
            if ok and buffer is not None and len(buffer) >= LARGE_BODY:
                splitter = JsonSplitter()
                splitter.feed(bytes(buffer))
                first = buffer = None
            if over:
                break
        if over:
            break
    if ok and not over:
        inflater.end()
    if hasher is not None:
        deadline.mark = Mark(deadline.received, hasher.digest())
    if splitter is not None:
        return splitter
    if buffer is not None:
        return buffer
    return first if first is not None else b""


__all__ = [
    "ERROR_BODY_LIMIT",
    "LARGE_BODY",
    "MARK_FROM",
    "UNCHANGED",
    "Deadline",
    "Mark",
    "Unchanged",
    "read_body",
]
