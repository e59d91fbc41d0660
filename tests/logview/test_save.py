"""Saving: the default name, exact bytes, and no overwrite unless asked."""

from __future__ import annotations

from pathlib import Path

import pytest

from nekt_tui.logview.save import default_log_name, plain_log, write_log


def test_default_name_uses_slug_and_number_or_short_id() -> None:
    assert default_log_name("pipe-x", 42, "3c90c3cc") == "pipe-x-42.log"
    assert default_log_name("pipe-x", None, "3c90c3cc") == "pipe-x-3c90c3cc.log"
    assert default_log_name(None, None, "3c90c3cc") == "run-3c90c3cc.log"


def test_default_name_is_filename_safe() -> None:
    name = default_log_name("../../etc/passwd\x1b[31m", 1, "x")
    assert "/" not in name and "\x1b" not in name and not name.startswith(".")


def test_write_keeps_the_text_exactly_and_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "a.log"
    text = "line 1\r\n\x1b[31mline 2\x1b[0m\n"
    write_log(path, text)
    assert path.read_bytes() == text.encode()
    with pytest.raises(FileExistsError):
        write_log(path, "other")
    assert path.read_bytes() == text.encode()
    write_log(path, "other", overwrite=True)
    assert path.read_text() == "other"
    assert [p.name for p in tmp_path.iterdir()] == ["a.log"]  # no temp file left


# Every way a log line can reach the terminal that `cat`s a saved file.
HOSTILE = (
    "title \x1b]0;pwned\x07 here\n"
    "clip \x1b]52;c;ZXZpbA==\x07 done\n"
    "title st \x1b]2;x\x1b\\ ok\n"
    "reset \x1bc now\n"
    "clear \x1b[2J\x1b[H screen\n"
    "c1 csi \x9b2J and c1 osc \x9d0;t\x9c end\n"
    "\x1b[1;31mred\x1b[0m text\r\n"
    "lone \x9b and \x9d and bell \x07 and cr\rover\n"
    "tab\tkept, unterminated \x1b]0;to the end\n"
    "last, no newline"
)


def test_plain_log_has_no_escape_sequences_and_no_controls() -> None:
    text = plain_log(HOSTILE)
    for bad in ("\x1b", "\x9b", "\x9d", "\x9c", "\x07", "\r"):
        assert bad not in text
    assert not [c for c in text if (ord(c) < 0x20 and c not in "\t\n") or 0x7F <= ord(c) < 0xA0]
    lines = text.split("\n")
    assert len(lines) == HOSTILE.count("\n") + 1  # one line for one line
    assert lines[0] == "title  here"
    assert lines[3] == "reset  now"
    assert lines[6] == "red text"  # colours gone, CRLF ending gone
    assert lines[8] == "tab\tkept, unterminated "
    assert lines[-1] == "last, no newline"
    assert "pwned" not in text and "ZXZpbA" not in text


def test_plain_log_leaves_clean_text_as_it_is() -> None:
    text = "line 1\n\tindented — ünïcode\nlast\n"
    assert plain_log(text) == text
    assert plain_log("") == ""
