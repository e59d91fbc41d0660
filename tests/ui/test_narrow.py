"""An 80-column terminal: the key bar shows whole keys (as many as fit, never "/ Fil"), and
a toast keeps its text but not its blank rows, so it covers less of the list."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets._toast import Toast

from nekt_tui.ui.app import NektApp
from nekt_tui.ui.screens.pipelines import PipelinesScreen

from .conftest import make_sim

PALETTE = "▏^p palette"


def screen_rows(app: NektApp) -> list[str]:
    """The screen's rows as the terminal shows them, every blank cell kept."""
    strips = app.screen._compositor.render_strips()
    return [strip.text for strip in strips]


def key_labels(app: NektApp) -> list[str]:
    """Every key the bar would show with room enough, as it writes them ("/ Filter"): one
    per action, with the first key bound to it."""
    labels: dict[str, str] = {}
    for _, binding, _, _ in app.screen.active_bindings.values():
        if binding.show and binding.key != "ctrl+p":
            labels.setdefault(
                binding.action, f"{app.get_key_display(binding)} {binding.description}"
            )
    return list(labels.values())


def shown_keys(app: NektApp) -> list[str]:
    """The keys the bottom row shows, left of the palette key, as whole labels: fails on a
    label cut by the edge."""
    row = screen_rows(app)[-1]
    # The palette key ends one blank cell before the edge: nothing scrolled shows there.
    assert row.endswith(PALETTE + " "), row
    keys = row[: row.rindex(PALETTE)]
    labels = key_labels(app)
    shown: list[str] = []
    rest = keys.strip()
    for label in labels:
        if not rest:
            break
        assert rest.startswith(label), f"{rest!r} does not start with the key {label!r}"
        shown.append(label)
        rest = rest[len(label) :].lstrip()
    assert not rest, f"{rest!r} is not a whole key"
    return shown


@pytest.mark.parametrize(
    ("size", "last"),
    [((80, 24), "/ Filter"), ((100, 30), "h Recent runs"), ((200, 60), "p Pause run")],
)
async def test_the_key_bar_shows_whole_keys_only(size: tuple[int, int], last: str) -> None:
    sim = make_sim()
    async with sim.app.run_test(size=size) as pilot:
        await sim.advance(pilot, 1)
        await pilot.pause()
        shown = shown_keys(sim.app)
        assert shown[0] == "tab Next panel" and shown[-1] == last, shown


async def test_the_key_bar_follows_the_terminal_as_it_is_resized() -> None:
    sim = make_sim()
    async with sim.app.run_test(size=(200, 40)) as pilot:
        await sim.advance(pilot, 1)
        await pilot.pause()
        every = shown_keys(sim.app)
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.pause()
        narrow = shown_keys(sim.app)
        assert 0 < len(narrow) < len(every)
        await pilot.resize_terminal(200, 40)
        await pilot.pause()
        await pilot.pause()
        assert shown_keys(sim.app) == every


@pytest.mark.parametrize("size", [(80, 24), (56, 20)])
async def test_the_key_bar_of_a_list_screen_shows_whole_keys(size: tuple[int, int]) -> None:
    sim = make_sim()
    async with sim.app.run_test(size=size) as pilot:
        await sim.advance(pilot, 1)
        await pilot.press("b")
        for _ in range(50):
            await pilot.pause()
            if isinstance(sim.app.screen, PipelinesScreen) and sim.app.screen.reads:
                break
        assert isinstance(sim.app.screen, PipelinesScreen)
        await pilot.pause()
        shown = shown_keys(sim.app)
        assert shown[:2] == ["esc Back", "⏎ Watch run"], shown


async def _toast_rows(size: tuple[int, int]) -> tuple[list[tuple[int, int]], int]:
    """Two change toasts on the dashboard: the rows of each and of its text, and how many
    rows of the run list they cover."""
    sim = make_sim()
    async with sim.app.run_test(size=size, notifications=True) as pilot:
        await sim.advance(pilot, 1)
        app: Any = sim.app
        for name in ("stripe-to-catalog #90", "hubspot-to-catalog #8"):
            app.say(f"{name} running → success")
        await pilot.pause()
        await pilot.pause()
        toasts = [t for t in app.screen.query(Toast) if t.display]
        runs = app.query_one("#runs").region
        covered = {y for t in toasts for y in range(t.region.y, t.region.bottom)}
        return [(t.region.height, t.content_region.height) for t in toasts], len(
            covered & set(range(runs.y, runs.bottom))
        )


async def test_a_toast_on_a_narrow_terminal_keeps_its_text_and_drops_its_blank_rows() -> None:
    narrow, covered = await _toast_rows((80, 24))
    wide, _ = await _toast_rows((120, 40))
    assert len(narrow) == len(wide) == 2
    # Each toast is its text alone below 100 columns, with a blank row above and below it
    # on a wider terminal.
    assert [rows for rows, text in narrow] == [text for rows, text in narrow]
    assert [rows for rows, text in wide] == [text + 2 for rows, text in wide]
    assert covered <= 4, covered
