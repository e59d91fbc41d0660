"""The follower against a hand-written loopback server: a page in an unknown shape and a
429 are one line each, the next look waits (as long as the 429 asks), nothing is added,
and a good page afterwards follows as usual."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence

from nekt_tui.api.client import NektClient
from nekt_tui.clock import FakeClock
from nekt_tui.discover.follow import Follower
from nekt_tui.discover.rules import Rule, parse_rules
from tests.api.loopback import head, serve_requests

RID = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
GOOD = {
    "count": 1,
    "next": None,
    "previous": None,
    "results": [{"id": RID, "status": "failed", "created_at": "2026-01-15T11:00:00Z"}],
}


class Target:
    def __init__(self) -> None:
        self.added: list[str] = []
        self.said: list[str] = []

    def watched(self, run_id: str) -> bool:
        return run_id in self.added

    def follow(self, run_ids: Sequence[str], rule: Rule) -> None:
        self.added.extend(run_ids)

    def say(self, text: str, warning: bool) -> None:
        self.said.append(text)


async def test_garbage_and_429_are_one_line_each_and_add_nothing() -> None:
    answers = [
        (head(content_type="application/json"), b'{"results": "not a list"}'),
        (head(content_type="application/json"), b"<html>oops</html>"),
        (
            head("429 Too Many Requests", retry_after="120", content_type="application/json"),
            b'{"detail": "Request was throttled."}',
        ),
        (head(content_type="application/json"), json.dumps(GOOD).encode()),
    ]

    async def answer(writer: asyncio.StreamWriter, _request: bytes) -> None:
        status, body = answers.pop(0)
        writer.write(
            status.replace(b"\r\n\r\n", f"\r\ncontent-length: {len(body)}\r\n\r\n".encode()) + body
        )
        await writer.drain()

    clock = FakeClock()
    target = Target()
    async with (
        serve_requests(answer) as served,
        NektClient("k", served.url, sleep=clock.sleep, now=clock.now) as client,
    ):
        follow = Follower(parse_rules(["status:failed"]), lambda: client, target, clock)
        waits = [await follow.step() for _ in range(3)]
        assert target.added == []
        assert len(target.said) == 2, target.said  # the bad shape said once, then the 429
        assert "bad response" in target.said[0] and "run list" in target.said[0]
        assert "rate limited" in target.said[1]
        assert waits[0] > 30.0 and waits[1] > waits[0] and waits[2] >= 120.0
        await clock.advance(waits[2])
        assert await follow.step() == 30.0
        assert target.added == [RID]
        assert len(served.requests) == 4
