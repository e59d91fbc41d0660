"""Log text kept as a few large strings plus line offsets, not one string per line.

A 200,000-line log held as line strings costs about 50 bytes of object header per line on
top of its text. Here the text stays in *chunks*: the run's whole `parsed_log` (the very
string the `Run` already holds, so keeping it costs nothing) or the joined lines of an
append. Each line is a `(start, end)` pair in one coordinate space over all chunks; its
string is sliced out when something needs it (drawing, search, level detection).

Splitting walks the text a block at a time with C-level string methods, so indexing a
huge log neither loops over characters in Python nor builds every line string at once.
"""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate, repeat
from operator import add, sub
from typing import overload

from rich.cells import cell_len

from nekt_tui.logview.sgr import clean_line, is_simple

BLOCK = 1 << 20  # characters split at once: big enough for C speed, small for the peak


def line_width(raw: str) -> int:
    """Display width in cells of `raw` once cleaned."""
    return len(raw) if is_simple(raw) else cell_len(clean_line(raw).text)


_PRINTABLE = bytes(range(0x20, 0x7F)) + b"\n"


def all_simple(block: str, *, crlf: bool) -> bool:
    """True when every line of `block` is simple, its newlines aside (and, with `crlf`,
    the one CR ending each line, which the split leaves out of the line)."""
    if not block.isascii():
        return False
    # Deleting the printable bytes leaves what is not: much faster than `isprintable`.
    rest = block.encode("ascii").translate(None, _PRINTABLE)
    if not rest:
        return True
    if not crlf or rest.strip(b"\r"):
        return False
    # Every CR must end a line: followed by a newline, or last in the block (whose own
    # newline, if any, is just past it).
    return len(rest) == block.count("\r\n") + block.endswith("\r")


@dataclass(slots=True)
class Indexed:
    """Lines found in a stretch of text: offsets, display widths, and whether the last one
    still lacks its newline (a partial line that may grow)."""

    starts: array[int]
    ends: array[int]
    widths: array[int]
    partial: bool = False

    def __len__(self) -> int:
        return len(self.starts)


def _new_indexed() -> Indexed:
    return Indexed(array("q"), array("q"), array("L"))


def index_text(text: str, pos: int, base: int) -> Indexed:
    """Lines of `text[pos:]` split as the engine splits a log (`\\n` or `\\r\\n`), with
    offsets shifted by `base` (where `text` starts in the store's coordinates)."""
    out = _new_indexed()
    n = len(text)
    while pos < n:
        stop = text.rfind("\n", pos, pos + BLOCK)
        if stop < 0:  # a line longer than a block, or the partial last line
            stop = text.find("\n", pos + BLOCK)
            if stop < 0:
                stop = n
                out.partial = True
        _index_block(text[pos:stop], pos + base, out)
        pos = stop + 1
    return out


def _index_block(block: str, at: int, out: Indexed) -> None:
    """Index the lines of `block` (no newline after its last line), `block[0]` at `at`."""
    parts = block.split("\n")
    lens = list(map(len, parts))
    starts = list(accumulate(map(add, lens, repeat(1)), initial=at))[:-1]
    if "\r" in block:
        # One trailing CR is part of the line ending, as in `split_lines`.
        lens = [n - 1 if p.endswith("\r") else n for p, n in zip(parts, lens, strict=True)]
    ends = list(map(add, starts, lens))
    if all_simple(block, crlf=True):
        widths = lens
    else:
        widths = [line_width(block[s - at : e - at]) for s, e in zip(starts, ends, strict=True)]
    out.starts.extend(starts)
    out.ends.extend(ends)
    out.widths.extend(widths)


def index_lines(lines: Sequence[str], base: int) -> tuple[str, Indexed]:
    """Join `lines` into one chunk starting at `base`; returns it with its line index."""
    chunk = "\n".join(lines)
    out = _new_indexed()
    lens = list(map(len, lines))
    starts = list(accumulate(map(add, lens, repeat(1)), initial=base))[:-1]
    out.starts.extend(starts)
    out.ends.extend(map(add, starts, lens))
    # Newlines inside a line (only possible from a caller, never from a split) are not
    # separators: the fast check would count them as such.
    simple = all_simple(chunk, crlf=False) and chunk.count("\n") == len(lines) - 1
    out.widths.extend(lens if simple else map(line_width, lines))
    return chunk, out


class Lines(Sequence[str]):
    """Read-only lines over chunks and offsets; each item is sliced out when asked for.

    A snapshot (the offsets are copies, the chunks immutable strings), so it is safe to
    hand to a thread while the store goes on changing.
    """

    __slots__ = ("_bases", "_chunks", "_ends", "_starts")

    def __init__(
        self, chunks: Sequence[str], bases: Sequence[int], starts: array[int], ends: array[int]
    ) -> None:
        self._chunks = tuple(chunks)
        self._bases = tuple(bases)
        self._starts = starts
        self._ends = ends

    def __len__(self) -> int:
        return len(self._starts)

    @overload
    def __getitem__(self, k: int) -> str: ...

    @overload
    def __getitem__(self, k: slice) -> list[str]: ...

    def __getitem__(self, k: int | slice) -> str | list[str]:
        if isinstance(k, slice):
            return [self._line(i) for i in range(*k.indices(len(self)))]
        if k < 0:
            k += len(self)
        if not 0 <= k < len(self):
            raise IndexError(k)
        return self._line(k)

    def __iter__(self) -> Iterator[str]:
        for k in range(len(self)):
            yield self._line(k)

    def _line(self, k: int) -> str:
        start, end = self._starts[k], self._ends[k]
        return slice_chunk(self._chunks, self._bases, start, end)

    def lengths(self) -> list[int]:
        """Each line's length in characters (cheap: no line is sliced)."""
        return list(map(sub, self._ends, self._starts))


def slice_chunk(chunks: Sequence[str], bases: Sequence[int], start: int, end: int) -> str:
    """The text `start:end` of the chunk holding `start`."""
    j = 0 if len(bases) == 1 else bisect.bisect_right(bases, start) - 1
    base = bases[j]
    return chunks[j][start - base : end - base]
