"""Figure 6: time from process start to the first full frame, `nekt-tui --demo` vs a minimal
Textual app with one label. Both run as child processes on a 160x48 pseudo-terminal, with
the same interpreter; the clock starts just before the process is spawned and stops when
the first full frame has been written to the terminal (see `benchmarks.terminal`).

Both start from compiled bytecode, as an installed package does: nekt_tui's modules are
compiled first, since a checkout run with PYTHONDONTWRITEBYTECODE would otherwise compile
its 70 modules on every start while Textual's are already compiled.
"""

from __future__ import annotations

import compileall
import sys
from pathlib import Path

import nekt_tui
from benchmarks.common import Figure, Row, Size, log
from benchmarks.terminal import TerminalProcess

NEKT = (sys.executable, "-m", "nekt_tui", "--demo")
MINIMAL = (sys.executable, "-m", "benchmarks.apps", "minimal")


def first_frame(argv: tuple[str, ...]) -> float:
    """Seconds to the first full frame of one start."""
    with TerminalProcess(argv) as proc:
        return proc.wait_first_frame()


def figure(size: Size) -> Figure:
    """Figure 6."""
    fig = Figure(6, "Start-up to the first full frame")
    nekt: list[float] = []
    minimal: list[float] = []
    compileall.compile_dir(Path(nekt_tui.__file__).parent, quiet=1)
    if not size.quick:  # CI's smoke run keeps under a minute; its numbers mean nothing
        first_frame(MINIMAL)  # warm the OS file cache for both, untimed
        first_frame(NEKT)
    # A start takes a quarter of a second and one busy moment on a shared machine moves
    # it by a third: three pairs per repetition make the median mean something.
    for rep in range(size.pick(3 * size.repeat, size.repeat)):
        pair = (NEKT, MINIMAL) if rep % 2 == 0 else (MINIMAL, NEKT)
        for argv in pair:
            (nekt if argv is NEKT else minimal).append(first_frame(argv))
        log(f"rep {rep + 1}: nekt-tui --demo {nekt[-1]:.3f} s, minimal app {minimal[-1]:.3f} s")
    fig.rows.append(
        Row(
            "6",
            "Start-up: process start to first full frame of nekt-tui --demo",
            "s",
            nekt,
            minimal,
            "a minimal Textual app showing one label",
            "≤ 1.5×",
            check=lambda r: (r.ratio or 1e9) <= 1.5,
        )
    )
    fig.raw = {"nekt_tui_demo_s": nekt, "minimal_s": minimal, "terminal": "160x48 pty"}
    return fig
