"""A large JSON body read and decoded with about twice its longest string in memory.

A run with a huge log is one JSON object whose `log.parsed_log` is nearly all of it (a
200,000-line log: 33 MB of JSON, 30 MB of text). Reading the whole body and then parsing
it holds the bytes and the decoded text at once (2x the body), then the text and the
parsed log (2x again). `JsonSplitter` instead takes the body chunk by chunk as it arrives:
everything outside long strings is kept as a small skeleton, and each string longer than
`LONG_STRING` is unescaped as it streams in, so the body itself is never held whole. The
skeleton is then parsed with `json.loads` and the long strings put back where they were.

The result is what `json.loads` gives for the whole body (strict UTF-8, as the client
decodes): the same escapes, the same surrogate pairs, the same errors for invalid JSON.
"""

from __future__ import annotations

import codecs
import json
import secrets
from typing import Any

#: Strings longer than this (in characters of JSON) are decoded apart from the skeleton.
LONG_STRING = 1 << 16

_scanstring = json.decoder.scanstring  # type: ignore[attr-defined]
_HEX = frozenset("0123456789abcdefABCDEF")


class JsonSplitter:
    """Feed a JSON body's chunks in order, then `parse()` it."""

    def __init__(self) -> None:
        self._skeleton: list[str] = []
        #: The long strings, decoded, in order; the skeleton holds a placeholder for each.
        self._strings: list[str] = []
        self._nonce = secrets.token_hex(16)
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self._rest = ""  # an escape cut by the end of the last chunk
        self._in_string = False
        self._raw: list[str] = []  # the current string's JSON text, while it is short
        self._raw_size = 0
        # Once it is long: its decoded text so far, as UTF-8 (lone surrogates passed).
        self._long: bytearray | None = None
        self._high = ""  # a high surrogate ending the last piece (its pair may follow)
        self.invalid = False

    def feed(self, chunk: bytes) -> None:
        """The next chunk of the body."""
        if self.invalid:
            return
        try:
            # A quote after the chunk ends any string still open in it (see `_string`).
            text = self._rest + self._decoder.decode(chunk) + '"'
        except UnicodeDecodeError:
            self._fail()
            return
        n = len(text) - 1
        pos = 0
        while pos < n and not self.invalid:
            if self._in_string:
                pos = self._string(text, pos, n)
                if self._in_string:
                    break  # the string goes on in the next chunk (from `pos`)
                continue
            quote = text.find('"', pos, n)
            if quote < 0:
                self._skeleton.append(text[pos:n])
                pos = n
                break
            self._skeleton.append(text[pos : quote + 1])
            pos = quote + 1
            self._in_string = True
        self._rest = text[pos:n] if not self.invalid else ""

    def parse(self) -> Any:
        """The body's value, as `json.loads` of the whole body gives it. Raises ValueError
        (`UnicodeDecodeError` included) for a body that is not JSON."""
        if not self.invalid:
            try:
                self._decoder.decode(b"", True)
            except UnicodeDecodeError:
                self._fail()
        if self.invalid or self._in_string or self._rest:
            raise ValueError("not valid JSON")
        value = json.loads("".join(self._skeleton))
        if not self._strings:
            return value
        strings = {f"{self._nonce}-{i}": s for i, s in enumerate(self._strings)}
        self._strings = []
        value = _put_back(value, strings)
        if strings:
            raise ValueError("a long string was lost")  # pragma: no cover - cannot happen
        return value

    def _string(self, text: str, pos: int, n: int) -> int:
        """Take string content from `pos` (never inside an escape) up to its closing quote,
        or as much as this chunk holds; return where the rest of the chunk starts.

        `text[n]` is the quote `feed` added: a string that reaches it goes on in the next
        chunk. An escape the chunk's end cut (`\\`, `\\u12`) is kept for the next one.
        """
        try:
            value, end = _scanstring(text, pos, True)
        except ValueError:
            end = -1
        if end == -1 or end > n + 1:
            # An error: an escape cut by the end of the chunk, or not JSON.
            cut = _whole_escapes(text, pos, n)
            try:
                value, end = _scanstring(text[pos:cut] + '"', 0, True)
            except ValueError:
                self._fail()
                return n
            if end != cut - pos + 1:
                self._fail()  # pragma: no cover - the quote added is the first one
                return n
            self._content(text[pos:cut], value)
            return cut
        closed = end <= n
        self._content(text[pos : end - 1], value)
        if closed:
            self._close()
        return end if closed else n

    def _fail(self) -> None:
        self.invalid = True
        self._skeleton, self._strings, self._raw, self._long = [], [], [], None

    def _content(self, raw: str, value: str) -> None:
        if self._long is not None:
            self._add(value)
            return
        self._raw.append(raw)
        self._raw_size += len(raw)
        if self._raw_size > LONG_STRING:
            # Long: what was kept of it as JSON text becomes its first decoded piece.
            whole = "".join(self._raw)
            self._raw, self._raw_size, self._long = [], 0, bytearray()
            self._add(_scanstring(whole + '"', 0, True)[0])

    def _add(self, value: str) -> None:
        assert self._long is not None
        if self._high:
            # `\uD83D` ended the last piece: a low surrogate escape right after it makes
            # one character with it, as json does within one string.
            if value and "\udc00" <= value[0] <= "\udfff":
                pair = 0x10000 + ((ord(self._high) - 0xD800) << 10) + (ord(value[0]) - 0xDC00)
                value = chr(pair) + value[1:]
            else:
                value = self._high + value
            self._high = ""
        if value and "\ud800" <= value[-1] <= "\udbff":
            value, self._high = value[:-1], value[-1]
        self._long += value.encode("utf-8", "surrogatepass")

    def _close(self) -> None:
        self._in_string = False
        if self._long is None:
            self._skeleton.extend(self._raw)
            self._skeleton.append('"')
            self._raw, self._raw_size = [], 0
            return
        if self._high:
            self._long += self._high.encode("utf-8", "surrogatepass")
            self._high = ""
        # One buffer grown in place rather than a list of pieces: big enough to be mapped
        # apart from the heap, it goes back to the system when dropped, where thousands of
        # 64 KB pieces would stay in the heap after use. The one moment the string is held
        # twice is here: its UTF-8 and itself.
        long, self._long = self._long, None
        if long.isascii():
            self._strings.append(long.decode("ascii"))
        else:
            # Non-ASCII UTF-8 decoded in one go costs twice the text on top of the bytes
            # (the decoder widens its buffer); in slices, then joined, the text once more.
            pieces = _decode_slices(long)
            del long
            self._strings.append("".join(pieces))
            del pieces
        self._skeleton.append(f'{self._nonce}-{len(self._strings) - 1}"')


def _decode_slices(data: bytearray, size: int = 1 << 20) -> list[str]:
    """`data` (UTF-8, lone surrogates passed) decoded as a few strings of about `size`."""
    decoder = codecs.getincrementaldecoder("utf-8")("surrogatepass")
    with memoryview(data) as view:
        pieces = [decoder.decode(view[i : i + size]) for i in range(0, len(view), size)]
    pieces.append(decoder.decode(b"", True))
    return pieces


def _whole_escapes(text: str, start: int, n: int) -> int:
    """Where string content from `start` to `n` stops being whole: before an escape that
    `n` cuts (`\\`, `\\u12`), else `n`."""
    last = text.rfind("\\", max(start, n - 6), n)
    if last < 0:
        return n
    first = last
    while first > start and text[first - 1] == "\\":
        first -= 1
    if (last - first) % 2:
        return n  # the last backslash is the second of an escaped one
    if last + 1 == n:
        return last
    if text[last + 1] == "u":  # four hex digits follow, if they have come
        digits = text[last + 2 : n]
        if len(digits) < 4 and all(d in _HEX for d in digits):
            return last
    return n


def _put_back(value: Any, strings: dict[str, str]) -> Any:
    """`value` with each placeholder string (key or value) replaced by its long string."""
    if isinstance(value, str):
        return strings.pop(value, value)
    if isinstance(value, list):
        return [_put_back(item, strings) for item in value]
    if isinstance(value, dict):
        return {_put_back(key, strings): _put_back(item, strings) for key, item in value.items()}
    return value


__all__ = ["LONG_STRING", "JsonSplitter"]
