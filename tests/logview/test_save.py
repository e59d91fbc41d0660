"""Saving: the default name, exact bytes, and no overwrite unless asked."""

from __future__ import annotations

from pathlib import Path

import pytest

from nekt_tui.logview.save import default_log_name, write_log


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
