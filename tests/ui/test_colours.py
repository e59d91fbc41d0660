"""The status colours survive every colour system Textual can drive (16, 256, truecolor).

What a terminal shows is the app's segments downgraded by its console to the terminal's
colour system: these tests render the screen through a console of that system and read
the colour codes it would send, as `TERM=screen` in tmux would receive them.
"""

from __future__ import annotations

import pytest
import textual.constants
from rich.color import Color, ColorSystem

from nekt_tui.ui.app import NektApp

from .conftest import RUN_A, RUN_B, ScriptedSource, advance, run_json, scripted_app


def _foregrounds_16(app: NektApp, word: str) -> list[set[str]]:
    """For each segment of the screen holding `word`, the 16-colour foreground code a
    terminal of 16 colours receives for it (its colour downgraded as rich downgrades it).

    Read from the segments' styles, not from rendered text: Textual caches a strip's
    rendering, and a strip rendered for another colour system would hide what this one
    receives."""
    found = []
    update = app.screen._compositor.render_update(full=True)
    for line in update.strips:
        for strip in line:
            for segment in strip:
                style = segment.style
                if word not in segment.text or style is None:
                    continue
                color = style.color
                if color is None:
                    found.append(set())
                    continue
                number = color.downgrade(ColorSystem.STANDARD).number
                if number is None:
                    found.append(set())
                else:
                    found.append({str(30 + number if number < 8 else 82 + number)})
    return found


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
        failed = _foregrounds_16(app, "failed")
        success = _foregrounds_16(app, "success")
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
