"""The bounded line store: deltas, regrown lines, the cap and its dropped-lines count."""

from __future__ import annotations

import gc
import tracemalloc

import pytest
from hypothesis import given
from hypothesis import strategies as st

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


# --- mirroring a run's log text ---------------------------------------------------------


def test_load_text_holds_the_log_string_itself_and_no_line_strings() -> None:
    """The memory promise, as structure: one chunk, the very `parsed_log` string, and
    offsets in arrays; no per-line string objects."""
    text = "".join(f"2024-01-01T00:00:00Z INFO record {i}\n" for i in range(5_000))
    store = LineStore()
    store.load_text(text)
    assert store.source is text and store.chunk_count() == 1
    assert store.end == 5_000 and store.raw(1234) == "2024-01-01T00:00:00Z INFO record 1234"
    held = [v for v in vars(store).values() if isinstance(v, list)]
    assert all(len(v) <= 1 for v in held)  # the chunk and its base, nothing per line
    assert not any(isinstance(v, str) and v is not text for v in vars(store).values())


def test_load_text_retains_a_few_bytes_per_line() -> None:
    """Counted with tracemalloc: a 20,000-line log costs the store its offsets (about 21
    bytes a line), where line strings would cost over 50 bytes a line more than the text."""
    text = "".join(f"line number {i} of the log\n" for i in range(20_000))
    gc.collect()
    tracemalloc.start()
    try:
        store = LineStore()
        store.load_text(text)
        retained, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert store.end == 20_000
    assert retained < 32 * 20_000


def test_follow_text_appends_what_grew_and_holds_the_new_string() -> None:
    store = LineStore()
    old = "one\ntw"
    store.load_text(old)
    assert _lines(store) == ["one", "tw"]
    new = "one\ntwo\r\nthree\n"
    change = store.follow_text(new)
    assert change is not None and not change.reset and change.regrown and change.start == 1
    assert _lines(store) == ["one", "two", "three"]
    assert store.source is new and store.chunk_count() == 1
    same = "".join(["one\ntwo\r\n", "three\n"])  # equal, another object (the next poll)
    assert store.follow_text(same) is None and store.source is same


def test_follow_text_resets_on_a_rewritten_log() -> None:
    store = LineStore()
    store.load_text("a\nb\nc\n")
    change = store.follow_text("x\ny\n")  # shorter: rewritten
    assert change is not None and change.reset and _lines(store) == ["x", "y"]
    change = store.follow_text("x\nZ\nmore\n")  # the old tail is not where it was
    assert change is not None and change.reset and _lines(store) == ["x", "Z", "more"]


@given(st.lists(st.sampled_from(["a", "b\n", "\r\n", "ERROR x\n", "\n", "c"]), max_size=30))
def test_sync_follows_the_engine_exactly(pieces: list[str]) -> None:
    """Poll by poll, through the engine's tracker: the store shows `split_log` of the log
    and, as long as it mirrors the log, holds the newest string."""
    tracker, store = LogTracker(), LineStore(cap=7)
    log = ""
    for piece in pieces:
        log = log + piece
        delta = tracker.update("r", log)
        store.sync(log, delta)
        expected = split_log(log)
        assert _lines(store) == expected[len(expected) - len(store) :]
        assert store.end == len(expected)
        assert store.source is log


def test_sync_applies_a_delta_that_does_not_fit_the_text() -> None:
    """A delta that does not start where the store is (another log was loaded) is applied
    as it is, the store then keeping lines rather than mirroring the text."""
    store = LineStore()
    text = "one\ntwo\n"
    store.load_text(text)
    store.sync(text, LogDelta(False, ("three",)))
    assert _lines(store) == ["one", "two", "three"] and store.source is None
    store.sync("x\n", LogDelta(True, ("x",)))
    assert _lines(store) == ["x"] and store.source == "x\n"
    store.sync("x\n", LogDelta(True, ("not", "x")))  # a reset that does not match either
    assert _lines(store) == ["not", "x"]


def test_a_reset_made_from_the_very_text_is_loaded_without_splitting_it() -> None:
    """The engine's first-sight delta is the run's log string itself: the store indexes
    that string and never asks the delta for one string per line."""
    text = "one\ntwo\nthr"
    delta = LogTracker().update("r", text)
    assert delta is not None and delta.text is text
    store = LineStore()
    store.sync(text, delta)
    assert _lines(store) == ["one", "two", "thr"] and store.source is text
    assert delta.text is text  # its lines were never split


def test_many_small_appends_share_a_chunk_and_drops_release_chunks() -> None:
    store = LineStore(cap=1_000)
    for i in range(100):
        store.extend([f"poll {i}"])
    assert store.chunk_count() == 1  # merged, not one string per poll
    store.extend(["x" * 70_000])  # the small chunk is full: a new one
    store.extend(["y"])
    assert store.chunk_count() == 2
    store.extend([f"z{i}" for i in range(1_000)])  # drops everything before
    assert store.first > 101 and store.chunk_count() == 1
    assert store.raw(store.end - 1) == "z999"


def test_raw_slice_is_a_snapshot() -> None:
    store = LineStore()
    store.extend(["a", "b", "c"])
    snap = store.raw_slice(1, 3)
    store.replace_last("C!")
    store.reset(["other"])
    assert list(snap) == ["b", "c"]


def test_next_error_with_regrown_and_dropped_lines() -> None:
    store = LineStore(cap=20)
    store.load_text("INFO a\nINFO b\nERRO")
    assert store.next_error() is None and store.errors.complete
    store.follow_text("INFO a\nINFO b\nERROR boom\n")  # the partial line grew into an error
    assert store.next_error() == 2
    store.follow_text("INFO a\nINFO b\nERROR boom\nERROR again\n" + "INFO x\n" * 30)
    assert store.next_error() is None  # the cap dropped both error lines
