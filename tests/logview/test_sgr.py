"""The SGR parser keeps colours and nothing else; every other escape is removed."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nekt_tui.logview.sgr import SgrStyle, Span, apply_sgr, clean_line, plain_text
from tests.logview.hostile import HOSTILE_LINES

# What may never come out: ESC, C1 controls, C0 controls but tab, DEL, bidi overrides.
FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def test_plain_line_is_untouched() -> None:
    line = clean_line("2024-01-01T00:00:00Z INFO fine")
    assert line.text == "2024-01-01T00:00:00Z INFO fine"
    assert line.spans == ()


def test_basic_colours_and_reset() -> None:
    line = clean_line("\x1b[31mred\x1b[0m plain \x1b[1;94mbright\x1b[m")
    assert line.text == "red plain bright"
    assert line.spans == (
        Span(0, 3, SgrStyle(fg="color(1)")),
        Span(10, 16, SgrStyle(fg="color(12)", bold=True)),
    )


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ("38;5;208", SgrStyle(fg="color(208)")),
        ("48;2;255;0;16", SgrStyle(bg="#ff0010")),
        ("38:2::1:2:3", SgrStyle(fg="#010203")),  # ITU colon form, empty colour space
        ("38:2:1:2:3;1", SgrStyle(fg="#010203", bold=True)),
        ("48:5:17", SgrStyle(bg="color(17)")),
        ("4:3", SgrStyle(underline=True)),
        (
            "1;2;3;4;7;9",
            SgrStyle(bold=True, dim=True, italic=True, underline=True, reverse=True, strike=True),
        ),
        ("42;97", SgrStyle(fg="color(15)", bg="color(2)")),
        ("38;5;999", SgrStyle()),
        ("38;5", SgrStyle()),
        ("", SgrStyle()),
    ],
)
def test_apply_sgr(params: str, expected: SgrStyle) -> None:
    assert apply_sgr(SgrStyle(), params) == expected


def test_attributes_turn_off() -> None:
    style = apply_sgr(SgrStyle(), "1;3;4;31;42")
    style = apply_sgr(style, "22;23;24;39;49")
    assert style == SgrStyle()


def test_non_sgr_sequences_are_removed_whole() -> None:
    assert clean_line("\x1b[2J\x1b[Hhome").text == "home"
    assert clean_line("\x1b]0;title\x07after").text == "after"
    assert clean_line("\x1b]8;;https://x\x1b\\link\x1b]8;;\x1b\\").text == "link"
    assert clean_line("\x1bcreset").text == "reset"
    assert clean_line("\x9b2Jx").text == "x"


def test_tabs_expand_to_eight_column_stops_across_colours() -> None:
    assert clean_line("a\tb").text == "a       b"
    line = clean_line("\x1b[31mab\x1b[0m\tc")
    assert line.text == "ab      c"


def test_carriage_return_never_overwrites() -> None:
    assert clean_line("crlf line\r").text == "crlf line"
    text = clean_line("10%\r20%").text
    assert "10%" in text and "20%" in text and "\r" not in text


def test_markup_is_kept_as_text() -> None:
    assert clean_line("[bold]x[/]").text == "[bold]x[/]"


@pytest.mark.parametrize("raw", HOSTILE_LINES)
def test_hostile_corpus_comes_out_inert(raw: str) -> None:
    line = clean_line(raw)
    assert not FORBIDDEN.search(line.text)
    assert plain_text(raw) == line.text
    for span in line.spans:
        assert 0 <= span.start < span.end <= len(line.text)


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_any_input_comes_out_without_controls(raw: str) -> None:
    raw = raw.replace("\n", " ")
    line = clean_line(raw)
    assert not FORBIDDEN.search(line.text)
    for span in line.spans:
        assert 0 <= span.start < span.end <= len(line.text)


@given(
    st.lists(
        st.sampled_from(
            ["\x1b[", "\x9b", "31", ";", "m", "38", "5", "2", "x", "\x1b]", "\x07", ":"]
        ),
        max_size=30,
    )
)
def test_escape_soup_comes_out_without_controls(parts: list[str]) -> None:
    assert not FORBIDDEN.search(clean_line("".join(parts)).text)
