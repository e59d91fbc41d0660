"""The bounded line store: deltas, regrown lines, the cap and its dropped-lines count."""

from __future__ import annotations

import pytest

from nekt_tui.logview.levels import Level
from nekt_tui.logview.store import LineStore, split_log
from nekt_tui.watch.log_delta import LogDelta, LogTracker


def _lines(store: LineStore) -> list[str]:
    return [store.raw(i) for i in range(store.first, store.end)]


def test_split_log_matches_the_engine() -> None:
    assert split_log("a\nb\n") == ["a", "b"]
    assert split_log("a\r\nb") == ["a", "b"]
    assert split_log("") == []
    assert split_log(None) == []


def test_apply_append_replace_last_and_reset() -> None:
    store = LineStore()
    store.apply(LogDelta(reset=True, lines=("one", "tw")))
    change = store.apply(LogDelta(reset=False, lines=("two", "three"), replace_last=True))
    assert _lines(store) == ["one", "two", "three"]
    assert change.start == 1 and not change.reset
    store.apply(LogDelta(reset=True, lines=("fresh",)))
    assert _lines(store) == ["fresh"]


def test_follows_a_tracker_exactly() -> None:
    """Every growth step through the engine's tracker gives what splitting the log gives."""
    tracker, store = LogTracker(), LineStore()
    log = ""
    for piece in ["a\nb", "b\nc\n", "", "d", "dd\r\ne\n", "f"]:
        log += piece
        delta = tracker.update("r", log)
        if delta is not None:
            store.apply(delta)
        assert _lines(store) == split_log(log)


def test_cap_drops_oldest_in_batches_and_counts_them() -> None:
    store = LineStore(cap=100)
    store.extend([f"l{i}" for i in range(100)])
    assert store.dropped == 0 and len(store) == 100
    change = store.extend(["l100"])
    assert len(store) <= 100
    assert store.dropped == 101 - len(store) == change.dropped
    assert store.raw(store.end - 1) == "l100"
    assert store.raw(store.first) == f"l{store.first}"  # absolute numbering kept


def test_a_reset_bigger_than_the_cap_keeps_only_the_newest() -> None:
    store = LineStore(cap=10)
    store.reset([f"l{i}" for i in range(1_000)])
    assert len(store) <= 10
    assert store.end == 1_000
    assert store.dropped == 1_000 - len(store)
    assert _lines(store)[-1] == "l999"


def test_cap_must_be_positive() -> None:
    with pytest.raises(ValueError):
        LineStore(cap=0)


def test_widths_and_max_width_use_the_cleaned_text() -> None:
    store = LineStore()
    store.extend(["abc", "\x1b[31mred\x1b[0m", "a\tb", "界"])
    assert [store.width(i) for i in range(4)] == [3, 3, 9, 2]
    assert store.max_width == 9


def test_next_error_counts_a_traceback_once() -> None:
    store = LineStore()
    store.extend(
        [
            "INFO start",
            "Traceback (most recent call last):",
            '  File "x.py", line 1, in <module>',
            "ValueError: bad",
            "INFO again",
            "ERROR second",
        ]
    )
    assert store.next_error(None) == 1
    assert store.next_error(1) == 5
    assert store.next_error(2) == 5
    assert store.next_error(5) is None
    assert store.level(2) is Level.ERROR


def test_replace_last_recomputes_its_level() -> None:
    store = LineStore()
    store.extend(["2024-01-01T00:00:00Z INF"])
    assert store.level(0) is Level.NONE
    store.replace_last("2024-01-01T00:00:00Z ERROR boom")
    assert store.level(0) is Level.ERROR
    assert store.text(0).endswith("boom")
