"""Searching log lines: plain or regex, smart case, and a scan that can run in a thread."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from nekt_tui.logview.sgr import is_simple, plain_text

_ESCAPED = re.compile(r"\\.")


class SearchError(ValueError):
    """The search text is not a valid regular expression (the message says why)."""


def smart_case(text: str, *, regex: bool = False) -> bool:
    """True (case-sensitive) when `text` has a capital letter; escapes like `\\S` do not count."""
    if regex:
        text = _ESCAPED.sub("", text)
    return any(ch.isupper() for ch in text)


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """What the user searches for: plain text by default, a regex when asked."""

    text: str
    regex: bool = False

    @property
    def case_sensitive(self) -> bool:
        """Smart case: case-insensitive unless the text has capitals."""
        return smart_case(self.text, regex=self.regex)

    def compile(self) -> re.Pattern[str]:
        """The compiled pattern; raises `SearchError` for an invalid regex."""
        source = self.text if self.regex else re.escape(self.text)
        flags = 0 if self.case_sensitive else re.IGNORECASE
        try:
            return re.compile(source, flags)
        except re.error as exc:
            raise SearchError(f"not a valid regex: {exc}") from None


def find_spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    """Where `pattern` matches in `text`; empty matches are skipped (they mark nothing)."""
    return [m.span() for m in pattern.finditer(text) if m.end() > m.start()]


@dataclass(slots=True)
class ScanResult:
    """Lines (absolute indices, ascending) holding matches, and how many on each."""

    lines: list[int] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)
    complete: bool = True

    @property
    def count(self) -> int:
        """Total matches found."""
        return sum(self.counts)


CHUNK = 20_000


def scan(
    pattern: re.Pattern[str],
    raw_lines: Sequence[str],
    start: int,
    *,
    cancelled: Callable[[], bool] | None = None,
) -> ScanResult:
    """Search `raw_lines` (line `start` is the first) for `pattern`, as shown (cleaned).

    Checks `cancelled` every `CHUNK` lines, so a thread running this stops promptly;
    a cancelled scan returns what it found with `complete` false.
    """
    result = ScanResult()
    search = pattern.search
    for base in range(0, len(raw_lines), CHUNK):
        if cancelled is not None and cancelled():
            result.complete = False
            return result
        for offset, raw in enumerate(raw_lines[base : base + CHUNK]):
            text = raw if is_simple(raw) else plain_text(raw)
            if search(text) is None:
                continue
            n = len(find_spans(pattern, text))
            if n:
                result.lines.append(start + base + offset)
                result.counts.append(n)
    return result
