"""`max_response_mb` reaches the client `status` and `wait` use."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from nekt_tui.api.errors import RunNotFoundError
from nekt_tui.cli import main

RID = "3c90c3cc-0d44-4b50-8888-8dd25736052a"


def test_max_response_mb_is_passed_to_the_client_as_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in list(os.environ):
        if name.startswith("NEKT"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("NEKT_TUI_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("NEKT_API_KEY", "sk-test-limits")
    monkeypatch.setenv("NEKT_TUI_MAX_RESPONSE_MB", "3")
    made: list[dict[str, Any]] = []

    class Client:
        """Stands in for NektClient, with the size cap and read-only parameters."""

        def __init__(
            self,
            api_key: str,
            base_url: str | None = None,
            *,
            max_response_bytes: int = 0,
            read_only: bool = False,
        ) -> None:
            made.append({"max_response_bytes": max_response_bytes})

        async def __aenter__(self) -> Client:
            return self

        async def __aexit__(self, *_exc: object) -> None:
            return None

        async def get_run(self, run_id: str) -> Any:
            raise RunNotFoundError(run_id)

    monkeypatch.setattr("nekt_tui.api.client.NektClient", Client)
    assert main(["status", RID]) == 3
    assert made == [{"max_response_bytes": 3 << 20}]
    assert "not found" in capsys.readouterr().err
