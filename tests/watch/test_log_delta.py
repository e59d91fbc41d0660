"""The log delta: appends in O(new), rewrites reset, partial lines grow, CRLF splits."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nekt_tui.watch.log_delta import TAIL_CHARS, LogDelta, LogTracker, log_delta, split_lines


def test_first_log_is_a_reset_with_every_line() -> None:
    assert log_delta(None, "a\nb\n") == LogDelta(True, ("a", "b"))
    assert log_delta(None, "") == LogDelta(True, ())


def test_unchanged_log_is_none() -> None:
    assert log_delta("a\nb\n", "a\nb\n") is None
    assert log_delta(None, None) is None


def test_growth_appends_only_new_lines() -> None:
    assert log_delta("a\nb\n", "a\nb\nc\nd\n") == LogDelta(False, ("c", "d"))


def test_rewrite_resets() -> None:
    assert log_delta("a\nb\nc\n", "x\ny\n") == LogDelta(True, ("x", "y"))  # shorter
    assert log_delta("a\nb\n", "a\nX\nc\n") == LogDelta(True, ("a", "X", "c"))  # tail changed
    assert log_delta("a\nb\n", "a\nc\n") == LogDelta(True, ("a", "c"))  # same length


def test_response_without_log_changes_nothing() -> None:
    tracker = LogTracker()
    tracker.update("r", "a\nb\n")
    assert tracker.update("r", None) is None  # a flat-shape answer: no log object
    assert tracker.update("r", "a\nb\nc\n") == LogDelta(False, ("c",))


def test_partial_last_line_is_delivered_then_replaced_as_it_grows() -> None:
    tracker = LogTracker()
    assert tracker.update("r", "a\nhal") == LogDelta(True, ("a", "hal"))
    assert tracker.update("r", "a\nhalf way") == LogDelta(False, ("half way",), replace_last=True)
    assert tracker.update("r", "a\nhalf way done\nnext") == LogDelta(
        False, ("half way done", "next"), replace_last=True
    )
    assert tracker.update("r", "a\nhalf way done\nnext\n") == LogDelta(
        False, ("next",), replace_last=True
    )
    assert tracker.update("r", "a\nhalf way done\nnext\nz\n") == LogDelta(False, ("z",))


def test_crlf_and_lf_both_split() -> None:
    assert split_lines("a\r\nb\nc\r\n") == (["a", "b", "c"], False)
    tracker = LogTracker()
    assert tracker.update("r", "one\r\ntw") == LogDelta(True, ("one", "tw"))
    # The partial line ends in \r: shown without it, completed when the \n arrives.
    assert tracker.update("r", "one\r\ntwo\r") == LogDelta(False, ("two",), replace_last=True)
    assert tracker.update("r", "one\r\ntwo\r\nthree\r\n") == LogDelta(
        False, ("two", "three"), replace_last=True
    )


def test_lone_carriage_return_is_not_a_line_break() -> None:
    assert split_lines("10%\r50%\r100%\n") == (["10%\r50%\r100%"], False)


def test_runs_are_tracked_separately() -> None:
    tracker = LogTracker()
    tracker.update("a", "x\n")
    tracker.update("b", "y\n")
    assert tracker.update("a", "x\nx2\n") == LogDelta(False, ("x2",))
    tracker.forget("a")
    assert "a" not in tracker and "b" in tracker
    assert tracker.update("a", "x\nx2\n") == LogDelta(True, ("x", "x2"))


def test_append_cost_does_not_grow_with_the_log() -> None:
    big = "".join(f"line {i} of a long log\n" for i in range(200_000))  # ~5 MB
    tracker = LogTracker()
    tracker.update("r", big)
    seen = tracker._seen["r"]
    assert len(seen.tail) == TAIL_CHARS  # only the tail is kept, not the whole log
    grown = big + "new line\n"
    assert tracker.update("r", grown) == LogDelta(False, ("new line",))


@given(
    st.lists(st.text(alphabet="ab\r\n", max_size=8), min_size=1, max_size=12),
)
def test_applying_deltas_always_reproduces_the_log(chunks: list[str]) -> None:
    tracker = LogTracker()
    shown: list[str] = []
    log = ""
    for chunk in chunks:
        log += chunk
        delta = tracker.update("r", log)
        if delta is None:
            continue
        if delta.reset:
            shown = list(delta.lines)
        else:
            if delta.replace_last:
                shown.pop()
            shown.extend(delta.lines)
        assert shown == split_lines(log)[0]


def test_a_reset_holds_the_log_not_its_lines_until_they_are_asked_for() -> None:
    log = "".join(f"line {i}\n" for i in range(1000))
    delta = LogTracker().update("r", log)
    assert delta is not None and delta.reset
    assert delta.text is log  # a consumer holding this very string needs no lines
    assert delta == LogDelta(True, tuple(f"line {i}" for i in range(1000)))
    assert delta.lines[0] == "line 0" and len(delta.lines) == 1000
    assert delta.text is None  # split once, then the lines are what it holds
    with pytest.raises(AttributeError):
        delta.reset = False  # type: ignore[misc]
