"""Setting values, checked: numbers, switches, choices, argv lists, durations, the API
key (`Secret`), and the one error a bad setting raises (`ConfigError`).

Each checker names the setting and what it wants in its message; `config.py` decides
where each value comes from.
"""

from __future__ import annotations

import os
import shlex
import stat
import subprocess
from pathlib import Path
from typing import Any


class ConfigError(Exception):
    """A setting is wrong: the message names the file or variable and what to do."""


class Secret:
    """A string that never appears in repr(), str() or f-strings."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The secret itself, for the one place that sends it (the HTTP header)."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


def check_private(path: Path) -> None:
    """Refuse a key file others can read, as ssh does."""
    if os.name != "posix":
        return
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(
            f"config file {path} holds an API key but is readable by others "
            f"(mode {stat.S_IMODE(mode):o}); run: chmod 600 {shlex.quote(str(path))}"
        )


def key_from_command(command: str, path: str) -> str:
    """The key `command` prints on its first line (`path` names where it was set)."""
    try:
        # No stdin: under `nekt-tui serve` it is the app's own input from the browser.
        result = subprocess.run(
            shlex.split(command),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=15,
            check=False,
        )
    except (OSError, ValueError, subprocess.TimeoutExpired) as exc:
        reason = "timed out" if isinstance(exc, subprocess.TimeoutExpired) else "could not start"
        raise ConfigError(f"api_key_cmd in {path} {reason}; check the command") from None
    # The first line, as `pass show` prints it (later lines are notes), without the
    # newline and surrounding blanks; blanks inside it are refused by `checked_key`.
    key = result.stdout.strip().splitlines()[0].strip() if result.stdout.strip() else ""
    if result.returncode != 0 or not key:
        raise ConfigError(
            f"api_key_cmd in {path} failed (exit {result.returncode}) or printed no key"
        )
    return key


def checked_key(key: str, source: str) -> Secret:
    """The key, if an HTTP header can carry it: printable ASCII, no blanks inside.

    httpx would raise UnicodeEncodeError for the first request instead; the message
    never shows the key."""
    key = key.strip()
    if not all("!" <= ch <= "~" for ch in key):
        raise ConfigError(
            f"the API key from {source} has characters an HTTP header cannot carry "
            "(spaces, control or non-ASCII characters); set it to the key exactly as issued"
        )
    return Secret(key)


def as_number(name: str, value: Any, *, minimum: float, integer: bool = False) -> float:
    """A finite number of at least `minimum` (a whole one with `integer`)."""
    try:
        number = int(value) if integer else float(value)
    except (TypeError, ValueError, OverflowError):
        raise ConfigError(f"{name} must be a number, got {value!r}") from None
    if number < minimum or number != number or number == float("inf"):
        raise ConfigError(f"{name} must be a finite number of at least {minimum:g}, got {value!r}")
    return number


def as_whole(name: str, value: Any, default: int, minimum: int = 1) -> int:
    """A whole number of at least `minimum` (from the file, or text from the environment)."""
    if value is None:
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{name} must be a whole number, got {value!r}") from None
    if number < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value!r}")
    return number


_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def as_switch(name: str, value: Any) -> bool:
    """A yes/no setting: a bool (command line, file) or 1/0, true/false... (environment)."""
    if isinstance(value, bool) or value is None:
        return bool(value)
    text = str(value).strip().lower()
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise ConfigError(f"{name} must be 1 or 0 (or true/false, yes/no, on/off), got {value!r}")


def as_choice(name: str, value: Any, choices: tuple[str, ...]) -> str:
    """One of `choices`, as text."""
    text = str(value)
    if text not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, got {text!r}")
    return text


def as_strings(name: str, value: Any, path: Path) -> tuple[str, ...]:
    """A list of strings (from the file or the command line)."""
    if isinstance(value, str) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f'{name} in {path} must be a list of strings, like ["status:failed"]')
    return tuple(value)


def as_argv(name: str, value: Any, path: Path) -> tuple[str, ...]:
    """A command as an argv list; a shell string is refused (no shell ever runs it)."""
    if value is None:
        return ()
    if isinstance(value, str):
        raise ConfigError(
            f'{name} in {path} must be a list of words, like ["notify-send", "nekt"], '
            "not a string (no shell runs it)"
        )
    argv = as_strings(name, value, path)
    if not argv or not argv[0]:
        raise ConfigError(f"{name} in {path} must name a command first")
    return argv


_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86_400.0}


def as_duration(name: str, value: Any) -> float:
    """Seconds, from a number or text such as `90s`, `30m`, `24h`, `7d`."""
    if isinstance(value, str) and value.strip() and value.strip()[-1:].lower() in _UNITS:
        text = value.strip()
        return as_number(name, text[:-1], minimum=0) * _UNITS[text[-1].lower()]
    return as_number(name, value, minimum=0)
