"""gzip as a server sends it: only when the request accepts it, for bodies worth it.

A growing log's body changes on every poll that sees new lines, so each body is
compressed once and kept (keyed by the body object the world caches) until the world
makes a new one.
"""

from __future__ import annotations

import gzip
from collections import OrderedDict
from collections.abc import MutableMapping
from typing import Any

#: Bodies shorter than this are sent as they are (as nginx's `gzip_min_length` does).
MIN_LENGTH = 1024
#: nginx's default `gzip_comp_level`: fast, most of the saving on JSON logs.
LEVEL = 1
#: Compressed bodies kept.
KEPT = 64


def accepts_gzip(scope: MutableMapping[str, Any]) -> bool:
    """Whether the request's `accept-encoding` names gzip (with a q above 0)."""
    for name, value in scope.get("headers") or ():
        if name.lower() != b"accept-encoding":
            continue
        for part in value.decode("latin-1").split(","):
            coding, _, params = part.strip().partition(";")
            if coding.strip().lower() in ("gzip", "x-gzip", "*"):
                q = params.strip().lower().removeprefix("q=")
                try:
                    return not params or float(q) > 0
                except ValueError:
                    return True
    return False


class Gzipper:
    """Compresses answers for requests that accept gzip (`enabled=False`: never)."""

    def __init__(self, *, enabled: bool = True) -> None:
        self.enabled = enabled
        self._kept: OrderedDict[int, tuple[bytes, bytes]] = OrderedDict()

    def encode(
        self, scope: MutableMapping[str, Any], body: bytes
    ) -> tuple[bytes, list[tuple[bytes, bytes]]]:
        """The body to send and the headers that say how it is encoded."""
        if not self.enabled or len(body) < MIN_LENGTH or not accepts_gzip(scope):
            return body, []
        kept = self._kept.get(id(body))
        if kept is not None and kept[0] is body:
            self._kept.move_to_end(id(body))
            packed = kept[1]
        else:
            packed = gzip.compress(body, LEVEL, mtime=0)
            self._kept[id(body)] = (body, packed)
            while len(self._kept) > KEPT:
                self._kept.popitem(last=False)
        return packed, [(b"content-encoding", b"gzip")]


__all__ = ["LEVEL", "MIN_LENGTH", "Gzipper", "accepts_gzip"]
