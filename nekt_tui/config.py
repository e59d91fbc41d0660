"""Typed settings from the command line, `NEKT_*` environment variables and a TOML file.

Precedence: command line > the chosen profile's table > environment > the file's top
level > defaults. The API key comes from the profile's `api_key` or `api_key_cmd`, else
`NEKT_API_KEY`, the file's `api_key`, or the output of the file's `api_key_cmd`; it is held
in a `Secret` that never prints itself. A profile that sets its own `api_url` never gets
the top-level key: a key goes only to the URL it was configured with.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import platformdirs

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from nekt_tui.api.urls import DEFAULT_BASE_URL, check_base_url
from nekt_tui.config_values import ConfigError as ConfigError  # re-exported
from nekt_tui.config_values import Secret as Secret  # re-exported
from nekt_tui.config_values import (
    as_argv,
    as_choice,
    as_duration,
    as_number,
    as_strings,
    as_switch,
    as_whole,
    check_private,
    checked_key,
    key_from_command,
)

APP_NAME = "nekt-tui"
BELL_POLICIES = ("off", "failures", "terminal", "all")
#: Which transitions make a desktop notification (and run `notify_cmd`).
NOTIFY_POLICIES = ("off", "failures", "all")


@dataclass(frozen=True)
class Config:
    """Everything nekt-tui can be told."""

    api_url: str = DEFAULT_BASE_URL
    api_key: Secret | None = field(default=None, repr=False)
    interval: float = 2.0
    waiting_interval: float = 5.0
    concurrency: int = 8
    #: Let pages of the run list stand in for polls of single runs (watch/sweep.py).
    run_list: bool = True
    bell: str = "failures"
    theme: str = "textual-dark"
    log_max_lines: int = 500_000
    #: Answers larger than this many MiB are not read (a bound on memory per answer).
    max_response_mb: int = 256
    state_file: Path | None = None
    #: The debug log for bug reports (`--log-file`, NEKT_TUI_LOG); None: no log.
    log_file: Path | None = None
    config_file: Path | None = None
    key_source: str = "none"
    #: The file's `[keys]` table: binding id → keys (checked against the bindings by the
    #: UI, `ui.app.check_keys`, which this module cannot import).
    keys: Mapping[str, str] = field(default_factory=dict, hash=False)
    #: Send nothing but GETs: cancelling is off (`--read-only`, NEKT_TUI_READ_ONLY).
    read_only: bool = False
    #: Desktop notifications and the notify command: one of `NOTIFY_POLICIES`.
    notify: str = "failures"
    #: A command (argv list, never a shell string) run for each notified transition.
    notify_cmd: tuple[str, ...] = ()
    #: Follow rules (`status:failed pipeline:hubspot-*`): matching runs are watched.
    follow: tuple[str, ...] = ()
    #: On opening, runs started this many seconds ago or later are followed.
    follow_since: float = 86_400.0
    #: At most this many runs are added by follow rules.
    follow_max: int = 200
    #: Seconds between two looks at the lists for follow rules and the pipelines board.
    list_interval: float = 30.0
    #: Bytes per second all polling may take together (0: no limit).
    max_bandwidth: int = 1_000_000
    #: The profile in use (`[profiles.NAME]`), None for the top-level settings.
    profile: str | None = None
    #: Every profile the config file defines, sorted (the app offers to switch to them).
    profiles: tuple[str, ...] = ()

    def with_changes(self, **changes: Any) -> Config:
        """A copy with some settings changed."""
        return replace(self, **changes)


def config_path(env: Mapping[str, str] | None = None) -> Path:
    """Where the config file lives: `NEKT_TUI_CONFIG`, else the XDG config dir."""
    env = os.environ if env is None else env
    if env.get("NEKT_TUI_CONFIG"):
        return Path(env["NEKT_TUI_CONFIG"]).expanduser()
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


_FILE_KEYS: dict[str, type | tuple[type, ...]] = {
    "api_url": str,
    "api_key": str,
    "api_key_cmd": str,
    "interval": (int, float),
    "waiting_interval": (int, float),
    "concurrency": int,
    "run_list": bool,
    "bell": str,
    "theme": str,
    "log_max_lines": int,
    "max_response_mb": int,
    "state_file": str,
    "log_file": str,
    "keys": dict,
    "read_only": bool,
    "notify": str,
    "notify_cmd": (list, str),  # a string gets its own message: no shell runs it
    "follow": list,
    "follow_since": (str, int, float),
    "follow_max": int,
    "list_interval": (int, float),
    "max_bandwidth": (int, float),
    "default_profile": str,
    "profiles": dict,
}
#: What a `[profiles.NAME]` table may set: any top-level setting but these two.
_TOP_ONLY = ("profiles", "default_profile")
#: A profile's name also names its watch list file: letters, digits, - and _.
_PROFILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


def read_config_file(path: Path) -> dict[str, Any]:
    """Parse and check the TOML file; a missing file is an empty config."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    try:
        data: dict[str, Any] = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    _check_table(data, path, "")
    profiles = data.get("profiles", {})
    for name, table in profiles.items():
        if not isinstance(table, dict):
            raise ConfigError(
                f"config file {path}: profiles.{name} must be a table of settings, like "
                f'[profiles.{name}] with api_url = "..." under it'
            )
        if not _PROFILE_NAME.fullmatch(name):
            raise ConfigError(
                f"config file {path}: profile name {name!r} must be letters, digits, - and _ "
                "(it names the profile's watch list file)"
            )
        _check_table(table, path, f"[profiles.{name}] ")
    if "api_key" in data or any("api_key" in table for table in profiles.values()):
        check_private(path)
    return data


def _check_table(data: dict[str, Any], path: Path, where: str) -> None:
    """Every key known and of its type; `where` is "" for the top level, else the profile."""
    for key, value in data.items():
        kind = None if where and key in _TOP_ONLY else _FILE_KEYS.get(key)
        if kind is None:
            known = ", ".join(sorted(k for k in _FILE_KEYS if not where or k not in _TOP_ONLY))
            raise ConfigError(
                f"config file {path}: {where}unknown setting {key!r} (known: {known})"
            )
        if key == "profiles" and not isinstance(value, dict):
            raise ConfigError(
                f"config file {path}: profiles must be tables, like [profiles.staging] "
                'with api_url = "..." under it'
            )
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            raise ConfigError(f"config file {path}: {where}{key!r} has the wrong type")
    for binding_id, keys in data.get("keys", {}).items():
        if not isinstance(keys, str):
            raise ConfigError(
                f"config file {path}: {where}[keys] {binding_id} must be keys in quotes, "
                'like "delete"'
            )


def load_config(
    overrides: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    *,
    need_key: bool = True,
) -> Config:
    """Build the config. `overrides` are command-line values (None means not given)."""
    env = os.environ if env is None else env
    given = {k: v for k, v in (overrides or {}).items() if v is not None}
    path = Path(given.pop("config_file")) if "config_file" in given else config_path(env)
    data = read_config_file(path)
    profiles: dict[str, dict[str, Any]] = data.pop("profiles", {})
    # --profile, else NEKT_TUI_PROFILE, else the file's default_profile.
    profile = (
        given.pop("profile", None) or env.get("NEKT_TUI_PROFILE") or data.get("default_profile")
    )
    if profile and profile not in profiles:
        known = ", ".join(sorted(profiles)) or "none"
        raise ConfigError(f"unknown profile {profile!r}; {path} defines: {known}")
    table = profiles.get(profile, {}) if profile else {}

    def pick(name: str, env_name: str | None = None) -> Any:
        if name in given:
            return given[name]
        if name in table:
            return table[name]
        if env_name and env.get(env_name):
            return env[env_name]
        return data.get(name)

    api_url = pick("api_url", "NEKT_API_URL") or DEFAULT_BASE_URL
    try:
        api_url = check_base_url(str(api_url))
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    key, source = _api_key(table, data, env, path, profile, need_key=need_key)

    bell = str(pick("bell", "NEKT_TUI_BELL") or "failures")
    if bell not in BELL_POLICIES:
        raise ConfigError(f"bell must be one of {', '.join(BELL_POLICIES)}, got {bell!r}")
    state = _state_file(given.get("state_file") or table.get("state_file"), data, env, profile)
    log_file = pick("log_file", "NEKT_TUI_LOG")
    bw = pick("max_bandwidth", "NEKT_TUI_MAX_BANDWIDTH")
    return Config(
        api_url=api_url,
        api_key=key,
        interval=as_number("interval", pick("interval", "NEKT_TUI_INTERVAL") or 2.0, minimum=0.5),
        waiting_interval=as_number(
            "waiting_interval", pick("waiting_interval") or 5.0, minimum=0.5
        ),
        concurrency=int(
            as_number("concurrency", pick("concurrency") or 8, minimum=1, integer=True)
        ),
        run_list=pick("run_list") is not False,
        bell=bell,
        theme=str(pick("theme", "NEKT_TUI_THEME") or "textual-dark"),
        log_max_lines=int(
            as_number("log_max_lines", pick("log_max_lines") or 500_000, minimum=1000, integer=True)
        ),
        max_response_mb=as_whole(
            "max_response_mb", pick("max_response_mb", "NEKT_TUI_MAX_RESPONSE_MB"), 256
        ),
        state_file=state,
        log_file=Path(log_file).expanduser() if log_file else None,
        config_file=path,
        key_source=source,
        keys=dict(pick("keys") or {}),
        read_only=as_switch("NEKT_TUI_READ_ONLY", pick("read_only", "NEKT_TUI_READ_ONLY")),
        notify=as_choice(
            "notify", pick("notify", "NEKT_TUI_NOTIFY") or "failures", NOTIFY_POLICIES
        ),
        notify_cmd=as_argv("notify_cmd", pick("notify_cmd"), path),
        follow=as_strings("follow", pick("follow") or (), path),
        follow_since=as_duration("follow_since", pick("follow_since") or 86_400.0),
        follow_max=as_whole("follow_max", pick("follow_max"), 200),
        list_interval=as_number("list_interval", pick("list_interval") or 30.0, minimum=5.0),
        max_bandwidth=int(as_number("max_bandwidth", 1_000_000 if bw is None else bw, minimum=0)),
        profile=profile or None,
        profiles=tuple(sorted(profiles)),
    )


def _api_key(
    table: Mapping[str, Any],
    data: Mapping[str, Any],
    env: Mapping[str, str],
    path: Path,
    profile: str | None,
    *,
    need_key: bool,
) -> tuple[Secret | None, str]:
    """The key and where it came from: the profile's own, NEKT_API_KEY, the top level's.

    A profile with its own api_url does not inherit the top-level key: that key belongs
    to another workspace's URL."""
    where = f"[profiles.{profile}] of {path}"
    for layer, place in ((table, where), (env, None), (data, path)):
        if place is None:  # the environment
            if env.get("NEKT_API_KEY"):
                return checked_key(env["NEKT_API_KEY"], "NEKT_API_KEY"), "NEKT_API_KEY"
            if "api_url" in table:
                break
        elif layer.get("api_key"):
            source = f"api_key in {place}"
            return checked_key(str(layer["api_key"]), source), source
        elif layer.get("api_key_cmd") and need_key:
            source = f"api_key_cmd in {place}"
            command = str(layer["api_key_cmd"])
            return checked_key(key_from_command(command, str(place)), source), source
    return None, "none"


def _state_file(
    own: Any, data: Mapping[str, Any], env: Mapping[str, str], profile: str | None
) -> Path | None:
    """The watch list file: `own` (the command line's, else the profile's) as given; a
    profile without one keeps its own beside the shared one (`watchlist-NAME.json`)."""
    if own:
        return Path(own).expanduser()
    shared = env.get("NEKT_TUI_STATE") or data.get("state_file")
    if profile is None:
        return Path(shared).expanduser() if shared else None
    from nekt_tui.watch.watchlist_io import default_state_path

    base = Path(shared).expanduser() if shared else default_state_path()
    return base.with_name(f"{base.stem}-{profile}{base.suffix}")
