"""Answers that never end, or come a byte at a time: the simulator's slowest faults.

Served over a socket only (in-process the client's giving up is modelled, see `Faults`).
Both stop as soon as the client hangs up.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from nekt_tui.simulator import bodies

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
_COMMON_HEADERS = [
    (b"vary", b"Accept, Cookie"),
    (b"x-content-type-options", b"nosniff"),
]

#: `Retry-After` of the far-future fault: a date no client should wait for.
FAR_RETRY_AFTER = "Fri, 31 Dec 9999 23:59:59 GMT"
#: An endless answer stops after this much (or when the client hangs up, far sooner).
ENDLESS_LIMIT = 8 << 30
_CHUNK = 64 * 1024


class Endless(Exception):
    """Raised by the app to answer with a body that never ends (the variant picked by `pick`)."""

    def __init__(self, pick: float, length: bool) -> None:
        super().__init__("endless")
        self.pick = pick
        self.length = length


async def _until_disconnect(receive: Receive, gone: asyncio.Event) -> None:
    """Set `gone` when the client hangs up (the request body was already read)."""
    while (await receive())["type"] != "http.disconnect":
        pass
    gone.set()


async def stream_endless(
    endless: Endless, run_id: str | None, receive: Receive, send: Send
) -> None:
    """A 200 whose body never ends: until the client hangs up (or `ENDLESS_LIMIT`)."""
    if endless.pick < 1 / 3:
        head, filler = b"", b"[" * _CHUNK
    elif endless.pick < 2 / 3:
        head, filler = b"{", b" " * _CHUNK
    else:
        rid = (run_id or "00000000-0000-4000-8000-000000000000").encode()
        head = b'{"id":"' + rid + b'","status":"running","log":{"parsed_log":"'
        filler = b"a" * _CHUNK
    headers = [(b"content-type", bodies.JSON.encode()), *_COMMON_HEADERS]
    if endless.length:
        headers.append((b"content-length", b"5000000000"))
    gone = asyncio.Event()
    watcher = asyncio.get_running_loop().create_task(_until_disconnect(receive, gone))
    try:
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": head, "more_body": True})
        sent = len(head)
        while not gone.is_set() and sent < ENDLESS_LIMIT:
            # The server's flow control makes `send` wait while the client does not read.
            await send({"type": "http.response.body", "body": filler, "more_body": True})
            sent += len(filler)
            await asyncio.sleep(0)  # other requests are served meanwhile
    finally:
        watcher.cancel()


async def drip(
    body: bytes, receive: Receive, send: Send, pause: Callable[[], Awaitable[None]]
) -> None:
    """Send `body` one byte at a time, pausing before each, until done or hung up."""
    gone = asyncio.Event()
    watcher = asyncio.get_running_loop().create_task(_until_disconnect(receive, gone))
    try:
        for i in range(len(body)):
            await pause()
            if gone.is_set():
                return
            last = i == len(body) - 1
            await send(
                {"type": "http.response.body", "body": body[i : i + 1], "more_body": not last}
            )
        if not body:
            await send({"type": "http.response.body", "body": b"", "more_body": False})
    finally:
        watcher.cancel()


__all__ = ["ENDLESS_LIMIT", "FAR_RETRY_AFTER", "Endless", "drip", "stream_endless"]
