"""What changed in a run's `parsed_log` since the last poll, computed in O(new text).

The tracker remembers, per run, the log's length, its last few hundred characters and
where its last (possibly partial) line starts. A new log that is longer and still holds
the same tail at the same place only grew: its new lines are appended. Anything else is
a rewrite: the consumer drops what it shows and takes the whole log again.
"""

from __future__ import annotations

from dataclasses import dataclass

#: How much of the old log's end must match for the new log to count as "only grew".
TAIL_CHARS = 256


class LogDelta:
    """Lines to show for a log change.

    `reset`: drop everything shown; `lines` is the whole log. Otherwise `lines` are to be
    appended, and when `replace_last` is true the first of them replaces the last line
    shown (it was partial, without its newline yet, and has grown).

    A reset made by `LogTracker` keeps the log `text` it came from and splits it into
    `lines` only when they are first asked for: a consumer that shows the run's log
    string itself (the log panel loading a run) never needs them, and one string per line
    of a 200,000-line log costs more memory than the log (about 45 MB for 30 MB of text).
    Immutable, and equal to any delta with the same `reset`, `lines` and `replace_last`.
    """

    __slots__ = ("_lines", "_text", "replace_last", "reset")

    reset: bool
    replace_last: bool
    _lines: tuple[str, ...] | None
    _text: str | None

    def __init__(self, reset: bool, lines: tuple[str, ...], replace_last: bool = False) -> None:
        object.__setattr__(self, "reset", reset)
        object.__setattr__(self, "replace_last", replace_last)
        object.__setattr__(self, "_lines", lines)
        object.__setattr__(self, "_text", None)

    @classmethod
    def whole(cls, text: str) -> LogDelta:
        """A reset to the log `text`; its `lines` are split from `text` when first asked."""
        delta = cls(True, ())
        object.__setattr__(delta, "_lines", None)
        object.__setattr__(delta, "_text", text)
        return delta

    @property
    def lines(self) -> tuple[str, ...]:
        """The lines to show (split once, on first use, for a reset made from a text)."""
        lines = self._lines
        if lines is None:
            lines = tuple(split_lines(self._text or "")[0])
            object.__setattr__(self, "_lines", lines)
            object.__setattr__(self, "_text", None)
        return lines

    @property
    def text(self) -> str | None:
        """The whole log a reset was made from, until its `lines` are asked for (else
        None): a consumer holding this very string needs no lines at all."""
        return self._text

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"LogDelta is immutable: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"LogDelta is immutable: cannot delete {name!r}")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LogDelta):
            return NotImplemented
        if (self.reset, self.replace_last) != (other.reset, other.replace_last):
            return False
        if self._text is not None and self._text is other._text:
            return True
        return self.lines == other.lines

    def __hash__(self) -> int:
        return hash((self.reset, self.lines, self.replace_last))

    def __repr__(self) -> str:
        if self._lines is None:
            lines = f"<{len(self._text or '')} characters, not split yet>"
        else:
            lines = repr(self._lines)
        return f"LogDelta(reset={self.reset!r}, lines={lines}, replace_last={self.replace_last!r})"


def split_lines(text: str) -> tuple[list[str], bool]:
    """Split on `\\n` and `\\r\\n`; return the lines and whether the last one is partial."""
    if not text:
        return [], False
    parts = text.split("\n")
    partial = parts[-1] != ""
    if not partial:
        parts.pop()
    return [p[:-1] if p.endswith("\r") else p for p in parts], partial


@dataclass(slots=True)
class _Seen:
    length: int
    tail: str
    last_line_start: int  # offset of the partial last line (== length when complete)


class LogTracker:
    """Per-run log state; `update()` turns each new `parsed_log` into a `LogDelta`."""

    def __init__(self) -> None:
        self._seen: dict[str, _Seen] = {}

    def __contains__(self, run_id: str) -> bool:
        return run_id in self._seen

    def forget(self, run_id: str) -> None:
        """Drop what is known of a run (unwatched): its next log is a reset."""
        self._seen.pop(run_id, None)

    def update(self, run_id: str, log: str | None) -> LogDelta | None:
        """The change from the last log seen for `run_id` to `log`; None when unchanged.

        A response without a log (None: the flat shape has no log object) says nothing
        about the log, so it changes nothing: what is shown stays, and the next log is
        compared with the last one seen.
        """
        if log is None:
            return None
        seen = self._seen.get(run_id)
        n = len(log)
        if seen is not None and n >= seen.length:
            start = seen.length - len(seen.tail)
            # Compare the old tail where it used to be: a slice of at most TAIL_CHARS, so
            # the cost does not grow with the log.
            if log.startswith(seen.tail, start):
                if n == seen.length:
                    return None
                return self._grew(run_id, log, seen)
        self._remember(run_id, log, 0)
        return LogDelta.whole(log)

    def _grew(self, run_id: str, log: str, seen: _Seen) -> LogDelta:
        replace_last = seen.last_line_start < seen.length
        start = seen.last_line_start
        self._remember(run_id, log, start)
        lines, _ = split_lines(log[start:])
        return LogDelta(reset=False, lines=tuple(lines), replace_last=replace_last)

    def _remember(self, run_id: str, log: str, search_from: int) -> None:
        n = len(log)
        nl = log.rfind("\n", search_from)
        last_line_start = nl + 1 if nl >= 0 else search_from
        self._seen[run_id] = _Seen(n, log[-TAIL_CHARS:], last_line_start)


def log_delta(old: str | None, new: str | None) -> LogDelta | None:
    """The delta between two logs (a convenience over `LogTracker` for one pair)."""
    tracker = LogTracker()
    tracker.update("", old)
    return tracker.update("", new)


__all__ = ["TAIL_CHARS", "LogDelta", "LogTracker", "log_delta", "split_lines"]
