"""Keys in one place: the help and the command palette are generated from the bindings
(their ids, descriptions and tooltips), and `[keys]` in the config file remaps them."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.binding import Binding
from textual.widgets import Static

from nekt_tui.cli import main
from nekt_tui.simulator import World
from nekt_tui.ui._textual_compat import keymap_in_force
from nekt_tui.ui.app import COMMANDS, NektApp, check_keys, key_classes
from nekt_tui.ui.keymap import bindings_in_force, declared_bindings
from nekt_tui.ui.screens.help_screen import HelpScreen
from nekt_tui.ui.screens.main import MainScreen

from .conftest import make_sim


def _two_runs(clock: object) -> World:
    world = World(seed=1, clock=clock, n_runs=0)  # type: ignore[arg-type]
    world.add_run((("running", 600.0),), "success", pipeline=None)
    world.add_run((("queued", 600.0),), "success", pipeline=None)
    return world


def _help_lines(app: NektApp) -> list[tuple[list[str], str]]:
    """(keys, description) of each key line of the open help screen."""
    assert isinstance(app.screen, HelpScreen)
    text = str(app.screen.query_one("#help-body", Static).render())
    rows = []
    for line in text.splitlines():
        if line.startswith("  "):
            keys, _, what = line.strip().partition("  ")
            rows.append((keys.split(", "), what.strip()))
    return rows


def _own(cls: type) -> list[Binding]:
    """The bindings `cls` itself declares (not Textual's, inherited)."""
    return list(Binding.make_bindings(cls.__dict__.get("BINDINGS", [])))


def test_every_binding_of_ours_has_a_unique_id_and_a_description() -> None:
    seen: dict[str, str] = {}
    for cls in key_classes():
        for binding in _own(cls):
            assert binding.id, (cls.__name__, binding.key, binding.action)
            assert binding.description, binding.id
            assert seen.setdefault(binding.id, binding.action) == binding.action, binding.id


async def test_help_lists_every_binding_with_its_key() -> None:
    sim = make_sim(_two_runs)
    async with sim.app.run_test(size=(100, 60)) as pilot:
        await pilot.press("question_mark")
        lines = _help_lines(sim.app)
        for cls in key_classes():
            for _, binding in declared_bindings(cls):
                if not binding.description:
                    continue
                key = sim.app.get_key_display(binding)
                assert any(key in keys and what == binding.description for keys, what in lines), (
                    key,
                    binding.description,
                )


async def test_palette_has_every_action_with_its_key() -> None:
    sim = make_sim(_two_runs)
    async with sim.app.run_test(size=(100, 30)):
        commands = {cmd.title: cmd.help for cmd in sim.app.get_system_commands(sim.app.main)}
        main_ids = {b.id for b in _own(MainScreen)}
        for binding_id, title in COMMANDS:
            assert binding_id in main_ids
            keys = [
                sim.app.get_key_display(b)
                for _, b in declared_bindings(MainScreen)
                if b.id == binding_id
            ]
            tooltip = next(
                b.tooltip for _, b in declared_bindings(MainScreen) if b.id == binding_id
            )
            assert commands[title] == f"{tooltip} ({', '.join(keys)})"
        assert commands["Remove run"] == "Stop watching the marked runs, or the selected one (d)"
        assert commands["Help: every key"] == "List every key (?)"
        # Every described key of the main screen but quit and previous panel has an entry.
        listed = {binding_id for binding_id, _ in COMMANDS}
        assert main_ids - listed == {"quit", "previous-panel"}


async def test_a_remapped_key_does_the_action_and_the_old_key_does_not() -> None:
    sim = make_sim(_two_runs)
    first, second = sim.world.run_ids
    sim.app.set_keymap(check_keys({"remove": "delete", "undo": "ctrl+z,U"}))
    async with sim.app.run_test(size=(100, 40)) as pilot:
        await sim.advance(pilot, 1)
        await pilot.press("d")  # no longer Remove
        await pilot.pause()
        assert list(sim.app.model.rows) == [first, second]
        await pilot.press("delete")
        await pilot.pause()
        assert list(sim.app.model.rows) == [second]
        await pilot.press("u")  # no longer Undo
        await pilot.pause()
        assert list(sim.app.model.rows) == [second]
        await pilot.press("U")
        await pilot.pause()
        assert list(sim.app.model.rows) == [first, second]
        # The help and the palette say the new keys.
        commands = {cmd.title: cmd.help for cmd in sim.app.get_system_commands(sim.app.main)}
        assert commands["Remove run"] == "Stop watching the marked runs, or the selected one (del)"
        assert commands["Undo remove"] == "Bring back the last removed run (^z, U)"
        await pilot.press("question_mark")
        lines = _help_lines(sim.app)
        assert (["del"], "Remove") in lines
        assert (["^z", "U"], "Undo remove") in lines
        assert not any("d" in keys and what == "Remove" for keys, what in lines)


def test_check_keys_normalises_and_refuses_in_one_line() -> None:
    assert check_keys({"remove": "delete", "log-wrap": " W , ctrl+w"}) == {
        "remove": "delete",
        "log-wrap": "W,ctrl+w",
    }
    with pytest.raises(ValueError, match="no key binding has the id 'remvoe'") as unknown:
        check_keys({"remvoe": "delete"})
    assert "\n" not in str(unknown.value) and "remove" in str(unknown.value)
    for bad in ("", "ctrl+", "ctrl+ a", "a b", "delete,,x", "Ctrl+x"):
        with pytest.raises(ValueError, match="is not a key") as malformed:
            check_keys({"remove": bad})
        assert "\n" not in str(malformed.value)


async def test_the_keymap_in_force_reads_what_textual_applies() -> None:
    """The help reads the keymap as Textual normalised it ("?" is question_mark)."""
    app = NektApp()
    app.set_keymap({"help": "?"})
    assert keymap_in_force(app) == {"help": "question_mark"}
    keys = [key for key, b in bindings_in_force(app, MainScreen) if b.id == "help"]
    assert keys == ["question_mark"]


@pytest.mark.parametrize(
    ("table", "words"),
    [
        ('remvoe = "delete"', "no key binding has the id 'remvoe'"),
        ('remove = "ctrl+"', "remove = 'ctrl+' is not a key"),
        ("remove = 3", 'remove must be keys in quotes, like "delete"'),
        ('remove = "a"', "remove would take 'a' from add"),
    ],
)
def test_a_bad_keys_entry_exits_2_with_one_line(
    isolated: Path, capsys: pytest.CaptureFixture[str], table: str, words: str
) -> None:
    (isolated / "config.toml").write_text(f"[keys]\n{table}\n")
    assert main(["--demo"]) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(err) == 1, err
    assert words in err[0] and err[0].startswith("nekt-tui")
    assert str(isolated / "config.toml") in err[0]


def test_a_key_taken_from_another_binding_is_refused_but_a_swap_is_not() -> None:
    with pytest.raises(ValueError) as clash:
        check_keys({"remove": "a"})
    message = str(clash.value)
    assert "\n" not in message
    assert message == (
        "[keys]: remove would take 'a' from add; pick another key or move that one too"
    )
    with pytest.raises(ValueError, match="log-wrap would take 'f' from log-follow"):
        check_keys({"log-wrap": "f"})
    # A log panel key over a key of the whole screen is shadowing, as `/` already is.
    assert check_keys({"log-wrap": "?"}) == {"log-wrap": "?"}
    assert check_keys({"add": "d", "remove": "a"}) == {"add": "d", "remove": "a"}
