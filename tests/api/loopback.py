"""A hand-written HTTP/1.1 server on 127.0.0.1, for answers no well-behaved server sends."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

Writer = Callable[[asyncio.StreamWriter], Awaitable[None]]


@dataclass
class Served:
    """The server's URL and what it heard."""

    url: str
    requests: list[bytes] = field(default_factory=list)


def head(status: str = "200 OK", **headers: str) -> bytes:
    """A status line and headers (`content_type` becomes `content-type`)."""
    lines = [f"HTTP/1.1 {status}"]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def endless(writer: asyncio.StreamWriter, chunk: bytes) -> None:
    """Write `chunk` again and again until the client hangs up."""
    while True:
        writer.write(chunk)
        await writer.drain()


def serve(answer: Writer) -> contextlib.AbstractAsyncContextManager[Served]:
    """Serve every request with `answer(writer)` (which writes the whole response)."""

    async def reply(writer: asyncio.StreamWriter, _request: bytes) -> None:
        await answer(writer)

    return serve_requests(reply)


@contextlib.asynccontextmanager
async def serve_requests(
    answer: Callable[[asyncio.StreamWriter, bytes], Awaitable[None]],
) -> AsyncIterator[Served]:
    """Serve every request with `answer(writer, request head)`."""
    tasks: set[asyncio.Task[None]] = set()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        tasks.add(asyncio.current_task())  # type: ignore[arg-type]
        try:
            while True:
                request = await reader.readuntil(b"\r\n\r\n")
                served.requests.append(request)
                await answer(writer, request)
        except (OSError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass  # the client hung up (the point of most of these servers)
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    served = Served(f"http://127.0.0.1:{port}")
    try:
        yield served
    finally:
        server.close()
        for task in list(tasks):
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await server.wait_closed()
