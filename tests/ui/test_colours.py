"""The status colours survive every colour system Textual can drive (16, 256, truecolor).

What a terminal shows is the app's segments downgraded by its console to the terminal's
colour system: these tests render the screen through a console of that system and read
the colour codes it would send, as `TERM=screen` in tmux would receive them.
"""

from __future__ import annotations

import io
import re

import pytest
import textual.constants
from rich.color import Color, ColorSystem
from rich.console import Console

from nekt_tui.ui.app import NektApp

from .conftest import RUN_A, RUN_B, ScriptedSource, advance, run_json, scripted_app

# An SGR sequence, then the text it colours.
_SGR = re.compile(r"\x1b\[([0-9;]*)m([^\x1b]*)")


def _codes_before(ansi: str, word: str) -> list[set[str]]:
    """For each place `word` is written, the SGR parameters in force for it."""
    found = []
    active: set[str] = set()
    for params, text in _SGR.findall(ansi):
        parts = params.split(";") if params else ["0"]
        if "0" in parts or params == "":
            active = set()
        active |= {p for p in parts if p not in ("0", "")}
        if word in text:
            found.append(set(active))
    return found


def _screen_as(app: NektApp, system: str) -> str:
    """The whole screen as a terminal of `system` colours would receive it."""
    console = Console(
        width=app.size.width,
        height=app.size.height,
        file=io.StringIO(),
        force_terminal=True,
        color_system=system,  # type: ignore[arg-type]
        legacy_windows=False,
    )
    update = app.screen._compositor.render_update(full=True)
    with console.capture() as capture:
        console.print(update)
    return capture.get()


def _foreground_16(codes: set[str]) -> set[str]:
    """The 16-colour foreground codes among SGR parameters."""
    return {c for c in codes if c.isdigit() and (30 <= int(c) <= 37 or 90 <= int(c) <= 97)}


RED = {"31", "91"}
GREEN = {"32", "92"}
WHITE_OR_GREY = {"37", "97", "90", "30"}


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light", "nord"])
async def test_failed_is_red_and_success_green_on_a_16_colour_terminal(
    monkeypatch: pytest.MonkeyPatch, theme: str
) -> None:
    # What TERM=screen or TERM=xterm gives Textual: the standard 16 colours.
    monkeypatch.setattr(textual.constants, "COLOR_SYSTEM", "standard")
    source = ScriptedSource({RUN_A: run_json(RUN_A, "failed"), RUN_B: run_json(RUN_B, "success")})
    app, clock = scripted_app(source, [RUN_A, RUN_B], theme=theme)
    async with app.run_test(size=(160, 30)) as pilot:
        await advance(pilot, clock, 1)
        ansi = _screen_as(app, "standard")
        failed = [_foreground_16(c) for c in _codes_before(ansi, "failed")]
        success = [_foreground_16(c) for c in _codes_before(ansi, "success")]
        # The list's status column and the status panel's heading, at least.
        assert len(failed) >= 2 and len(success) >= 1
        assert all(codes & RED for codes in failed), failed
        assert all(codes & GREEN for codes in success), success


@pytest.mark.parametrize("system", ["256", "truecolor"])
async def test_failed_stays_reddish_and_success_greenish_with_more_colours(
    monkeypatch: pytest.MonkeyPatch, system: str
) -> None:
    monkeypatch.setattr(textual.constants, "COLOR_SYSTEM", system)
    source = ScriptedSource({RUN_A: run_json(RUN_A, "failed"), RUN_B: run_json(RUN_B, "success")})
    app, clock = scripted_app(source, [RUN_A, RUN_B])
    async with app.run_test(size=(160, 30)) as pilot:
        await advance(pilot, clock, 1)
        variables = app.get_css_variables()
        downgrade = ColorSystem.EIGHT_BIT if system == "256" else ColorSystem.TRUECOLOR
        red = Color.parse(variables["status-failed"]).downgrade(downgrade).get_truecolor()
        green = Color.parse(variables["status-success"]).downgrade(downgrade).get_truecolor()
        assert red.red > red.green and red.red > red.blue
        assert green.green > green.red and green.green > green.blue
