"""Take the API key, and anything that looks like a Nekt token, out of text before it is
shown, logged or saved.

A server (or a proxy in front of it) may echo what it was sent: a 401 whose `detail` is
"invalid key sk-live-…" would otherwise put the key on screen, in a log file or in a bug
report. `Redactor(key)` replaces, with `[redacted]`:

- the key itself, and the key with surrounding whitespace trimmed;
- its obvious encodings: URL-encoded (`quote`, `quote_plus`), and base64 (standard and
  URL-safe, padded or not, and at each of the three byte alignments it can have inside a
  longer base64 text, such as `Basic` credentials);
- any run of `FRAGMENT` or more of the key's characters in a row (a key cut short, or
  only its start echoed);
- token-looking values (`nk_live_…`, `nk_test_…`: `TOKEN_PATTERN`), whoever's they are,
  where a word starts (`bank_account_12345678` in a log is left alone).

A key shorter than `MIN_SECRET` characters is no real key: it is not searched for (it
would blank out ordinary words).

`redact` runs one regular expression over the text: about 40 ms per MB, fine for an
error's few words, too dear for a 30 MB log polled every 2 s. `scrub` is the fast path
for every string of a run: it first looks for a few exact needles with `str.find` (the
key's encodings and its first and last `FRAGMENT` characters: ~25 ms for 30 MB) and for
tokens behind a `"nk_"` check, and only redacts the lines where one is found. It misses
only a fragment from the middle of the key with neither end nor a whole encoding around it.
"""

from __future__ import annotations

import base64
import logging
import re
from collections.abc import Iterator, Sequence
from typing import Protocol
from urllib.parse import quote, quote_plus

REDACTED = "[redacted]"
#: A Nekt API token's shape: `nk_` + its kind + `_` + at least 8 letters or digits.
TOKEN_PATTERN = r"nk_[a-z]+_[A-Za-z0-9]{8,}"  # noqa: S105 - a shape, not a secret
# Alone, its literal start lets `re` skip ahead with a fast search (a look-behind for the
# word's start would not: ten times slower).
_TOKEN = re.compile(TOKEN_PATTERN)


def _tokens(text: str, spans: Sequence[tuple[int, int]] = ()) -> Iterator[tuple[int, int]]:
    """Where token-looking values are in `text`: each at the start of a word, or right
    after one of `spans` (a key glued to a token). Not inside a word: a log's
    `bank_account_12345678` or `chunk_id_a8f9c0d1` is no token."""
    for match in _TOKEN.finditer(text):
        start = match.start()
        before = text[start - 1] if start else " "
        if not (before.isascii() and before.isalnum()) or any(
            first < start <= last for first, last in spans
        ):
            yield match.span()


#: Keys shorter than this are not searched for.
MIN_SECRET = 6
#: This many of the key's characters in a row are redacted wherever they appear.
FRAGMENT = 12
# Any run of FRAGMENT characters of the key holds one whole block of the key cut into
# blocks of this size: the search looks for blocks, then grows each hit along the key.
_BLOCK = FRAGMENT // 2


def _encodings(secret: str) -> set[str]:
    """The secret and the forms it is commonly sent or echoed in."""
    forms = {secret, quote(secret, safe=""), quote(secret), quote_plus(secret)}
    raw = secret.encode("utf-8", "surrogatepass")
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        whole = encode(raw).decode("ascii")
        forms |= {whole, whole.rstrip("=")}
        for shift in (1, 2):
            # Inside a longer base64 text the secret may start at any byte: the characters
            # that stand for its bytes only are the same whatever comes around them.
            text = encode(b"\0" * shift + raw).decode("ascii")
            first = -(-8 * shift // 6)
            last = 8 * (shift + len(raw)) // 6
            forms.add(text[first:last])
    return {form for form in forms if len(form) >= MIN_SECRET}


class Redactor:
    """Redacts the given secrets (the API key) and every token-looking value from text.

    `redactor(text)` or `redactor.redact(text)`; cheap when there is nothing to redact.
    """

    def __init__(self, *secrets: str | None) -> None:
        given = [secret for secret in secrets if secret]
        keys = {k for k in given + [s.strip() for s in given] if len(k) >= MIN_SECRET}
        forms: set[str] = set()
        for key in keys:
            forms |= _encodings(key)
        # Block -> (key, where the block starts in it), for the keys long enough to be
        # found by a fragment.
        self._blocks: dict[str, list[tuple[str, int]]] = {}
        for key in keys:
            if len(key) >= FRAGMENT:
                for start in range(0, len(key) - _BLOCK + 1, _BLOCK):
                    self._blocks.setdefault(key[start : start + _BLOCK], []).append((key, start))
        parts = [f"(?P<form>{'|'.join(map(re.escape, sorted(forms, key=len, reverse=True)))})"]
        parts = parts if forms else []
        if self._blocks:
            parts.append(f"(?P<block>{'|'.join(map(re.escape, self._blocks))})")
        # Tokens are looked for apart (see `_tokens`), so a word that only ends like one
        # cannot hide a piece of the key from this search.
        self._pattern = re.compile("|".join(parts)) if parts else None
        # The fast path's needles: every form and each key's first and last FRAGMENT
        # characters, less any needle that holds a shorter one (finding that one is enough).
        # Long needles are cheap: `str.find` skips ahead by about their length.
        wanted = set(forms)
        for key in keys:
            if len(key) >= FRAGMENT:
                wanted |= {key[:FRAGMENT], key[-FRAGMENT:]}
        self._needles: list[str] = []
        for needle in sorted(wanted, key=len):
            if not any(kept in needle for kept in self._needles):
                self._needles.append(needle)
        # Nothing redacted spans a line break unless a secret holds one: then whole texts.
        self._by_line = not any("\n" in needle for needle in wanted)

    def __call__(self, text: str) -> str:
        """`redact(text)`."""
        return self.redact(text)

    def redact(self, text: str) -> str:
        """`text` with every secret, encoding, fragment and token replaced by `[redacted]`."""
        if not text:
            return text
        spans: list[tuple[int, int]] = []
        for match in self._pattern.finditer(text) if self._pattern is not None else ():
            start, end = match.span()
            if match.lastgroup == "block":
                start, end = self._grow(text, start, end)
                if end - start < FRAGMENT:
                    continue
            spans.append((start, end))
        if "nk_" in text:
            spans += list(_tokens(text, spans))  # whole before `spans` grows
        if not spans:
            return text
        merged: list[list[int]] = []
        for start, end in sorted(spans):
            if merged and start <= merged[-1][1]:  # overlapping or touching: one mark
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        pieces: list[str] = []
        done = 0
        for start, end in merged:
            pieces += (text[done:start], REDACTED)
            done = end
        pieces.append(text[done:])
        return "".join(pieces)

    def suspect(self, text: str) -> bool:
        """Whether `scrub(text)` changes `text`: a few exact scans, no copy."""
        for needle in self._needles:
            if needle in text:
                return True
        return "nk_" in text and next(_tokens(text), None) is not None

    def scrub(self, text: str) -> str:
        """`redact(text)` for what the fast path finds (see the module's docstring), and
        `text` itself, not a copy, when it finds nothing.

        Only the lines holding a find are redacted (nothing redacted spans a line break),
        so a big log with one echo costs a scan, not a regular expression over all of it.
        """
        if not self.suspect(text):
            return text
        if not self._by_line:
            return self.redact(text)
        spans: list[tuple[int, int]] = []
        for needle in self._needles:
            at = text.find(needle)
            while at >= 0:
                spans.append((at, at + len(needle)))
                at = text.find(needle, at + 1)
        if "nk_" in text:
            spans += _tokens(text)
        lines: list[list[int]] = []
        for start, end in sorted(spans):
            if lines and start < lines[-1][1]:  # on a line already taken
                lines[-1][1] = max(lines[-1][1], end)
                continue
            first = text.rfind("\n", 0, start) + 1
            last = text.find("\n", end)
            lines.append([first, len(text) if last < 0 else last])
        pieces: list[str] = []
        done = 0
        for first, last in lines:
            pieces += (text[done:first], self.redact(text[first:last]))
            done = last
        pieces.append(text[done:])
        return "".join(pieces)

    def _grow(self, text: str, start: int, end: int) -> tuple[int, int]:
        """The longest run of key characters around the block found at `start:end`."""
        best = (start, end)
        for key, at in self._blocks[text[start:end]]:
            left = 0
            while left < min(start, at) and text[start - left - 1] == key[at - left - 1]:
                left += 1
            right = 0
            after = len(key) - at - _BLOCK
            while (
                right < min(len(text) - end, after)
                and text[end + right] == key[at + _BLOCK + right]
            ):
                right += 1
            if end + right - (start - left) > best[1] - best[0]:
                best = (start - left, end + right)
        return best


def redact(text: str, secrets: tuple[str | None, ...] = ()) -> str:
    """`text` with `secrets` and token-looking values redacted (see `Redactor`)."""
    return Redactor(*secrets).redact(text)


class KeyRing:
    """Every API key this process was given, newest `KEEP` kept: the debug log is opened
    before a key typed in the app or a profile switched to, and must redact those too.

    Redacts like a `Redactor` of all of them, built again only when a key was added."""

    #: Keys remembered; more than this in one process is a test suite, not a user.
    KEEP = 16

    def __init__(self) -> None:
        self._keys: list[str] = []
        self._redactor: Redactor | None = None

    def add(self, key: str | None) -> None:
        """Remember `key` (no-op for an empty or known one)."""
        if not key or key in self._keys:
            return
        self._keys = [*self._keys, key][-self.KEEP :]
        self._redactor = None

    def redact(self, text: str) -> str:
        """`text` with every remembered key (and token-looking value) redacted."""
        redactor = self._redactor
        if redactor is None:
            redactor = self._redactor = Redactor(*self._keys)
        return redactor.redact(text)


#: The keys of every client this process made (see `KeyRing`).
KEYS = KeyRing()


class _Redacts(Protocol):
    def redact(self, text: str) -> str: ...


class RedactingFilter(logging.Filter):
    """A logging filter that redacts each record's message (arguments merged in) and its
    traceback text, for handlers that write records where others can read them."""

    def __init__(self, redactor: _Redacts) -> None:
        super().__init__()
        self._redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the record in place; always keep it."""
        message = record.getMessage()
        clean = self._redactor.redact(message)
        if clean != message or record.args:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._redactor.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self._redactor.redact(record.stack_info)
        return True


__all__ = [
    "FRAGMENT",
    "KEYS",
    "REDACTED",
    "TOKEN_PATTERN",
    "KeyRing",
    "RedactingFilter",
    "Redactor",
    "redact",
]
