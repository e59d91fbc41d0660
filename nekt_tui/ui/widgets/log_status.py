"""The log panel's status line, and the line saying why a run has no (fresh) log: what
the last poll met, and what happens next."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from nekt_tui.api.errors import (
    AnswerTooLargeError,
    ApiUnreachableError,
    AuthenticationError,
    BadResponseError,
    ClientError,
    NektError,
    RateLimitedError,
    RunNotFoundError,
    ServerError,
    SlowAnswerError,
)
from nekt_tui.sanitize import sanitize
from nekt_tui.ui import timefmt
from nekt_tui.watch.provenance import DETAIL

if TYPE_CHECKING:
    from nekt_tui.ui.widgets.log_view import LogView
    from nekt_tui.watch.provenance import Provenance

# Not tried again by themselves (not found, a refused key or request, too large: asking
# again gets the same), or already saying how long they wait (slow): no "next try".
_NO_NEXT_TRY = (
    RunNotFoundError,
    SlowAnswerError,
    AnswerTooLargeError,
    AuthenticationError,
    ClientError,
)


def problem_line(
    error: NektError | None,
    *,
    now: datetime,
    next_try: datetime | None = None,
    waiting_since: datetime | None = None,
    zone: tzinfo | None = None,
) -> str | None:
    """`not found: …`, `server error (HTTP 500), next try 14:03:12`, `slow: waiting for an
    answer for 45s`: sanitised plain text (never markup), one line; None: no problem.

    `next_try` is when the run is polled again (None: not planned). `waiting_since` is when
    the still unanswered request of a slow run was sent: set, the run is slow whatever
    `error` says (a `SlowAnswerError` without it shows the error's own wait). Server text
    (a reason, a host) is kept; server `detail` is left to the status panel.
    """
    if waiting_since is not None:
        waited = (now - waiting_since).total_seconds()
        return f"slow: waiting for an answer for {timefmt.span(waited)}"
    if error is None:
        return None
    text = _what(error)
    if next_try is not None and not isinstance(error, _NO_NEXT_TRY):
        text += f", next try {timefmt.local(next_try, now, zone)}"
    return sanitize(text, single_line=True)


def _what(error: NektError) -> str:
    if isinstance(error, RunNotFoundError):
        return "not found: check the ID, or that the key's workspace owns it"
    if isinstance(error, ServerError):
        return f"server error (HTTP {error.status_code})"
    if isinstance(error, BadResponseError):
        return f"bad response: {error.reason}"
    if isinstance(error, SlowAnswerError):
        return f"slow: waiting for an answer for {timefmt.span(error.waited)}"
    if isinstance(error, AnswerTooLargeError):
        return f"answer too large (over {error.limit_bytes / (1 << 20):g} MB): not read"
    if isinstance(error, ApiUnreachableError):
        return f"cannot reach {error.host}: {error.reason}"
    if isinstance(error, RateLimitedError):
        return "rate limited by the API"
    if isinstance(error, AuthenticationError):
        what = "rejected" if error.status_code == 403 else "missing or not accepted"
        return f"API key {what} (HTTP {error.status_code}): not polling"
    if isinstance(error, ClientError):
        return f"refused by the API (HTTP {error.status_code}): not tried again"
    return f"{error.short}: {error}"


def status_line(view: LogView, *, seeking: bool, problem: str | None) -> str:
    """Where the reader is, following or not, new lines, search, an error seek under way
    (`seeking`), filter, wrap, dropped lines, and the run's `problem` if it has one."""
    if view.message is not None:
        extra = problem is not None and problem != view.message
        return f"{view.message} · {problem}" if extra else view.message
    store = view.store
    bottom = view.bottom_line()
    parts = [f"line {0 if bottom is None else bottom + 1:,} of {store.end:,}"]
    parts.append("following" if view.follow else "paused")
    if view.new_lines:
        parts.append(f"{view.new_lines:,} new line{'s' if view.new_lines != 1 else ''}")
    m = view.matches
    if m is not None:
        if m.pending:
            parts.append(f"searching “{m.query.text}”…")
        elif not m.count:
            parts.append(f"no matches for “{m.query.text}”")
        else:
            at = m.index_of_current()
            prefix = f"{at:,}/" if at is not None else ""
            parts.append(f"{prefix}{m.count:,} match{'es' if m.count != 1 else ''}")
    if seeking:
        errors = store.errors
        span = max(1, store.end - store.first)
        done = min(1.0, max(0, errors.scanned - store.first) / span)
        parts.append(f"looking for errors… {done:.0%}")
    if view.filter is not None:
        parts.append(f"filter ±{view.filter.context}")
    if view.wrap:
        parts.append("wrap")
    if store.dropped:
        parts.append(f"{store.dropped:,} older lines dropped")
    if problem is not None:
        parts.append(problem)
    return " · ".join(parts)


def log_origin(prov: Provenance | None, now: datetime) -> tuple[str | None, str | None]:
    """Where the log came from, when not from the run's own detail ("log from the run
    list, 4 s old"), and why there is none ("log not available: …"): sanitised text."""
    if prov is None:
        return None, None
    origin = prov.log
    said = None if origin is None or origin.source == DETAIL else origin.describe("log", now)
    missing = sanitize(prov.log_problem, single_line=True) if prov.log_problem else None
    return said, missing
