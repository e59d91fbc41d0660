"""The run list's pages on a hand-written server: a `next` naming another host is never
followed (the key never goes there), and items in another shape say the log is missing."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from nekt_tui.api.client import NektClient
from nekt_tui.clock import SystemClock
from nekt_tui.watch.events import RunUpdated
from nekt_tui.watch.scheduler import Scheduler
from tests.api.loopback import Served, head, serve_requests
from tests.watch.conftest import RUN_A

KEY = "loopback-key-0123456789"


def _flat_run() -> dict[str, Any]:
    return {
        "id": RUN_A,
        "status": "running",
        "created_at": "2026-01-15T12:00:00Z",
        "triggered_by": None,
        "source": "0b5e8c9a-1111-4222-8333-444455556666",
    }


def _answer_with(other: Served) -> Any:
    async def answer(writer: asyncio.StreamWriter, request: bytes) -> None:
        line = request.split(b"\r\n", 1)[0].decode()
        path = line.split(" ")[1]
        if path.startswith(f"/api/v1/runs/{RUN_A}/"):
            body: Any = _flat_run()
        elif path.startswith("/api/v1/runs/"):
            # Items in another shape (flat, no log), and a `next` on another host.
            page = 2 if "page=2" in path else 1
            body = {
                "count": 3,
                "next": f"{other.url}/api/v1/runs/?page={page + 1}",
                "previous": None,
                "results": [_flat_run()] if page == 2 else [],
            }
        else:
            body = {"count": 0, "next": None, "previous": None, "results": []}
        data = json.dumps(body).encode()
        writer.write(head(content_type="application/json", content_length=str(len(data))) + data)
        await writer.drain()

    return answer


async def _nothing(writer: asyncio.StreamWriter, request: bytes) -> None:
    writer.close()


async def test_next_on_another_host_is_never_followed() -> None:
    async with serve_requests(_nothing) as other, serve_requests(_answer_with(other)) as api:
        client = NektClient(KEY, api.url, max_retries=1)
        sched = Scheduler(client, clock=SystemClock(), interval=0.05, jitter=0.0)
        stream = sched.events()
        sched.start()
        sched.watch(RUN_A)

        async def problem() -> str:
            async for event in stream:
                prov = event.provenance if isinstance(event, RunUpdated) else None
                if prov is not None and prov.log_problem:
                    return prov.log_problem
            raise AssertionError("no problem said")

        try:
            said = await asyncio.wait_for(problem(), 10)
        finally:
            await sched.aclose()
            await client.aclose()
    assert said == "log not available: the run list's copy of this run carries no log"
    assert other.requests == []
    pages = [r for r in api.requests if r.startswith(b"GET /api/v1/runs/?")]
    assert pages and all(
        b"Host: 127.0.0.1:" + api.url.rsplit(":", 1)[1].encode() in r for r in pages
    )
