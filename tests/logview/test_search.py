"""Search: plain and regex, smart case, counts, and a match set that follows the store."""

from __future__ import annotations

import pytest

from nekt_tui.logview.matches import MatchSet
from nekt_tui.logview.search import SearchError, SearchQuery, find_spans, scan, smart_case
from nekt_tui.logview.store import LineStore
from nekt_tui.watch.log_delta import LogDelta

LINES = [
    "INFO connect to db",
    "ERROR Connection refused",
    "INFO retry (1) connection",
    "DEBUG a.b.c",
    "ERROR connection refused again, connection lost",
]


def _hits(query: SearchQuery) -> tuple[list[int], int]:
    result = scan(query.compile(), LINES, 0)
    return result.lines, result.count


def test_plain_is_literal_and_case_insensitive_without_capitals() -> None:
    assert _hits(SearchQuery("connection")) == ([1, 2, 4], 4)
    assert _hits(SearchQuery("(1)")) == ([2], 1)  # not a regex group
    assert _hits(SearchQuery("a.b")) == ([3], 1)  # the dot is literal


def test_capitals_make_it_case_sensitive() -> None:
    assert _hits(SearchQuery("Connection")) == ([1], 1)


def test_regex_option() -> None:
    assert _hits(SearchQuery(r"refused( again)?", regex=True)) == ([1, 4], 2)
    assert _hits(SearchQuery(r"^info", regex=True)) == ([0, 2], 2)
    assert _hits(SearchQuery(r"a.b", regex=True)) == ([3], 1)


def test_smart_case_ignores_regex_escapes() -> None:
    assert smart_case(r"\S+error", regex=True) is False
    assert smart_case(r"\SError", regex=True) is True
    assert smart_case(r"\S", regex=False) is True


def test_bad_regex_says_why() -> None:
    with pytest.raises(SearchError, match="not a valid regex"):
        SearchQuery("(", regex=True).compile()


def test_empty_matches_are_not_matches() -> None:
    assert find_spans(SearchQuery("x*", regex=True).compile(), "abc") == []


def test_search_sees_the_cleaned_text_not_escapes() -> None:
    lines = ["\x1b[31mERR\x1b[0mOR here", "\x1b]0;needle\x07 nothing"]
    assert scan(SearchQuery("ERROR").compile(), lines, 0).lines == [0]
    assert scan(SearchQuery("needle").compile(), lines, 0).lines == []


def test_scan_stops_when_cancelled() -> None:
    result = scan(SearchQuery("x").compile(), ["x"] * 50_000, 0, cancelled=lambda: True)
    assert not result.complete and result.lines == []


def _store(lines: list[str], cap: int = 1_000) -> LineStore:
    store = LineStore(cap)
    store.extend(lines)
    return store


def test_match_set_follows_appends_in_o_new() -> None:
    store = _store(LINES)
    m = MatchSet(store, SearchQuery("connection"))
    m.scan_now()
    change = store.apply(LogDelta(False, ("a connection", "nothing")))
    assert m.on_change(change) == [5]
    assert m.lines == [1, 2, 4, 5] and m.count == 5


def test_match_set_regrown_last_line() -> None:
    store = _store(["abc", "conn"])
    m = MatchSet(store, SearchQuery("connection"))
    m.scan_now()
    assert m.lines == []
    m.on_change(store.apply(LogDelta(False, ("connection ok",), replace_last=True)))
    assert m.lines == [1] and m.count == 1
    m.on_change(store.apply(LogDelta(False, ("gone",), replace_last=True)))
    assert m.lines == [] and m.count == 0


def test_match_set_drops_with_the_store() -> None:
    store = _store([f"hit {i}" for i in range(10)], cap=10)
    m = MatchSet(store, SearchQuery("hit"))
    m.scan_now()
    m.on_change(store.extend(["hit 10"]))
    assert m.lines[0] == store.first
    assert m.count == len(store)


def test_threaded_scan_merge_catches_up_with_lines_that_arrived() -> None:
    store = _store(["hit", "miss", "hi"])
    m = MatchSet(store, SearchQuery("hit"))
    raw, start, end = m.snapshot()
    result = scan(m.pattern, raw, start)  # as the thread would
    assert m.on_change(store.apply(LogDelta(False, ("hit!", "hit"), replace_last=True))) is None
    m.merge(result, end)
    assert m.lines == [0, 2, 3]
    assert not m.pending


def test_next_and_previous_walk_every_match_and_wrap() -> None:
    store = _store(LINES)
    m = MatchSet(store, SearchQuery("connection"))
    m.scan_now()
    seen = [m.next() for _ in range(5)]
    assert seen == [(1, 0), (2, 0), (4, 0), (4, 1), (1, 0)]
    assert m.index_of_current() == 1
    assert [m.previous() for _ in range(3)] == [(4, 1), (4, 0), (2, 0)]
    assert m.first_from(3) == (4, 0)
    assert m.index_of_current() == 3


def test_counts_and_positions_stay_right_through_drops_and_regrowth() -> None:
    """Running totals (not sums) give the count and "k of n": check them against a
    recount after the cap drops matched lines and a matched line regrows."""
    store = _store([f"hit {i} hit" if i % 3 == 0 else "miss" for i in range(30)], cap=30)
    m = MatchSet(store, SearchQuery("hit"))
    m.scan_now()
    m.on_change(store.extend(["hit", "miss", "hit hit"]))  # the cap drops the oldest
    m.on_change(store.apply(LogDelta(False, ("hit hit hit",), replace_last=True)))
    recount = [len(find_spans(m.pattern, store.text(i))) for i in range(store.first, store.end)]
    assert m.count == sum(recount)
    m.first_from(store.end - 1)
    assert m.current == (store.end - 1, 0)
    assert m.index_of_current() == sum(recount[:-1]) + 1
    m.previous()
    assert m.index_of_current() == sum(recount[:-1])
