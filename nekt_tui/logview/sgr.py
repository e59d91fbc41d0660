"""Turn one raw log line into plain, safe text plus the colour spans its SGR codes asked for.

Only SGR (`ESC [ ... m`, or its 8-bit form `U+009B ... m`) is interpreted, and only into
a small closed set of attributes (`SgrStyle`). Everything between SGR codes goes through
the one sanitiser, so any other escape sequence is removed and control characters are
made visible. Tabs expand to 8-column stops; a carriage return never moves the cursor:
a trailing one (CRLF endings) is dropped, any other is shown as ␍.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nekt_tui.sanitize import sanitize

TAB_SIZE = 8

# Strict on purpose: only parameter bytes SGR allows (digits, ';' and ':'); anything else
# is left for the sanitiser, which removes the whole sequence.
_SGR_RE = re.compile(r"(?:\x1b\[|\x9b)([0-9;:]*)m")


@dataclass(frozen=True, slots=True)
class SgrStyle:
    """The attributes an SGR sequence may set. Colours: `color(N)` (0-255) or `#rrggbb`."""

    fg: str | None = None
    bg: str | None = None
    bold: bool = False
    dim: bool = False
    italic: bool = False
    underline: bool = False
    reverse: bool = False
    strike: bool = False

    @property
    def is_plain(self) -> bool:
        """True when the style sets nothing."""
        return self == _PLAIN


_PLAIN = SgrStyle()


@dataclass(frozen=True, slots=True)
class Span:
    """Characters `start:end` of a cleaned line carry `style`."""

    start: int
    end: int
    style: SgrStyle


@dataclass(frozen=True, slots=True)
class CleanLine:
    """A log line made safe to show: its text and the SGR styles over parts of it."""

    text: str
    spans: tuple[Span, ...] = ()


_FLAGS_ON = {1: "bold", 2: "dim", 3: "italic", 4: "underline", 7: "reverse", 9: "strike"}
_FLAG_NAMES = ("bold", "dim", "italic", "underline", "reverse", "strike")
_FLAGS_OFF: dict[int, tuple[str, ...]] = {
    22: ("bold", "dim"),
    23: ("italic",),
    24: ("underline",),
    27: ("reverse",),
    29: ("strike",),
}


def _num(field: str) -> int:
    # Oversized numbers are as meaningless to a terminal as they are here.
    return int(field) if field.isdigit() and len(field) <= 6 else 0


def _rgb(r: int, g: int, b: int) -> str | None:
    return f"#{r:02x}{g:02x}{b:02x}" if max(r, g, b) <= 255 else None


def _extended_colour(params: list[int], i: int) -> tuple[str | None, int]:
    """Read `5;N` or `2;R;G;B` after a 38/48; return the colour and how many params it used."""
    if i < len(params) and params[i] == 5 and i + 1 < len(params):
        n = params[i + 1]
        return (f"color({n})" if n <= 255 else None), 2
    if i < len(params) and params[i] == 2 and i + 3 < len(params):
        return _rgb(*params[i + 1 : i + 4]), 4
    return None, len(params) - i  # malformed: ignore the rest, as terminals do


def _colon_colour(subs: list[int]) -> str | None:
    """`38:5:N`, `38:2:R:G:B` or `38:2:CS:R:G:B` (ITU form with a colour-space slot)."""
    if len(subs) >= 3 and subs[1] == 5:
        return f"color({subs[2]})" if subs[2] <= 255 else None
    if len(subs) >= 5 and subs[1] == 2:
        return _rgb(*(subs[3:6] if len(subs) >= 6 else subs[2:5]))
    return None


def apply_sgr(style: SgrStyle, params_text: str) -> SgrStyle:
    """Return `style` changed by one SGR parameter string (e.g. `1;31` or `38;5;208`)."""
    fields = params_text.split(";") if params_text else ["0"]
    fg, bg = style.fg, style.bg
    flags = {name: bool(getattr(style, name)) for name in _FLAG_NAMES}
    params = [_num(f) if ":" not in f else -1 for f in fields]
    i = 0
    while i < len(params):
        p = params[i]
        i += 1
        if p == -1:  # a colon group is one self-contained parameter
            subs = [_num(f) for f in fields[i - 1].split(":")]
            if subs[0] in (38, 48):
                colour = _colon_colour(subs)
                if colour is not None and subs[0] == 38:
                    fg = colour
                elif colour is not None:
                    bg = colour
            elif subs[0] == 4:
                flags["underline"] = len(subs) < 2 or subs[1] != 0
        elif p == 0:
            fg = bg = None
            flags = dict.fromkeys(_FLAG_NAMES, False)
        elif p in _FLAGS_ON:
            flags[_FLAGS_ON[p]] = True
        elif p in _FLAGS_OFF:
            flags.update(dict.fromkeys(_FLAGS_OFF[p], False))
        elif 30 <= p <= 37 or 90 <= p <= 97:
            fg = f"color({p - 30 if p < 90 else p - 90 + 8})"
        elif 40 <= p <= 47 or 100 <= p <= 107:
            bg = f"color({p - 40 if p < 100 else p - 100 + 8})"
        elif p == 39:
            fg = None
        elif p == 49:
            bg = None
        elif p in (38, 48):
            colour, used = _extended_colour(params, i)
            i += used
            if colour is not None and p == 38:
                fg = colour
            elif colour is not None:
                bg = colour
    return SgrStyle(fg=fg, bg=bg, **flags)


def is_simple(raw: str) -> bool:
    """True when `raw` needs no cleaning at all (printable ASCII: the common case)."""
    return raw.isascii() and raw.isprintable()


def _expand(text: str, column: int) -> str:
    """Expand tabs in `text`, which starts at display `column` of the line."""
    if "\t" not in text:
        return text
    out: list[str] = []
    col = column
    for part in text.split("\t")[:-1]:
        out.append(part)
        col += len(part)
        pad = TAB_SIZE - col % TAB_SIZE
        out.append(" " * pad)
        col += pad
    out.append(text.rsplit("\t", 1)[1])
    return "".join(out)


def clean_line(raw: str) -> CleanLine:
    """Make one raw log line safe to show, keeping the colours its SGR codes set."""
    if is_simple(raw):
        return CleanLine(raw)
    if raw.endswith("\r"):
        raw = raw[:-1]
    parts: list[str] = []
    spans: list[Span] = []
    style = _PLAIN
    length = 0
    pos = 0
    for m in _SGR_RE.finditer(raw):
        length = _append(parts, spans, raw[pos : m.start()], style, length)
        style = apply_sgr(style, m.group(1))
        pos = m.end()
    _append(parts, spans, raw[pos:], style, length)
    return CleanLine("".join(parts), tuple(spans))


def _append(parts: list[str], spans: list[Span], chunk: str, style: SgrStyle, at: int) -> int:
    """Sanitise and tab-expand one chunk, record its style; return the new text length."""
    if not chunk:
        return at
    text = _expand(sanitize(chunk), at)
    if not text:
        return at
    parts.append(text)
    end = at + len(text)
    if not style.is_plain:
        spans.append(Span(at, end, style))
    return end


def plain_text(raw: str) -> str:
    """The text `clean_line` would show, without the styles (what search looks at)."""
    return raw if is_simple(raw) else clean_line(raw).text
