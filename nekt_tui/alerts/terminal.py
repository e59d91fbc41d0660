"""Desktop notifications through the terminal's own escape sequences (no Textual).

Which sequence a terminal shows is read from the environment it sets:

- OSC 99 (kitty's protocol, title and body): kitty (`KITTY_WINDOW_ID`, `TERM=xterm-kitty`).
- OSC 9 (one line): iTerm2 (`TERM_PROGRAM=iTerm.app`, `LC_TERMINAL=iTerm2`), Ghostty
  (`TERM_PROGRAM=ghostty`, `TERM=xterm-ghostty`; it has no OSC 777).
- OSC 777 `notify` (title and body): WezTerm, foot, urxvt (with its `notify`
  extension), Windows Terminal (`WT_SESSION`; since microsoft/terminal#20012, older
  versions show nothing) and VTE terminals whose VTE carries the notification patch
  (`VTE_VERSION`: GNOME Terminal on Fedora, Ptyxis).
- Anything else: the bell, which every terminal (and tmux) turns into its own alert.

Inside tmux (`TMUX` set) the sequence is wrapped in tmux's passthrough (`ESC P tmux;`,
every ESC doubled, `ESC \\`), which tmux forwards only with `allow-passthrough on`. The
text is cleaned here for the sequence it goes in: nothing from the server can end it
early or start another one.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping

from nekt_tui.alerts.alert import one_line

ESC = "\x1b"
BEL = "\x07"
ST = ESC + "\\"
#: Title and body limits: notification centres cut longer text anyway.
TITLE_LIMIT = 80
BODY_LIMIT = 240


class Method(enum.Enum):
    """How a terminal is asked for a notification."""

    OSC9 = "osc9"
    OSC777 = "osc777"
    OSC99 = "osc99"
    BELL = "bell"


def detect(env: Mapping[str, str]) -> Method:
    """The notification sequence the terminal in `env` shows (the bell when unknown).

    Inside tmux `TERM_PROGRAM` names tmux; the outer terminal's own variables (inherited
    by the tmux server when it started) still tell it apart.
    """
    program = env.get("TERM_PROGRAM", "")
    term = env.get("TERM", "")
    if env.get("KITTY_WINDOW_ID") or term == "xterm-kitty":
        return Method.OSC99
    if program == "iTerm.app" or env.get("LC_TERMINAL") == "iTerm2":
        return Method.OSC9
    if program == "ghostty" or term == "xterm-ghostty":
        return Method.OSC9
    if env.get("WEZTERM_PANE") or program == "WezTerm":
        return Method.OSC777
    if term.startswith(("foot", "rxvt-unicode")):
        return Method.OSC777
    if env.get("WT_SESSION") or env.get("VTE_VERSION"):
        return Method.OSC777
    return Method.BELL


def _field(text: str, limit: int) -> str:
    """`text` safe inside any of the sequences: one printable line (no ESC, BEL, C0 or
    C1 control), no `;` (it separates OSC 777's fields; OSC 9 reads `9;4;...` as a
    progress bar in some terminals), at most `limit` characters."""
    return one_line(text, limit).replace(";", ",")


def sequence(method: Method, title: str, body: str, *, tmux: bool = False, ident: int = 1) -> str:
    """The bytes (as text) asking for a notification with `title` and `body` (`ident`
    tells kitty's notifications apart: one with the id of another replaces it)."""
    head, text = _field(title, TITLE_LIMIT), _field(body, BODY_LIMIT)
    if method is Method.OSC9:
        seq = f"{ESC}]9;{head}: {text}{BEL}" if text else f"{ESC}]9;{head}{BEL}"
    elif method is Method.OSC777:
        seq = f"{ESC}]777;notify;{head};{text}{BEL}"
    elif method is Method.OSC99:
        # The title (d=0: more follows), then the body that completes it; i= ties them.
        key = f"i=nekt{ident}"
        seq = f"{ESC}]99;{key}:d=0;{head}{ST}{ESC}]99;{key}:d=1:p=body;{text}{ST}"
    else:
        return BEL  # tmux handles a bell itself (bell-action), no passthrough needed
    return passthrough(seq) if tmux else seq


def passthrough(seq: str) -> str:
    """`seq` wrapped for tmux to hand to the outer terminal (needs `allow-passthrough`)."""
    return f"{ESC}Ptmux;{seq.replace(ESC, ESC + ESC)}{ST}"


class TerminalNotifier:
    """Writes notifications to the terminal, in the sequence its environment calls for."""

    def __init__(self, write: Callable[[str], object], env: Mapping[str, str]) -> None:
        self._write = write
        self.method = detect(env)
        self.tmux = bool(env.get("TMUX"))
        self._count = 0

    def show(self, title: str, body: str) -> str:
        """Ask the terminal for one notification; returns what was written."""
        self._count += 1
        data = sequence(self.method, title, body, tmux=self.tmux, ident=self._count)
        self._write(data)
        return data


__all__ = [
    "BODY_LIMIT",
    "TITLE_LIMIT",
    "Method",
    "TerminalNotifier",
    "detect",
    "passthrough",
    "sequence",
]
