"""Cancelling a run (`X`): which sources can, when it is offered, and what a failure says.

No widgets and no httpx here: the app asks the current run source (a `NektClient`, or a
test double that may not cancel at all) through `RunCanceller`, and words the outcome
with these functions, so every message is one line a user can act on.
"""

from __future__ import annotations

from collections.abc import Container
from datetime import datetime
from typing import Protocol, runtime_checkable

from nekt_tui.api.enums import RunStatus
from nekt_tui.api.errors import (
    AuthenticationError,
    BadResponseError,
    NektError,
    RateLimitedError,
    ServerError,
)
from nekt_tui.sanitize import sanitize
from nekt_tui.ui import timefmt
from nekt_tui.ui.state.connection import ConnKind
from nekt_tui.ui.state.model import Row
from nekt_tui.ui.state.status import status_text

#: What `X` says in read-only mode (nothing is sent).
READ_ONLY = "read-only: cancelling is off"


@runtime_checkable
class RunCanceller(Protocol):
    """A run source that can also ask the API to cancel a run (`NektClient` can)."""

    async def cancel_run(self, run_id: str) -> object:
        """Ask to cancel; raises `nekt_tui.api.errors` errors. Must never retry."""
        ...


def cannot_send(no_source: bool, conn_kind: ConnKind, conn_message: str) -> str:
    """Why there is nothing to send a cancel with (no key yet, or a source that only reads)."""
    if not no_source:
        return "This run source cannot cancel runs"
    if conn_kind is ConnKind.NO_KEY:
        return "Cancelling needs an API key: press K to enter one"
    return "Cannot cancel yet: " + (conn_message or "not connected to the API")


def refusal(row: Row, sent: Container[str] = ()) -> str | None:
    """Why the run is not offered for cancelling (its last known status), or None.

    A run never fetched (no status yet) or with a status nobody documented is offered:
    the API is the judge, and says so if it cannot be cancelled. `sent`: runs whose
    cancel is on its way (a second one is never sent).
    """
    if row.run_id in sent:
        return f"A cancel request for {row.title} is already on its way"
    status = row.status
    if status == RunStatus.CANCELLING:
        return f"{row.title} is already being cancelled"
    if isinstance(status, RunStatus) and status.is_terminal:
        return f"{row.title} has already finished ({status_text(status)}): nothing to cancel"
    return None


def failure_text(title: str, error: NektError, now: datetime) -> str:
    """One line for a cancel the API did not accept (or that never reached it).

    The errors' own wording is reused where it fits a cancel; a server error's says "it
    will be retried", which is true of polls but never of a cancel, so it is reworded.
    """
    if isinstance(error, RateLimitedError):
        if error.until is not None:
            left = max(0.0, (error.until - now).total_seconds())
            when = f"after {timefmt.moment(error.until, now)} (in {timefmt.span(left)})"
        elif error.retry_after is not None:
            when = f"in {timefmt.span(error.retry_after)}"
        else:
            when = "in a minute"
        text = f"Cancel not sent for {title}: the API is rate limiting; press X again {when}"
    elif isinstance(error, AuthenticationError):
        text = f"Cancel refused for {title}: {error}"
    elif isinstance(error, ServerError):
        detail = f": {error.detail}" if error.detail else ""
        text = (
            f"Cancel failed for {title}: the API failed with HTTP {error.status_code}{detail}; "
            "not retried, press X to try again"
        )
    elif isinstance(error, BadResponseError):
        # The cancel may well have been accepted: the next poll shows whether it was.
        text = f"Cancel sent for {title}, but {error}; the next poll shows whether it took"
    else:  # not found, refused (a DRF detail such as "cannot cancel"), unreachable
        text = f"Cannot cancel {title}: {error}"
    return sanitize(text, single_line=True)


def poll_after(error: NektError) -> bool:
    """Whether to poll the run again after this failure: it may have changed, or taken.

    Not after a 429 (the poll would be refused too) or an auth refusal (a cancel-only
    permission problem must not stop polling with a false "key refused").
    """
    return not isinstance(error, RateLimitedError | AuthenticationError)
