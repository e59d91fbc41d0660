"""`nekt-tui wait` as a user runs it: `notify_cmd` from the config file runs for the
failure, over a real simulator."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import start_sim_server

pytestmark = pytest.mark.integration


def test_wait_runs_the_configured_notify_command(tmp_path: Path) -> None:
    told = tmp_path / "told"
    script = tmp_path / "notify.sh"
    script.write_text(
        f'#!/bin/sh\nprintf "%s %s" "$NEKT_PREVIOUS_STATUS" "$NEKT_STATUS" > {told}\n'
    )
    script.chmod(0o700)
    config = tmp_path / "config.toml"
    config.write_text(f'notify_cmd = ["{script}"]\n')
    sim = start_sim_server("--speed", "20")
    try:
        rid = sim.find(outcome="failed").id
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEKT")}
        env |= {"NEKT_API_KEY": sim.key, "NEKT_TUI_CONFIG": str(config)}
        result = subprocess.run(
            [sys.executable, "-m", "nekt_tui", "wait", rid, "--api-url", sim.url],
            capture_output=True, text=True, env=env, timeout=120, check=False,
        )  # fmt: skip
    finally:
        sim.stop()
    assert result.returncode in (0, 1), result.stderr
    assert told.read_text().endswith(" failed")
