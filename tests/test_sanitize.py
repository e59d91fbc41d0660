"""The one sanitiser: nothing the server sends can reach the terminal as a control."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nekt_tui.sanitize import sanitize, strip_escapes

_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

# Strings built from the pieces attackers use, so hypothesis finds the interesting mixes.
_PIECES = st.sampled_from(
    [
        "\x1b",
        "[",
        "]",
        "\x07",
        "\\",
        "P",
        "0;",
        "52;c;",
        "8;;",
        "m",
        "31",
        "\x9b",
        "\x9d",
        "\x90",
        "\x9c",
        "\r",
        "\n",
        "\t",
        "\x7f",
        "\u202e",
        "\u2066",
        "c",
        "a",
        "é",
        " ",
    ]
)
_HOSTILE = st.lists(_PIECES, max_size=40).map("".join) | st.text()


@settings(max_examples=600)
@given(_HOSTILE)
def test_output_never_holds_escape_c1_or_controls(text: str) -> None:
    out = sanitize(text)
    assert "\x1b" not in out
    assert not _FORBIDDEN.search(out), repr(out)


@settings(max_examples=300)
@given(_HOSTILE)
def test_single_line_output_has_no_newline(text: str) -> None:
    out = sanitize(text, single_line=True)
    assert "\n" not in out and "\x1b" not in out and not _FORBIDDEN.search(out)


@settings(max_examples=300)
@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E)))
def test_printable_ascii_is_untouched(text: str) -> None:
    assert sanitize(text) == text


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b[31mred\x1b[0m", "red"),  # CSI SGR
        ("a\x1b[2J\x1b[Hb", "ab"),  # clear screen, cursor home
        ("\x1b]0;owned\x07title", "title"),  # OSC title, BEL-terminated
        ("\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\", "link"),  # OSC 8 hyperlink, ST
        ("\x1b]52;c;ZWNobyBoaQ==\x07x", "x"),  # OSC 52 clipboard write
        ("\x1bP+q544e\x1b\\ok", "ok"),  # DCS
        ("\x1bcreset", "reset"),  # ESC c (full reset)
        ("\x9b31mC1", "C1"),  # 8-bit CSI
        ("\x9d0;t\x9cz", "z"),  # 8-bit OSC, 8-bit ST
        ("a\rb", "a␍b"),  # carriage return cannot overwrite
        ("bell\x07", "bell␇"),
        ("nul\x00", "nul␀"),
        ("del\x7f", "del␡"),
        ("\u202eevil", "<U+202E>evil"),
        ("\u2066iso\u2069", "<U+2066>iso<U+2069>"),
        ("tab\tkept", "tab\tkept"),
        ("[@click=app.quit]x[/]", "[@click=app.quit]x[/]"),  # markup is not our business here
    ],
)
def test_known_sequences(raw: str, shown: str) -> None:
    assert sanitize(raw) == shown


def test_newline_kept_or_made_visible() -> None:
    assert sanitize("a\nb") == "a\nb"
    assert sanitize("a\nb", single_line=True) == "a␊b"


def test_strip_escapes_keeps_text() -> None:
    assert strip_escapes("x\x1b[1;32my\x1b]0;t\x07z") == "xyz"


@settings(max_examples=300)
@given(st.text(alphabet=st.characters(min_codepoint=0xD780, max_codepoint=0xE100)) | _HOSTILE)
def test_output_can_always_be_written_to_a_utf8_terminal(text: str) -> None:
    for single_line in (False, True):
        sanitize(text, single_line=single_line).encode("utf-8")  # never UnicodeEncodeError


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("a\ud800b", "a<U+D800>b"),  # a lone high surrogate, as json decodes "\ud800"
        ("\udfff", "<U+DFFF>"),
        ("\ud83d\ude00", "<U+D83D><U+DE00>"),  # a pair never joined is two lone halves
        ("ok \U0001f600", "ok \U0001f600"),  # a real emoji is kept
    ],
)
def test_lone_surrogates_are_shown_as_a_visible_mark(raw: str, shown: str) -> None:
    assert sanitize(raw) == shown
    assert sanitize(raw, single_line=True) == shown
