"""Profiles: `[profiles.NAME]` tables chosen with --profile, NEKT_TUI_PROFILE or
default_profile; each with its own URL, key and watch list; bad ones exit 2 with one line."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from nekt_tui.cli import main
from nekt_tui.config import ConfigError, load_config
from tests.conftest import SimServer, forbid_app, isolate

RID = "3c90c3cc-0d44-4b50-8888-8dd25736052a"


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No NEKT_* from the environment, a private config and state file, no app start."""
    forbid_app(monkeypatch, "the app must not open for a subcommand")
    return isolate(tmp_path, monkeypatch)


def write_config(folder: Path, text: str, mode: int = 0o600) -> Path:
    path = folder / "config.toml"
    path.write_text(text)
    path.chmod(mode)
    return path


def exit_code(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exc:
        return int(exc.code or 0)


def one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    return lines[0]


@pytest.fixture(scope="module")
def two_workspaces() -> Iterator[tuple[SimServer, SimServer]]:
    """Two simulators, each accepting only its own key (staging and production)."""
    from tests.conftest import start_sim_server

    staging = start_sim_server("--key", "staging-key-1")
    production = start_sim_server("--key", "production-key-2", "--seed", "7", "--runs", "3")
    yield staging, production
    staging.stop()
    production.stop()


def two_profiles(folder: Path, staging: SimServer, production: SimServer, extra: str = "") -> Path:
    return write_config(
        folder,
        f'api_url = "http://127.0.0.1:9"\n{extra}'
        f'[profiles.staging]\napi_url = "{staging.url}"\napi_key = "{staging.key}"\n'
        f'[profiles.prod]\napi_url = "{production.url}"\napi_key = "{production.key}"\n',
    )


@pytest.mark.parametrize("where", ["before", "after", "env"])
def test_profile_status_uses_that_profiles_url_and_key(
    isolated: Path,
    two_workspaces: tuple[SimServer, SimServer],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    where: str,
) -> None:
    staging, production = two_workspaces
    two_profiles(isolated, staging, production)
    for name, server in (("staging", staging), ("prod", production)):
        rid = server.run_ids[0]
        if where == "env":
            monkeypatch.setenv("NEKT_TUI_PROFILE", name)
            argv = ["status", rid]
        elif where == "before":
            argv = ["--profile", name, "status", rid]
        else:
            argv = ["status", rid, "--profile", name]
        assert exit_code(argv) == 0, capsys.readouterr().err
        assert rid in capsys.readouterr().out
    # The other workspace does not know the run: each profile reached its own server.
    assert exit_code(["--profile", "staging", "status", production.run_ids[0]]) != 0


def test_default_profile_is_used_and_the_flag_beats_it(
    isolated: Path, two_workspaces: tuple[SimServer, SimServer], capsys: pytest.CaptureFixture[str]
) -> None:
    staging, production = two_workspaces
    two_profiles(isolated, staging, production, extra='default_profile = "prod"\n')
    assert exit_code(["status", production.run_ids[0]]) == 0, capsys.readouterr().err
    assert exit_code(["--profile", "staging", "status", staging.run_ids[0]]) == 0
    assert load_config().profile == "prod"


def test_a_profile_key_wins_over_the_environment_and_the_url_gets_no_top_level_key(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(
        isolated,
        'api_key = "top-key"\n'
        '[profiles.own]\napi_url = "https://own.example"\napi_key = "own-key"\n'
        '[profiles.bare]\napi_url = "https://bare.example"\n'
        '[profiles.look]\ntheme = "nord"\n',
    )
    monkeypatch.setenv("NEKT_API_KEY", "env-key")
    own = load_config({"profile": "own"})
    assert own.api_key is not None and own.api_key.reveal() == "own-key"
    assert own.api_url.startswith("https://own.example")
    monkeypatch.delenv("NEKT_API_KEY")
    # A profile with its own URL never sends the top-level key there.
    assert load_config({"profile": "bare"}).api_key is None
    look = load_config({"profile": "look"})
    assert look.theme == "nord" and look.api_key is not None
    assert look.api_key.reveal() == "top-key"


def test_each_profile_keeps_its_own_watch_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    isolate(tmp_path, monkeypatch, state=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    write_config(
        tmp_path,
        '[profiles.a]\ninterval = 3\n[profiles.b]\nstate_file = "~/b-list.json"\n',
    )
    a = load_config({"profile": "a"}).state_file
    assert a is not None and a.name == "watchlist-a.json"
    assert str(tmp_path / "xdg") in str(a)
    assert load_config({"profile": "b"}).state_file == Path("~/b-list.json").expanduser()
    assert load_config().state_file is None  # no profile: the default list, as before
    # A shared list named by NEKT_TUI_STATE gets one file per profile beside it.
    monkeypatch.setenv("NEKT_TUI_STATE", str(tmp_path / "state.json"))
    assert load_config({"profile": "a"}).state_file == tmp_path / "state-a.json"
    # The command line's --state-file is taken as given.
    given = {"profile": "a", "state_file": str(tmp_path / "x.json")}
    assert load_config(given).state_file == tmp_path / "x.json"


@pytest.mark.parametrize(
    ("text", "argv", "words"),
    [
        ("[profiles.a]\n[profiles.b]\n", ["--profile", "nope"], "unknown profile 'nope'"),
        ('default_profile = "gone"\n[profiles.a]\n', [], "unknown profile 'gone'"),
        ("[profiles.a]\napi_ulr = 'x'\n", ["--profile", "a"], "[profiles.a] unknown setting"),
        ("[profiles.a]\ninterval = 'x'\n", ["--profile", "a"], "'interval' has the wrong type"),
        ("profiles = 3\n", [], "profiles must be tables"),
        ("[profiles]\na = 1\n", [], "profiles.a must be a table"),
        ("[profiles.a]\nprofiles = {}\n", ["--profile", "a"], "unknown setting 'profiles'"),
        ("[profiles.'../x']\n", [], "profile name '../x'"),
    ],
)
def test_bad_profiles_exit_2_with_one_line(
    isolated: Path, capsys: pytest.CaptureFixture[str], text: str, argv: list[str], words: str
) -> None:
    write_config(isolated, text)
    assert exit_code([*argv, "status", RID]) == 2
    line = one_line(capsys.readouterr().err)
    assert words in line
    if "unknown profile" in words:
        assert "defines: a" in line


def test_env_profile_unknown_names_the_known_ones(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(isolated, "[profiles.staging]\n[profiles.prod]\n")
    monkeypatch.setenv("NEKT_TUI_PROFILE", "qa")
    with pytest.raises(ConfigError, match=r"unknown profile 'qa'.*defines: prod, staging"):
        load_config()


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
@pytest.mark.parametrize("profile", [None, "a"])
def test_a_profile_key_in_a_file_others_can_read_is_refused(
    isolated: Path, capsys: pytest.CaptureFixture[str], profile: str | None
) -> None:
    # The key is in profile b: the file is refused whichever profile is chosen.
    write_config(isolated, '[profiles.a]\n[profiles.b]\napi_key = "sk-b-SECRET"\n', mode=0o644)
    argv = ["--profile", profile] if profile else []
    assert exit_code([*argv, "status", RID]) == 2
    line = one_line(capsys.readouterr().err)
    assert "readable by others" in line and "chmod 600" in line
    assert "sk-b-SECRET" not in line


def test_profile_key_command_runs_without_the_terminal(
    isolated: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "key.sh"
    script.write_text("#!/bin/sh\necho cmd-key-3\n")
    script.chmod(0o700)
    write_config(isolated, f'[profiles.a]\napi_key_cmd = "{script}"\n')
    config = load_config({"profile": "a"})
    assert config.api_key is not None and config.api_key.reveal() == "cmd-key-3"
    assert config.key_source.startswith("api_key_cmd in [profiles.a]")
    assert config.profiles == ("a",)
