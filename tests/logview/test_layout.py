"""Filter view (matches with context, merged, gaps) and the wrapped row map."""

from __future__ import annotations

from nekt_tui.logview.layout import DROPPED, GAP, FilterView, FullView, RowMap
from nekt_tui.logview.store import LineStore


def _store(n: int, cap: int = 1_000) -> LineStore:
    store = LineStore(cap)
    store.extend([f"line {i}" for i in range(n)])
    return store


def _items(view: FilterView | FullView) -> list[int]:
    return [view.item(i) for i in range(view.count())]


def test_filter_without_context_shows_only_matches_with_gaps() -> None:
    view = FilterView(_store(10), context=0)
    view.set_matches([2, 3, 7])
    assert _items(view) == [GAP, 2, 3, GAP, 7, GAP]


def test_filter_context_merges_overlapping_ranges() -> None:
    view = FilterView(_store(20), context=2)
    view.set_matches([3, 7, 15])
    assert view.ranges == [(1, 10), (13, 18)]
    assert _items(view) == [GAP, *range(1, 10), GAP, *range(13, 18), GAP]


def test_filter_context_is_clipped_at_both_ends_and_grows_with_the_log() -> None:
    store = _store(5)
    view = FilterView(store, context=3)
    view.set_matches([0, 4])
    assert _items(view) == [0, 1, 2, 3, 4]
    store.extend(["more", "more", "more", "more"])
    assert _items(view) == [0, 1, 2, 3, 4, 5, 6, 7, GAP]  # context after line 4 filled in


def test_filter_add_matches_extends_the_tail() -> None:
    view = FilterView(_store(30), context=1)
    view.set_matches([5])
    view.add_matches([6, 20])
    assert view.ranges == [(4, 8), (19, 22)]


def test_index_of_finds_the_line_or_the_gap_standing_for_it() -> None:
    view = FilterView(_store(20), context=0)
    view.set_matches([5, 10])
    assert view.item(view.index_of(10)) == 10
    assert view.item(view.index_of(7)) == GAP
    assert view.item(view.index_of(0)) == 5


def test_dropped_marker_comes_first_in_both_views() -> None:
    store = _store(10, cap=10)
    store.extend(["new"])
    full = FullView(store)
    assert full.item(0) == DROPPED
    assert full.item(1) == store.first
    flt = FilterView(store, context=0)
    flt.set_matches([store.end - 1])
    flt.clip_front()
    assert _items(flt) == [DROPPED, GAP, store.end - 1]


def test_filter_clip_front_forgets_dropped_ranges() -> None:
    store = _store(10, cap=10)
    view = FilterView(store, context=0)
    view.set_matches([0, 9])
    store.extend([f"x{i}" for i in range(5)])
    view.clip_front()
    assert view.ranges == [(9, 10)]


def test_row_map_wraps_long_lines_and_extends_at_the_tail() -> None:
    store = LineStore()
    store.extend(["a" * 25, "b", "c" * 10])
    view = FullView(store)
    rows = RowMap()
    rows.rebuild(view, store.width, 10)
    assert rows.rows(view) == 3 + 1 + 1
    assert rows.locate(0) == (0, 0)
    assert rows.locate(2) == (0, 2)
    assert rows.locate(3) == (1, 0)
    assert rows.row_of(2) == 4
    store.extend(["d" * 11])
    rows.update_from(view, store.width, 3)
    assert rows.rows(view) == 7
    assert rows.folds(3) == 2


def test_row_map_is_identity_without_wrap() -> None:
    store = _store(5)
    view = FullView(store)
    rows = RowMap()
    rows.rebuild(view, store.width, None)
    assert rows.rows(view) == 5
    assert rows.locate(3) == (3, 0)
    assert rows.row_of(3) == 3
