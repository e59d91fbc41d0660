"""Why a run failed, in one line: the failure digest of its log.

The digest is the log's last error: the exception line of its last Python traceback, or
else its last line at an error level (ERROR, FATAL, CRITICAL and the other spellings the
log view colours as errors, see `levels`). It is sanitised, without the line's leading
timestamp, and at most `LIMIT` characters long. The log is searched from its end, a chunk
at a time, so the usual failed log (its error near the end) costs a few string searches
however long it is; nothing splits the whole log into lines.
"""

from __future__ import annotations

from nekt_tui.logview.levels import ERROR_HINTS, Level, content_start, word_level
from nekt_tui.sanitize import sanitize, strip_escapes

#: The longest digest, in characters (a cut one ends with "…").
LIMIT = 160
_TRACEBACK = "Traceback (most recent call last):"
# A line that holds none of these (in any case) is never an error line: a cheap filter
# (`str.rfind`, the fastest search there is) in front of the full detection. An ASCII
# chunk is searched lower-cased; any other in three cases (lowering it could move text).
_LOWER = tuple(ERROR_HINTS)
_CASES = tuple({form for hint in ERROR_HINTS for form in (hint, hint.upper(), hint.title())})
_CHUNK = 1 << 18


def failure_digest(log: str | None) -> str | None:
    """The last error of a failed run's log, safe to show on one line; None without one."""
    if not log:
        return None
    line = _traceback_exception(log)
    if line is None:
        line = _last_error_line(log)
    return None if line is None else _one_line(line)


def _traceback_exception(log: str) -> str | None:
    """The exception line ending the last traceback: the first line after its header that
    is not indented (once a leading timestamp is put aside). None when there is no
    traceback, or it was cut off before its exception line."""
    at = log.rfind(_TRACEBACK)
    if at < 0:
        return None
    pos, end = log.find("\n", at), len(log)
    while 0 <= pos < end:
        start = pos + 1
        pos = log.find("\n", start)
        line = log[start : pos if pos >= 0 else end].rstrip("\r")
        body = line[content_start(line) :]
        if body.strip() and body[0] not in " \t":
            return body
    return None


def _last_error_line(log: str) -> str | None:
    """The last line at an error level, searched a chunk at a time from the end."""
    end = len(log)
    while end > 0:
        start = max(0, end - _CHUNK)
        if start:  # begin at a line's start (a very long line makes a bigger chunk)
            start = log.rfind("\n", 0, start) + 1
        chunk = log[start:end]
        if chunk.isascii():
            found = _last_in(chunk, chunk.lower(), _LOWER)
        else:
            found = _last_in(chunk, chunk, _CASES)
        if found is not None:
            return found
        end = start - 1 if start else 0  # before the line break ending the previous line
    return None


def _last_in(chunk: str, text: str, needles: tuple[str, ...]) -> str | None:
    """The last error line of `chunk`, whose hints are searched in `text` (`chunk` itself
    or lower-cased: the same positions). Each needle's last place is kept, and only the
    ones in a line found not to be an error are searched for again, before that line."""
    places = {needle: text.rfind(needle) for needle in needles}
    while True:
        mark = max(places.values())
        if mark < 0:
            return None
        first = chunk.rfind("\n", 0, mark) + 1
        last = chunk.find("\n", mark)
        line = chunk[first : last if last >= 0 else len(chunk)].rstrip("\r")
        if word_level(strip_escapes(line)) == Level.ERROR:
            return line
        for needle, place in places.items():
            if place >= first:
                places[needle] = text.rfind(needle, 0, first)


def _one_line(line: str) -> str:
    """`line` sanitised, without its timestamp, cut to `LIMIT` characters."""
    text = sanitize(strip_escapes(line), single_line=True)
    text = text[content_start(text) :].strip()
    if len(text) > LIMIT:
        text = text[: LIMIT - 1] + "…"
    return text


__all__ = ["LIMIT", "failure_digest"]
