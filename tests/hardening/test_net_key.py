"""A key that cannot go in an HTTP header is one line, never a traceback (issue 13.7)."""

from __future__ import annotations

from pathlib import Path

import pytest

from nekt_tui.cli import main

RID = "3c90c3cc-0d44-4b50-8888-8dd25736052a"


@pytest.mark.parametrize("key", ["clé-secrète-42", "sk-live 42 inner-space", "🔑-sk-live-42"])
def test_status_with_a_key_that_cannot_be_sent_says_so_in_one_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    key: str,
) -> None:
    monkeypatch.setenv("NEKT_TUI_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("NEKT_TUI_STATE", str(tmp_path / "watchlist.json"))
    monkeypatch.setenv("NEKT_API_KEY", key)
    # Port 9 on loopback: were anything sent, it would fail as unreachable instead.
    code = main(["status", RID, "--api-url", "http://127.0.0.1:9"])
    err = capsys.readouterr().err
    assert code in (2, 3), err
    assert len(err.splitlines()) == 1, err
    assert "Traceback" not in err and key not in err
    assert "header" in err or "API key" in err
