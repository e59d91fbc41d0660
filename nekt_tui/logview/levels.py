"""Which level a log line is at, and where its timestamp is.

Detection is deliberately forgiving: Nekt does not document its log format, so this reads
the common ones (`2024-01-01T00:00:00Z ERROR ...`, `[ERROR]`, `level=error`,
`ERROR:module:`, `"level": "warning"`, `Error: ...`, Python exception lines) and leaves
everything else alone. Python tracebacks are recognised as blocks: the `Traceback (most
recent call last):` line, the indented frames under it and the exception line that ends
it. A line's block membership depends only on the lines before it, so appending never
changes an earlier line's level.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable


class Level(enum.IntEnum):
    """How loud a line is. `NONE` means it was not recognised (shown untouched)."""

    NONE = 0
    DEBUG = 1
    INFO = 2
    WARNING = 3
    ERROR = 4


# Per-line facts that do not depend on other lines, packed in one byte (bits 0-2: level).
_LEVEL_MASK = 0b0000_0111
TB_START = 0b0000_1000  # "Traceback (most recent call last):" and its chained forms
TB_BODY = 0b0001_0000  # indented after any timestamp prefix: a traceback frame if in one

_WORDS = {
    "CRITICAL": Level.ERROR,
    "FATAL": Level.ERROR,
    "ERROR": Level.ERROR,
    "ERR": Level.ERROR,
    "SEVERE": Level.ERROR,
    "EXCEPTION": Level.ERROR,
    "PANIC": Level.ERROR,
    "WARNING": Level.WARNING,
    "WARN": Level.WARNING,
    "INFO": Level.INFO,
    "NOTICE": Level.INFO,
    "DEBUG": Level.DEBUG,
    "TRACE": Level.DEBUG,
}
_NAMES = "|".join(sorted(_WORDS, key=len, reverse=True))

_TIMESTAMP = (
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s?(?:Z|UTC|[+-]\d{2}:?\d{2}))?"
    r"|\d{2}:\d{2}:\d{2}(?:[.,]\d+)?"
)
_TIMESTAMP_RE = re.compile(_TIMESTAMP)
# A leading timestamp, optionally bracketed, then an optional "tap-name |" column: what
# comes after it is the line's own content (where a traceback frame's indent shows).
_PREFIX_RE = re.compile(r"\s*\[?(?:" + _TIMESTAMP + r")\]?(?: [\w.@/-]+ \|)? ?")

_LEVEL_RE = re.compile(
    # An upper-case level word standing alone: ERROR, [ERROR], ERROR:root:, <WARN>.
    r"(?<![\w-])(?P<word>" + _NAMES + r")(?![\w-])"
    # key=value and JSON forms, any case: level=error, "level": "warning", severity=ERROR.
    r"|(?i:\b(?:level|lvl|severity|loglevel)[\"']?\s*[:=]\s*[\"']?(?P<kv>" + _NAMES + r")\b)"
    # Bracketed level in any case: [error], [Warning].
    r"|(?i:\[(?P<br>" + _NAMES + r")\])"
)
_EXCEPTION_RE = re.compile(
    r"(?:[A-Za-z_]\w*\.)*(?P<name>[A-Za-z_]\w*(?:Error|Exception|Exit|Interrupt|Failure))"
    r"(?::|$)"
    # A class from an errors/exceptions module: psycopg2.errors.UndefinedTable: ...
    r"|(?:[A-Za-z_]\w*\.)*(?:errors?|exceptions?)\.[A-Za-z_]\w*:"
)
_WARNING_RE = re.compile(r"(?:^|\s|:\s?)[A-Za-z]*Warning: ")
_LEADING_WORD_RE = re.compile(r"(?i:(?P<w>error|fatal|critical|warning|warn)):\s")
_TB_START_RE = re.compile(
    r"Traceback \(most recent call last\):"
    r"|During handling of the above exception, another exception occurred:"
    r"|The above exception was the direct cause of the following exception:"
    r"|Exception Group Traceback \(most recent call last\):"
)

_SEARCH_LIMIT = 200  # level words live near the start; keep huge lines cheap


def content_start(text: str) -> int:
    """Index where the line's own content starts, after a leading timestamp prefix."""
    m = _PREFIX_RE.match(text)
    return m.end() if m else 0


def timestamp_span(text: str) -> tuple[int, int] | None:
    """Where the line's timestamp is (searched near its start), if it has one."""
    m = _TIMESTAMP_RE.search(text, 0, 64)
    return (m.start(), m.end()) if m else None


# Words (lower case) without which a line cannot start an error: a cheap filter in front of
# the full detection. Every error word, key and exception-name pattern below contains one.
ERROR_HINTS = (
    "err",
    "exc",
    "trace",
    "fatal",
    "crit",
    "sever",
    "panic",
    "exit",
    "interrupt",
    "failure",
)
HINT_LIMIT = _SEARCH_LIMIT


def may_be_error(text: str) -> bool:
    """Cheap test: False means the line cannot start an error (skip the full detection)."""
    return any(map(text[:HINT_LIMIT].lower().__contains__, ERROR_HINTS))


def _may_have_level(low: str) -> bool:
    """Cheap test: False means no level word, key or exception name can be in the line."""
    return may_be_error(low) or "warn" in low or "info" in low or "debug" in low or "notice" in low


def word_level(text: str) -> Level:
    """The level a line declares on its own, ignoring tracebacks around it."""
    if not text:
        return Level.NONE
    head = text[:_SEARCH_LIMIT]
    if not _may_have_level(head.lower()):
        return Level.NONE
    m = _LEVEL_RE.search(head)
    if m is not None:
        word = m.group("word") or m.group("kv") or m.group("br")
        return _WORDS[word.upper()]
    start = content_start(head)
    body = head[start:]
    if _EXCEPTION_RE.match(body):
        return Level.ERROR
    lead = _LEADING_WORD_RE.match(body)
    if lead is not None:
        w = lead.group("w").upper()
        return Level.WARNING if w.startswith("WARN") else Level.ERROR
    if "Warning: " in head and _WARNING_RE.search(head):
        return Level.WARNING
    return Level.NONE


def line_facts(text: str) -> int:
    """The packed per-line facts: its own level plus the traceback-shape bits."""
    facts = int(word_level(text))
    if ("Trace" in text or "exception" in text) and _TB_START_RE.search(text):
        return TB_START | int(Level.ERROR)
    start = content_start(text)
    if start < len(text) and text[start] in " \t":
        facts |= TB_BODY
    return facts


def facts_level(facts: int) -> Level:
    """The level packed in `facts`."""
    return Level(facts & _LEVEL_MASK)


class LevelMap:
    """Levels of a growing sequence of lines, with traceback blocks, computed on demand.

    `facts(i)` gives line i's packed facts. Results are memoised; `truncate(n)` forgets
    lines from n on (the last line changed), `drop_front(n)` follows the store dropping
    its oldest lines.
    """

    # How far back a frame line looks for its "Traceback" header before giving up.
    LOOKBACK = 5_000

    def __init__(self, facts: Callable[[int], int]) -> None:
        self._facts = facts
        self._first = 0  # absolute index of self._known[0]
        # Per line: 0 = not computed, else 0x80 | (0x40 if inside a traceback) | level.
        self._known = bytearray()

    def reset(self, first: int = 0) -> None:
        """Forget everything; the next line index is `first`."""
        self._first = first
        self._known = bytearray()

    def drop_front(self, first: int) -> None:
        """Forget lines before absolute index `first`."""
        if first > self._first:
            del self._known[: first - self._first]
            self._first = first

    def truncate(self, end: int) -> None:
        """Forget memoised levels of lines at absolute index `end` and later."""
        keep = max(0, end - self._first)
        del self._known[keep:]

    def _memo(self, i: int) -> int:
        k = i - self._first
        return self._known[k] if 0 <= k < len(self._known) else 0

    def _store(self, i: int, value: int) -> None:
        k = i - self._first
        if k < 0:
            return
        if k >= len(self._known):
            self._known.extend(b"\0" * (k + 1 - len(self._known)))
        self._known[k] = value

    def _in_traceback(self, i: int) -> bool:
        """Whether line i is a traceback header or a frame under one (memoised)."""
        memo = self._memo(i)
        if memo:
            return bool(memo & 0x40)
        # Walk back over frame lines to the header or to a line already known.
        j = i
        limit = max(self._first, i - self.LOOKBACK)
        chain: list[int] = []
        result = False
        while j >= limit:
            memo = self._memo(j)
            if memo and j != i:
                result = bool(memo & 0x40)
                break
            f = self._facts(j)
            if f & TB_START:
                result = True
                self._store(j, 0xC0 | int(Level.ERROR))
                break
            if not f & TB_BODY:
                break
            chain.append(j)
            j -= 1
        for k in chain:
            f = self._facts(k)
            level = Level.ERROR if result else facts_level(f)
            self._store(k, 0x80 | (0x40 if result else 0) | int(level))
        return result

    def level(self, i: int) -> Level:
        """The level of absolute line i, counting traceback blocks as errors."""
        memo = self._memo(i)
        if memo:
            return Level(memo & _LEVEL_MASK)
        f = self._facts(i)
        if f & (TB_START | TB_BODY):
            self._in_traceback(i)  # memoises line i on the way
            memo = self._memo(i)
            return Level(memo & _LEVEL_MASK) if memo else facts_level(f)
        level = facts_level(f)
        # The first unindented line after a traceback's frames is its exception line.
        shaped = i > self._first and self._facts(i - 1) & (TB_START | TB_BODY)
        if shaped and self._in_traceback(i - 1):
            level = Level.ERROR
        self._store(i, 0x80 | int(level))
        return level
