"""The one sanitiser for every string the server sends before it is shown anywhere.

Terminal escape sequences (CSI, OSC, DCS, SOS/PM/APC, two-byte ESC sequences, and their
8-bit C1 forms) are removed whole. Any control character left over (C0 but tab and
newline, DEL, C1), bidirectional overrides and lone surrogates (valid JSON can hold
`"\\ud800"`; no terminal encoding can) are made visible, so nothing the server sends can
move the cursor, retitle the window, write the clipboard, reset the terminal, reorder
what the user reads or make writing to the terminal fail.
"""

from __future__ import annotations

import re

# ST may be ESC \ , the 8-bit 0x9C, or (for OSC, by xterm convention) BEL. An
# unterminated string sequence runs to the end of the line, as a terminal would eat it.
_STRING_END = r"(?:\x1b\\|\x9c|\x07|(?=\n)|\Z)"
_ESCAPE_RE = re.compile(
    r"(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?"  # CSI
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\n]*?"
    + _STRING_END  # OSC DCS SOS PM APC
    + r"|\x1b[\x20-\x2f]*[\x30-\x7e]",  # two-byte and nF sequences: ESC c, ESC 7, ESC ( B
    re.DOTALL,
)

_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def _visible(ch: str) -> str:
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)  # Control Pictures: ␛ ␍ ␇ ...
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"<U+{code:04X}>"  # C1 controls, bidirectional overrides, lone surrogates


# Python strings hold surrogates only unpaired (a pair decodes to one character).
_SURROGATES = "\ud800-\udfff"
_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f" + _BIDI + _SURROGATES + "]")
_CONTROL_OR_NEWLINE_RE = re.compile("[\x00-\x1f\x7f-\x9f" + _BIDI + _SURROGATES + "]")


def strip_escapes(text: str) -> str:
    """Remove every terminal escape sequence, keeping the text around them."""
    return _ESCAPE_RE.sub("", text)


def sanitize(text: str | None, *, single_line: bool = False) -> str:
    """Make server text safe to show: no escape sequences, control characters visible.

    Tab and newline are kept (newline only when `single_line` is false: a table cell or
    a toast shows it as a visible ␊ instead).
    """
    if not text:
        return ""
    if text.isascii() and text.isprintable():
        return text  # the common case costs one scan
    cleaned = _ESCAPE_RE.sub("", text)
    pattern = _CONTROL_OR_NEWLINE_RE if single_line else _CONTROL_RE
    return pattern.sub(lambda m: _visible(m.group()), cleaned)


def sanitize_opt(text: str | None, *, single_line: bool = True) -> str | None:
    """`sanitize`, keeping None as None (for fields that may be absent)."""
    return None if text is None else sanitize(text, single_line=single_line)
