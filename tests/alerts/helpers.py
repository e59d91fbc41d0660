"""Real notify commands for the tests: small shell scripts that write down what they got."""

from __future__ import annotations

import asyncio
import os
import stat
from collections.abc import Callable
from pathlib import Path

from nekt_tui.alerts import Alert

#: Every variable a notify command receives about the change.
NEKT_VARS = (
    "NEKT_RUN_ID",
    "NEKT_STATUS",
    "NEKT_PREVIOUS_STATUS",
    "NEKT_PIPELINE",
    "NEKT_LABEL",
    "NEKT_STARTED_AT",
    "NEKT_ENDED_AT",
    "NEKT_ERROR",
)


def script(path: Path, body: str) -> Path:
    """An executable shell script at `path`."""
    path.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def env_writer(tmp: Path) -> tuple[Path, Path]:
    """A notify command writing its whole environment (NUL-separated) to a new file in
    `out/` per run (whole or not at all: written aside, then renamed); returns (script,
    out dir)."""
    out = tmp / "out"
    out.mkdir()
    cmd = script(
        tmp / "notify.sh", f'env -0 > "{out}/.run.$$" && mv "{out}/.run.$$" "{out}/run.$$"\n'
    )
    return cmd, out


def written(out: Path) -> list[dict[str, str]]:
    """The environments the notify command wrote, one per run."""
    found = []
    for file in sorted(out.glob("run.*")):
        pairs = file.read_bytes().decode("utf-8").split("\0")
        found.append(dict(p.split("=", 1) for p in pairs if "=" in p))
    return found


async def until(condition: Callable[[], bool], what: str) -> None:
    """Wait (real time, at most 10 s) for a real child process to get somewhere."""
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"never happened: {what}")


def alive(pid: int) -> bool:
    """Whether process `pid` still runs (a zombie counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return True
    return state != "Z"


def alert(run_id: str = "3c90c3cc-0d44-4b50-8888-8dd25736052a", **fields: str) -> Alert:
    """A failed-run alert."""
    data = {
        "run_id": run_id,
        "status": "failed",
        "previous": "running",
        "name": "pipe-x #42",
        "pipeline": "pipe-x",
        "label": "nightly",
        "started_at": "2026-01-15T12:00:00Z",
        "ended_at": "2026-01-15T12:00:10Z",
        "error": "KeyError: 'id'",
    }
    data.update(fields)
    return Alert(**data)
