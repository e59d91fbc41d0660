"""The error index behind `e`/`E`: the same answers as a line-by-line scan, built lazily
once, then kept complete as lines arrive (counted: only new lines are looked at)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nekt_tui.logview import errors as errors_module
from nekt_tui.logview import store as store_module
from nekt_tui.logview.errors import hint_lines
from nekt_tui.logview.levels import Level, LevelMap, line_facts, may_be_error
from nekt_tui.logview.sgr import plain_text
from nekt_tui.logview.store import LineStore
from nekt_tui.logview.text import index_text
from nekt_tui.watch.log_delta import LogDelta

LINES = st.sampled_from(
    [
        "INFO fine",
        "2024-01-01T00:00:00Z ERROR boom",
        "Traceback (most recent call last):",
        '  File "x.py", line 1, in <module>',
        "ValueError: bad",
        "\x1b[31mERR\x1b[0mOR coloured",
        "WARNING careful",
        "\tindented with a tab",
        "   " + "x" * 230 + " error far away",
        "0 errors",
        "",
    ]
)


def _reference(store: LineStore, *, own_levels: bool = True) -> list[int]:
    """Error starts by brute force, every line one by one (as `next_error` used to scan),
    on levels of its own or (after drops) the store's: a line's level is remembered when
    the lines before it, now dropped, made it part of a traceback."""
    first = store.first
    levels = LevelMap(lambda i: line_facts(plain_text(store.raw(i))))
    levels.reset(first)
    level = levels.level if own_levels else store.level
    return [
        i
        for i in range(first, store.end)
        if level(i) is Level.ERROR and (i == first or level(i - 1) is not Level.ERROR)
    ]


def _walk(store: LineStore) -> list[int]:
    found: list[int] = []
    at = store.next_error(None)
    while at is not None:
        found.append(at)
        at = store.next_error(at)
    return found


@given(st.lists(LINES, max_size=60))
def test_next_error_matches_a_line_by_line_scan(lines: list[str]) -> None:
    store = LineStore()
    store.load_text("\n".join(lines))
    assert _walk(store) == _reference(store)


@given(st.lists(LINES, max_size=40), st.lists(st.lists(LINES, max_size=5), max_size=8))
def test_the_index_stays_right_as_lines_arrive(first: list[str], polls: list[list[str]]) -> None:
    store = LineStore(cap=25)
    store.load_text("\n".join(first) + "\n")
    store.next_error(None)  # someone asked: the index catches up, then follows appends
    for poll in polls:
        store.extend(poll)
        assert store.errors.complete
        assert _walk(store) == _reference(store, own_levels=False)


def test_hint_filter_agrees_with_may_be_error() -> None:
    lines = [
        "plain line",
        "an Error here",
        "x" * 198 + "err",  # the hint must end within the first 200 characters
        "x" * 198 + "er" + "r",
        "x" * 199 + "err",
        "\x1b[1mEXC\x1b[0m",
        "E\x1b[0mRR split by an escape",
        "tab\tthen panic",
    ]
    text = "\r\n".join(lines)
    indexed = index_text(text, 0, 0)
    found = hint_lines([text], [0], indexed.starts, indexed.ends, 0, len(lines))
    assert found == [
        k
        for k, line in enumerate(lines)
        if may_be_error(plain_text(line))  # the shown text, as the view draws it
    ]


def test_an_append_scans_only_the_new_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    store = LineStore()
    store.load_text("".join(f"INFO {i}\n" for i in range(10_000)) + "ERROR late\n")
    assert store.next_error(None) == 10_000
    checked: list[int] = []
    real = LineStore.is_error_start

    def counting(self: LineStore, i: int) -> bool:
        checked.append(i)
        return real(self, i)

    monkeypatch.setattr(LineStore, "is_error_start", counting)
    store.apply(LogDelta(False, ("INFO x", "ERROR new", "INFO y")))
    assert checked == [10_002]  # the one new line that may be an error
    checked.clear()
    assert store.next_error(10_000) == 10_002
    assert store.next_error(None) == 10_000
    assert checked == []  # answered from the index: a bisect


def test_a_big_log_is_scanned_only_as_far_as_the_answer_needs() -> None:
    store = LineStore()
    store.load_text("INFO ok\n" * 50 + "ERROR early\n" + "INFO ok\n" * 100_000)
    assert store.next_error(None) == 50
    assert store.errors.scanned < 10_000  # not the whole log
    assert store.next_error(50) is None
    assert store.errors.complete


@given(st.lists(st.lists(LINES, max_size=5), max_size=8), st.integers(1, 40))
def test_many_chunks_and_small_blocks_give_the_same_answers(
    polls: list[list[str]], block: int
) -> None:
    """Each poll in a chunk of its own, scanned a few characters at a time: the hint
    filter crosses chunk and block edges and still finds what a line-by-line scan finds."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(store_module, "_MERGE_BELOW", 0)
        mp.setattr(errors_module, "BLOCK", block)
        store = LineStore()
        for poll in polls:
            store.extend(poll)
        assert store.chunk_count() == len([p for p in polls if p])
        assert [store.raw(i) for i in range(store.end)] == [x for p in polls for x in p]
        assert _walk(store) == _reference(store)
