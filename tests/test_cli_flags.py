"""Global flags (`--api-url`, `--config`) work before or after a subcommand; the app never
opens for a subcommand, and nothing is saved to the watch list."""

from __future__ import annotations

from pathlib import Path

import pytest

from nekt_tui.cli import main
from tests.conftest import SimServer, forbid_app, isolate


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No NEKT_* from the environment, a private config and state file, no app start."""
    forbid_app(monkeypatch, "the app must not open for a subcommand")
    return isolate(tmp_path, monkeypatch)


def exit_code(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exc:
        return int(exc.code or 0)


@pytest.mark.parametrize(
    "shape",
    [
        "before",  # nekt-tui --api-url URL status ID
        "before=",  # nekt-tui --api-url=URL status ID
        "after",  # nekt-tui status --api-url URL ID
        "config-before",  # nekt-tui --config PATH status ID
    ],
)
def test_global_flags_before_or_after_the_subcommand_run_it(
    sim_server: SimServer,
    isolated: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    shape: str,
) -> None:
    monkeypatch.setenv("NEKT_API_KEY", sim_server.key)
    rid = sim_server.run_ids[0]
    cfg = isolated / "other.toml"
    cfg.write_text(f'api_url = "{sim_server.url}"\n')
    argv = {
        "before": ["--api-url", sim_server.url, "status", rid],
        "before=": [f"--api-url={sim_server.url}", "status", rid],
        "after": ["status", "--api-url", sim_server.url, rid],
        "config-before": ["--config", str(cfg), "status", rid],
    }[shape]
    assert exit_code(argv) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert rid in out and "STATUS" in out
    assert not (isolated / "state.json").exists()


def test_global_flag_before_wait_reaches_wait(
    isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rid = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
    # No key: `wait` says so (exit 3) before any request; the app is never opened.
    assert exit_code(["--api-url", "http://127.0.0.1:9", "wait", rid]) == 3
    err = capsys.readouterr().err
    assert "no API key" in err and "Traceback" not in err
    assert not (isolated / "state.json").exists()


def test_a_subcommand_after_app_flags_is_refused_not_watched(
    isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rid = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
    assert exit_code(["--demo", "status", rid]) == 2
    line = capsys.readouterr().err.strip()
    assert "status" in line and "first" in line and "\n" not in line
    assert not (isolated / "state.json").exists()


def test_simulate_without_uvicorn_says_how_to_get_it(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "uvicorn", None)  # `import uvicorn` fails as if absent
    assert exit_code(["simulate", "--port", "0"]) == 1
    err = capsys.readouterr().err
    assert err == "nekt-tui simulate needs uvicorn: pip install 'nekt-tui[simulate]'\n"
