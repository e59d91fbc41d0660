"""Settings: precedence, validation, the key's sources and its privacy."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from nekt_tui.config import ConfigError, Secret, load_config

KEY = "sk-live-SECRET-cfg-91"


def write(path: Path, text: str, mode: int = 0o600) -> Path:
    path.write_text(text)
    path.chmod(mode)
    return path


def test_defaults_without_file(tmp_path: Path) -> None:
    cfg = load_config({"config_file": str(tmp_path / "none.toml")}, env={})
    assert cfg.api_url == "https://api.nekt.ai" and cfg.api_key is None
    assert cfg.interval == 2.0 and cfg.bell == "failures" and cfg.key_source == "none"


def test_precedence_cli_over_env_over_file(tmp_path: Path) -> None:
    path = write(tmp_path / "c.toml", 'api_url = "http://127.0.0.1:1"\ninterval = 7\n')
    env = {"NEKT_API_URL": "http://127.0.0.1:2", "NEKT_TUI_CONFIG": str(path)}
    assert load_config({}, env=env).api_url == "http://127.0.0.1:2"
    assert load_config({}, env=env).interval == 7
    assert load_config({"api_url": "http://localhost:3"}, env=env).api_url == "http://localhost:3"
    assert load_config({}, env={"NEKT_TUI_CONFIG": str(path)}).api_url == "http://127.0.0.1:1"


def test_key_sources(tmp_path: Path) -> None:
    path = write(tmp_path / "c.toml", f'api_key = "{KEY}-file"\n')
    env = {"NEKT_TUI_CONFIG": str(path)}
    assert load_config({}, env=env).api_key == Secret(f"{KEY}-file")
    env["NEKT_API_KEY"] = KEY
    cfg = load_config({}, env=env)
    assert cfg.api_key is not None and cfg.api_key.reveal() == KEY
    assert cfg.key_source == "NEKT_API_KEY"


def test_key_from_command(tmp_path: Path) -> None:
    script = write(tmp_path / "pass.py", f"print({KEY!r})\n")
    path = write(tmp_path / "c.toml", f"api_key_cmd = '{sys.executable} {script}'\n", mode=0o644)
    cfg = load_config({}, env={"NEKT_TUI_CONFIG": str(path)})
    assert cfg.api_key is not None and cfg.api_key.reveal() == KEY


def test_failing_key_command_is_reported_without_output(tmp_path: Path) -> None:
    script = write(tmp_path / "pass.py", f"import sys\nprint({KEY!r})\nsys.exit(3)\n")
    path = write(tmp_path / "c.toml", f"api_key_cmd = '{sys.executable} {script}'\n")
    with pytest.raises(ConfigError) as err:
        load_config({}, env={"NEKT_TUI_CONFIG": str(path)})
    assert "exit 3" in str(err.value) and KEY not in str(err.value)


def test_key_never_printed_by_config() -> None:
    cfg = load_config({"config_file": "/nonexistent/c.toml"}, env={"NEKT_API_KEY": KEY})
    assert KEY not in repr(cfg) and KEY not in str(cfg) and KEY not in f"{cfg.api_key}"


@pytest.mark.skipif(os.name != "posix", reason="file modes")
def test_world_readable_key_file_is_refused_with_chmod(tmp_path: Path) -> None:
    path = write(tmp_path / "c.toml", f'api_key = "{KEY}"\n', mode=0o644)
    with pytest.raises(ConfigError) as err:
        load_config({}, env={"NEKT_TUI_CONFIG": str(path)})
    assert f"chmod 600 {path}" in str(err.value) and KEY not in str(err.value)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("interval = [", "not valid TOML"),
        ("intervall = 3", "unknown setting 'intervall'"),
        ('interval = "fast"', "wrong type"),
        ("interval = true", "wrong type"),
        ('run_list = "no"', "wrong type"),
        ("interval = 0.1", "at least 0.5"),
        ('bell = "loud"', "bell must be one of"),
        ('api_url = "http://api.nekt.ai"', "https://"),
    ],
)
def test_bad_config_file_names_path_and_problem(tmp_path: Path, text: str, words: str) -> None:
    path = write(tmp_path / "c.toml", text + "\n")
    with pytest.raises(ConfigError) as err:
        load_config({}, env={"NEKT_TUI_CONFIG": str(path)})
    assert words in str(err.value)


def test_unreadable_config_file(tmp_path: Path) -> None:
    path = tmp_path / "dir.toml"
    path.mkdir()
    with pytest.raises(ConfigError) as err:
        load_config({}, env={"NEKT_TUI_CONFIG": str(path)})
    assert str(path) in str(err.value)


def test_run_list_can_be_turned_off_in_the_file(tmp_path: Path) -> None:
    assert load_config({"config_file": str(tmp_path / "none.toml")}, env={}).run_list is True
    path = write(tmp_path / "c.toml", "run_list = false\n")
    assert load_config({}, env={"NEKT_TUI_CONFIG": str(path)}).run_list is False


def key_command(tmp_path: Path, printed: str) -> dict[str, str]:
    """An environment whose config's api_key_cmd prints exactly `printed`."""
    script = write(tmp_path / "pass.py", f"import sys\nsys.stdout.write({printed!r})\n")
    path = write(tmp_path / "c.toml", f"api_key_cmd = '{sys.executable} {script}'\n")
    return {"NEKT_TUI_CONFIG": str(path)}


def test_key_command_trailing_newline_is_stripped(tmp_path: Path) -> None:
    cfg = load_config({}, env=key_command(tmp_path, f"  {KEY}\r\n"))
    assert cfg.api_key is not None and cfg.api_key.reveal() == KEY


@pytest.mark.parametrize(
    ("source", "bad"),
    [
        ("cmd", f"{KEY} extra\n"),
        ("cmd", f"{KEY}\tx\n"),
        ("env", f"{KEY} x"),
        ("env", f"{KEY}é"),
        ("env", f"{KEY}\x00"),
        ("file", f"{KEY}ü"),
        ("file", f"{KEY}\\u00a0x"),
    ],
)
def test_key_a_header_cannot_carry_is_refused_in_one_line(
    tmp_path: Path, source: str, bad: str
) -> None:
    if source == "cmd":
        env = key_command(tmp_path, bad)
    elif source == "env":
        env = {"NEKT_TUI_CONFIG": str(tmp_path / "none.toml"), "NEKT_API_KEY": bad}
    else:
        path = write(tmp_path / "c.toml", f'api_key = "{bad}"\n')
        env = {"NEKT_TUI_CONFIG": str(path)}
    with pytest.raises(ConfigError) as err:
        load_config({}, env=env)
    message = str(err.value)
    assert "characters an HTTP header cannot carry" in message and "\n" not in message
    assert KEY not in message


def test_max_response_mb_default_file_env_and_bounds(tmp_path: Path) -> None:
    none = {"NEKT_TUI_CONFIG": str(tmp_path / "none.toml")}
    assert load_config({}, env=none).max_response_mb == 256
    path = write(tmp_path / "c.toml", "max_response_mb = 40\n")
    env = {"NEKT_TUI_CONFIG": str(path)}
    assert load_config({}, env=env).max_response_mb == 40
    assert load_config({}, env={**env, "NEKT_TUI_MAX_RESPONSE_MB": "7"}).max_response_mb == 7
    for bad in ("0", "-3", "lots", "1.5"):
        with pytest.raises(ConfigError, match="max_response_mb"):
            load_config({}, env={**none, "NEKT_TUI_MAX_RESPONSE_MB": bad})


def test_keys_table_is_read(tmp_path: Path) -> None:
    cfg = write(tmp_path / "c.toml", '[keys]\nremove = "delete"\n"log-wrap" = "W,ctrl+w"\n')
    config = load_config({"config_file": str(cfg)}, env={})
    assert dict(config.keys) == {"remove": "delete", "log-wrap": "W,ctrl+w"}
    assert load_config({"config_file": str(tmp_path / "none.toml")}, env={}).keys == {}


@pytest.mark.parametrize("entry", ["remove = 3", 'remove = ["d"]', 'remove = { key = "d" }'])
def test_keys_entry_that_is_not_text_is_one_line(tmp_path: Path, entry: str) -> None:
    cfg = write(tmp_path / "c.toml", f"[keys]\n{entry}\n")
    with pytest.raises(ConfigError) as exc:
        load_config({"config_file": str(cfg)}, env={})
    message = str(exc.value)
    assert "\n" not in message and str(cfg) in message
    assert '[keys] remove must be keys in quotes, like "delete"' in message


def test_keys_that_is_not_a_table_is_refused(tmp_path: Path) -> None:
    cfg = write(tmp_path / "c.toml", 'keys = "delete"\n')
    with pytest.raises(ConfigError, match="'keys' has the wrong type"):
        load_config({"config_file": str(cfg)}, env={})


def test_new_settings_have_their_defaults_and_refuse_wrong_types(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("")
    cfg = load_config({"config_file": str(path)}, env={}, need_key=False)
    assert (cfg.notify, cfg.notify_cmd, cfg.follow) == ("failures", (), ())
    assert (cfg.follow_since, cfg.follow_max, cfg.max_bandwidth) == (86_400.0, 200, 1_000_000)
    path.write_text(
        'notify_cmd = ["notify-send", "nekt"]\nfollow_since = "12h"\nmax_bandwidth = 0\n'
    )
    cfg = load_config({"config_file": str(path)}, env={}, need_key=False)
    assert cfg.notify_cmd == ("notify-send", "nekt")
    assert (cfg.follow_since, cfg.max_bandwidth) == (43_200.0, 0)
    for bad, words in (
        ('notify_cmd = "notify-send nekt"', "not a string"),
        ('notify = "sometimes"', "notify must be one of"),
        ("follow = [1]", "list of strings"),
    ):
        path.write_text(bad + "\n")
        with pytest.raises(ConfigError, match=words):
            load_config({"config_file": str(path)}, env={}, need_key=False)
