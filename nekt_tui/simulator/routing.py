"""The simulator's ASGI plumbing: which route a path is, and a finished reply.

Split from `app.py` (its app raises a `Reply` anywhere and sends it in one place).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl

from nekt_tui.simulator import bodies

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_LIST = re.compile(r"/api/v1/runs/")
_PIPELINE_LISTS = re.compile(r"/api/v1/(sources|transformations)/")
_DETAIL = re.compile(r"/api/v1/runs/([^/]+)/")
_CANCEL = re.compile(r"/api/v1/runs/([^/]+)/cancel/")
_IS_UUID = re.compile(_UUID)


class Reply(Exception):
    """A finished response (status, content type, body, extra headers)."""

    def __init__(
        self,
        status: int,
        body: bytes,
        content_type: str = bodies.JSON,
        headers: list[tuple[bytes, bytes]] | None = None,
    ) -> None:
        super().__init__(status)
        self.status = status
        self.body = body
        self.content_type = content_type
        self.headers = headers or []


def route_of(path: str) -> tuple[str | None, str | None]:
    """(route name, lower-case run ID or None) for a path; route None means no such URL."""
    if _LIST.fullmatch(path):
        return "list", None
    if m := _PIPELINE_LISTS.fullmatch(path):
        return m.group(1), None
    for name, pattern in (("cancel", _CANCEL), ("detail", _DETAIL)):
        m = pattern.fullmatch(path)
        if m:
            rid = m.group(1)
            return name, rid.lower() if _IS_UUID.fullmatch(rid) else None
    return None, None


def query_pairs(scope: Scope) -> list[tuple[str, str]]:
    """The query string's (name, value) pairs, repeated names kept."""
    return parse_qsl(bytes(scope.get("query_string") or b"").decode("latin-1"))


def not_allowed(method: str, allow: str) -> Reply:
    """A DRF 405 for `method`, with the methods the route allows."""
    return Reply(
        405, bodies.detail(f'Method "{method}" not allowed.'), headers=[(b"allow", allow.encode())]
    )


def base_url(scope: Scope) -> str:
    """The URL the request was sent to, without its query (for DRF page links)."""
    host = ""
    for name, value in scope.get("headers") or ():
        if name.lower() == b"host":
            host = value.decode("latin-1")
    if not host:
        server = scope.get("server") or ("testserver", None)
        host = f"{server[0]}:{server[1]}" if server[1] else str(server[0])
    return f"{scope.get('scheme', 'http')}://{host}{scope['path']}"


__all__ = [
    "Message",
    "Receive",
    "Reply",
    "Scope",
    "Send",
    "base_url",
    "not_allowed",
    "query_pairs",
    "route_of",
]
