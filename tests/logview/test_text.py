"""Indexing log text into line offsets: the same lines as the engine's split, any text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nekt_tui.logview import text as text_module
from nekt_tui.logview.store import split_log
from nekt_tui.logview.text import Lines, all_simple, index_lines, index_text, line_width
from nekt_tui.watch.log_delta import split_lines

# Pieces that exercise line endings, partial lines, escapes, tabs and wide characters.
PIECES = st.sampled_from(
    ["a", "bc", "\n", "\r\n", "\r", "\t", "\x1b[31m", "\x1b[0m", "界", "ERROR ", " ", ""]
)
LOGS = st.lists(PIECES, max_size=40).map("".join)


def _lines(text: str, pos: int = 0) -> tuple[list[str], list[int], bool]:
    indexed = index_text(text, pos, 0)
    lines = Lines([text], [0], indexed.starts, indexed.ends)
    return list(lines), list(indexed.widths), indexed.partial


@given(LOGS)
def test_index_text_splits_as_the_engine_does(text: str) -> None:
    lines, widths, partial = _lines(text)
    assert (lines, partial) == split_lines(text)
    assert widths == [line_width(line) for line in lines]


@given(LOGS, st.integers(min_value=1, max_value=7))
def test_blocks_smaller_than_lines_change_nothing(text: str, block: int) -> None:
    """Splitting a block at a time (here a few characters) gives the same lines."""
    expected = _lines(text)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(text_module, "BLOCK", block)
        assert _lines(text) == expected


def test_index_from_an_offset_in_shifted_coordinates() -> None:
    text = "old\npartial line grew\nnew\n"
    indexed = index_text(text, 4, 100)  # `text` starts at 100 in the store's coordinates
    lines = Lines([text], [100], indexed.starts, indexed.ends)
    assert list(lines) == ["partial line grew", "new"]
    assert indexed.starts[0] == 104


@given(st.lists(st.lists(PIECES, max_size=6).map("".join), max_size=10))
def test_index_lines_keeps_each_line_verbatim(lines: list[str]) -> None:
    """Joined lines come back exactly, even ones with CRs or newlines inside."""
    chunk, indexed = index_lines(lines, 7)
    assert list(Lines([chunk], [7], indexed.starts, indexed.ends)) == lines
    assert list(indexed.widths) == [line_width(line) for line in lines]


def test_all_simple() -> None:
    assert all_simple("plain\nascii lines", crlf=False)
    assert not all_simple("tab\tinside", crlf=False)
    assert not all_simple("wide 界", crlf=False)
    assert not all_simple("crlf\r\nline", crlf=False)  # a CR kept in a line is not simple
    assert all_simple("crlf\r\nline\r", crlf=True)  # CRs that end lines are not in them
    assert not all_simple("cr\r\r\nline", crlf=True)  # the line keeps its first CR
    assert not all_simple("bare\rcr", crlf=True)


def test_lines_snapshot_reads_like_a_sequence() -> None:
    chunk, indexed = index_lines(["a", "bb", "ccc"], 0)
    lines = Lines([chunk], [0], indexed.starts, indexed.ends)
    assert len(lines) == 3 and lines[-1] == "ccc" and lines[0:2] == ["a", "bb"]
    assert lines.lengths() == [1, 2, 3]
    with pytest.raises(IndexError):
        lines[3]


def test_split_log_and_index_agree_on_a_big_log() -> None:
    text = "".join(f"line {i}\r\n" if i % 3 else f"line {i}\n" for i in range(10_000))
    assert _lines(text)[0] == split_log(text)
