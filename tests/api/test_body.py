"""A large JSON answer split as it arrives parses exactly as `json.loads` of the whole."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nekt_tui.api.body import LONG_STRING, JsonSplitter


def split_parse(body: bytes, size: int) -> Any:
    splitter = JsonSplitter()
    for start in range(0, len(body), size):
        splitter.feed(body[start : start + size])
    return splitter.parse()


LONG = "".join(f'{i} "q" \\ é € 😀 \t\x01\n' for i in range(LONG_STRING // 10))


@pytest.mark.parametrize("ensure_ascii", [True, False])
@pytest.mark.parametrize("size", [5, 7, 4096, 64 * 1024])
def test_long_strings_cut_anywhere_come_back_whole(ensure_ascii: bool, size: int) -> None:
    value = {"id": "r", "log": {"parsed_log": LONG}, "list": [LONG[::-1], "short"], LONG: 1}
    body = json.dumps(value, ensure_ascii=ensure_ascii).encode()
    assert split_parse(body, size) == value


def test_a_surrogate_pair_cut_between_its_halves_is_one_character() -> None:
    text = "x" * (LONG_STRING + 10)
    body = ('{"a": "' + text + "\\ud83d\\ude00" + text + '"}').encode()
    cut = body.index(b"\\ude00")
    splitter = JsonSplitter()
    splitter.feed(body[:cut])
    splitter.feed(body[cut:])
    assert splitter.parse() == json.loads(body) == {"a": text + "😀" + text}


@pytest.mark.parametrize(
    "body",
    [
        b'{"a": "' + b"x" * (LONG_STRING + 5) + b"\\q" + b'"}',  # invalid escape
        b'{"a": "' + b"x" * (LONG_STRING + 5) + b"\xff" + b'"}',  # not UTF-8
        b'{"a": "' + b"x" * (LONG_STRING + 5) + b"\x01" + b'"}',  # raw control character
        b'{"a": "' + b"x" * (LONG_STRING + 5),  # cut short
        b'{"a": "' + b"x" * (LONG_STRING + 5) + b'" junk}',
        b"<html>" + b"x" * (LONG_STRING + 5),
    ],
)
def test_not_json_is_refused_as_json_loads_refuses_it(body: bytes) -> None:
    with pytest.raises(ValueError):
        json.loads(body.decode("utf-8"))
    for size in (3, 1000, 64 * 1024):
        with pytest.raises(ValueError):
            split_parse(body, size)


@settings(max_examples=100, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(), kids, max_size=4),
        max_leaves=8,
    ),
    st.text(min_size=1, max_size=40),
    st.integers(min_value=61, max_value=997),
)
def test_any_json_parses_the_same(value: Any, pattern: str, size: int) -> None:
    long = (pattern * (LONG_STRING // len(pattern) + 2))[: LONG_STRING + 3]
    body = json.dumps({"v": value, "long": long}).encode()
    assert split_parse(body, size) == json.loads(body)
