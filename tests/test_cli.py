"""Every bad command line exits 2 with one line that says what is wrong and what to do."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from nekt_tui.cli import main

KEY = "sk-live-SECRET-cli-55"
RID = "3c90c3cc-0d44-4b50-8888-8dd25736052a"


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("NEKT")}
    base.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "nekt_tui", *args],
        capture_output=True,
        text=True,
        env=base,
        timeout=60,
        check=False,
    )


def one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    return lines[0]


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--frobnicate"], "unrecognized arguments: --frobnicate"),
        (["--interval", "fast"], "is not a number"),
        (["--interval", "0"], "must be more than 0"),
        (["--bell", "loud"], "invalid choice"),
        (["--theme", "no-such-theme"], "unknown theme 'no-such-theme'"),
        (["not-an-id"], "'not-an-id' is not a run ID"),
        (["status", "not-an-id"], "not a run ID"),
        (["wait", RID, "--timeout", "-1"], "--timeout"),
        (["wait"], "RUN_ID"),
        (["simulate", "--port", "http"], "--port"),
    ],
)
def test_bad_usage_exits_2_with_one_line(
    isolated: Path, capsys: pytest.CaptureFixture[str], argv: list[str], words: str
) -> None:
    with pytest.raises(SystemExit) as exc:
        code = main(argv)
        raise SystemExit(code)
    assert exc.value.code == 2
    line = one_line_error(capsys)
    assert words in line and line.startswith("nekt-tui")


def test_unreadable_config_exits_2_naming_it(
    isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = isolated / "config.toml"
    cfg.write_text("interval = [\n")
    assert main(["status", RID]) == 2
    line = one_line_error(capsys)
    assert str(cfg) in line and "not valid TOML" in line


def test_world_readable_key_file_is_refused(
    isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = isolated / "config.toml"
    cfg.write_text(f'api_key = "{KEY}"\n')
    cfg.chmod(0o644)
    assert main(["status", RID]) == 2
    line = one_line_error(capsys)
    assert f"chmod 600 {cfg}" in line and KEY not in line


def test_missing_key_for_headless_is_exit_3(
    isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["status", RID]) == 3
    assert "NEKT_API_KEY" in one_line_error(capsys)


def test_help_never_shows_the_key(tmp_path: Path) -> None:
    env = {"NEKT_API_KEY": KEY, "NEKT_TUI_CONFIG": str(tmp_path / "c.toml")}
    for args in (["--help"], ["status", "--help"], ["wait", "--help"], ["simulate", "--help"]):
        result = run_cli(*args, env=env)
        assert result.returncode == 0, result.stderr
        assert KEY not in result.stdout + result.stderr
        assert "usage:" in result.stdout


def test_version() -> None:
    result = run_cli("--version")
    assert result.returncode == 0 and result.stdout.startswith("nekt-tui ")
