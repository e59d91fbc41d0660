"""Hostile log lines shared by the pure and the Pilot tests."""

from __future__ import annotations

HOSTILE_LINES: list[str] = [
    "\x1b]0;pwned title\x07after title",
    "\x1b]2;title with ST\x1b\\after",
    "\x1b]8;;https://evil.example/\x1b\\click me\x1b]8;;\x1b\\",
    "\x1b]52;c;ZWNobyBwd25lZA==\x07clipboard write",
    "\x1bP+q544e\x1b\\DCS request",
    "\x1bcreset the terminal",
    "\x1b[2J\x1b[Hclear screen and home",
    "\x1b[6n cursor position report",
    "\x1b[?1049h alternate screen",
    "\x9b31m8-bit CSI red\x9b0m and \x9d0;t\x9c 8-bit OSC",
    "\x90DCS 8-bit\x9c",
    "bell\x07 backspace\x08 vt\x0b ff\x0c nul\x00 del\x7f",
    "progress 10%\rprogress 20%\roverwritten?",
    "bidi \u202eevil\u202c and \u2066isolate\u2069",
    "[bold red]markup[/] [@click=app.quit]quit[/] [link=https://x]l[/link]",
    "\x1b[31;1mred bold\x1b[0m \x1b[38;5;208m256\x1b[0m \x1b[38;2;1;2;3mrgb\x1b[m",
    "\x1b[31mnested \x1b]0;t\x1b[32m sgr inside osc\x07 end",
    "\x1b[999999999999999999m huge param",
    "\x1b[38;5m truncated extended colour",
    "tab\tseparated\tcolumns",
    "\x1b",
    "\x1b[",
    "\x1b]",
]
