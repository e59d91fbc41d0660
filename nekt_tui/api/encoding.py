"""Content-Encoding: what the client asks for, and decoding it with bounded memory.

The client asks for `gzip` only: the standard library decodes it, and a log (the bulk of
a large answer) shrinks about tenfold. br and zstd would save a little more on top of
gzip but need a package each (`brotli`, `zstandard`) and the Nekt API documents none of
them. `deflate` and `identity` are read too, in case a server sends them unasked.

httpx's own decoders inflate a whole network chunk at once: a 64 KB chunk of a zip bomb
becomes 64 MB before any size check can look at it. `Inflater` hands out at most `PIECE`
bytes at a time, so the size cap (`max_response_bytes`) stops it within one piece.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

from nekt_tui.api.errors import BadResponseError

#: The `accept-encoding` header every request sends.
ACCEPT_ENCODING = "gzip"
#: The most bytes one step of decompression may produce.
PIECE = 256 * 1024


class Inflater:
    """Decodes one answer's body as it arrives (see the module docstring)."""

    __slots__ = ("_deflate", "_started", "_z")

    def __init__(self, encoding: str | None) -> None:
        name = (encoding or "").strip().lower()
        self._deflate = False
        self._started = False
        if name in ("", "identity"):
            self._z = None
        elif name in ("gzip", "x-gzip"):
            self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif name == "deflate":
            self._z = zlib.decompressobj()
            self._deflate = True
        else:  # br, zstd, a chain ("gzip, gzip")...: never asked for
            raise BadResponseError(f"the answer is encoded as {name[:40]!r}, which was not asked")

    @property
    def identity(self) -> bool:
        """The body comes as it is (no decoding)."""
        return self._z is None

    def feed(self, data: bytes) -> Iterator[bytes]:
        """The decoded bytes of the next chunk, in pieces of at most `PIECE` bytes."""
        z = self._z
        if z is None:
            if data:
                yield data
            return
        if self._deflate and not self._started and data:
            # "deflate" is zlib-wrapped by the standard, raw in some servers.
            self._started = True
            try:
                zlib.decompressobj().decompress(data[:2])
            except zlib.error:
                z = self._z = zlib.decompressobj(-zlib.MAX_WBITS)
        while not z.eof:
            try:
                out = z.decompress(data, PIECE)
            except zlib.error:
                raise BadResponseError("its compressed body is corrupt") from None
            data = z.unconsumed_tail
            if out:
                yield out
            if not data and len(out) < PIECE:
                break  # a full piece with no input left may have more to drain

    def end(self) -> None:
        """The body has ended: it must have ended its compressed stream too."""
        if self._z is not None and not self._z.eof:
            raise BadResponseError("its compressed body was cut short")


__all__ = ["ACCEPT_ENCODING", "PIECE", "Inflater"]
