"""An answer's status code as a typed error, and the Retry-After window a 429 opens.

Split from `client.py`: `NektClient` raises through `check_status` and keeps one
`RateWindow`, so no request (not even a retry) is sent inside a known window.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import httpx

from nekt_tui.api.answers import detail, parse_retry_after
from nekt_tui.api.errors import (
    AuthenticationError,
    BadResponseError,
    ClientError,
    RateLimitedError,
    RunNotFoundError,
    ServerError,
)


class RateWindow:
    """The end of the last Retry-After window, read on an injected wall clock."""

    def __init__(self, now: Callable[[], datetime]) -> None:
        self._now = now
        # The end of the last Retry-After window: no request (not even a retry of one that
        # was already under way when the 429 came) is sent before it.
        self._blocked_until: datetime | None = None

    def clear(self) -> None:
        """Forget the window (a user's explicit refresh tries once)."""
        self._blocked_until = None

    def check(self) -> None:
        """Raise `RateLimitedError` instead of sending inside a known Retry-After window."""
        until = self._blocked_until
        if until is None:
            return
        left = (until - self._now()).total_seconds()
        if left > 0:
            raise RateLimitedError(left, until)
        self._blocked_until = None

    def limited(self, response: httpx.Response) -> RateLimitedError:
        """The error for a 429 `response`; its Retry-After (if any) widens the window."""
        now = self._now()
        retry_after = parse_retry_after(response.headers.get("retry-after"), now)
        until = None
        if retry_after is not None:
            until = now + timedelta(seconds=retry_after)
            if self._blocked_until is None or until > self._blocked_until:
                self._blocked_until = until
        return RateLimitedError(retry_after, until)


def check_status(
    response: httpx.Response,
    content: object,
    run_id: str | None,
    redact: Callable[[str], str],
    window: RateWindow,
) -> None:
    """Raise the typed error for anything but a 2xx answer."""
    code = response.status_code
    if 200 <= code < 300:
        return
    assert isinstance(content, bytes | bytearray)  # an error's body is never streamed
    if code in (401, 403):
        raise AuthenticationError(code, detail(content, redact))
    if code == 404 and run_id is not None:
        raise RunNotFoundError(run_id)
    if code == 429:
        raise window.limited(response)
    if code >= 500:
        raise ServerError(code, detail(content, redact))
    if code >= 400:
        raise ClientError(code, detail(content, redact))
    raise BadResponseError(f"unexpected HTTP {code}")


__all__ = ["RateWindow", "check_status"]
