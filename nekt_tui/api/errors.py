"""Typed API errors, each with a one-line message a user can act on.

No message ever contains the API key or a response body: only status codes, field paths
and short server `detail` text, sanitised and with the key and token-looking values
redacted (`nekt_tui.api.redact`).
"""

from __future__ import annotations

from datetime import datetime


class NektError(Exception):
    """Base of every error the client raises. `str(err)` is one line for the user."""

    #: A short label for a row or a header ("not found", "bad response").
    short = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InvalidRunIdError(NektError, ValueError):
    """The text given is not a run ID (a UUID)."""

    short = "invalid ID"

    def __init__(self, given: str) -> None:
        shown = given if len(given) <= 60 else given[:57] + "..."
        super().__init__(f"{shown!r} is not a run ID: expected a UUID like 3c90c3cc-0d44-…")
        self.given = given


class AuthenticationError(NektError):
    """401 or 403: the key is missing, wrong or revoked."""

    short = "auth failed"

    def __init__(self, status_code: int, detail: str | None = None) -> None:
        what = "rejected" if status_code == 403 else "missing or not accepted"
        extra = f" ({detail})" if detail else ""
        super().__init__(
            f"API key {what} (HTTP {status_code}){extra}: set NEKT_API_KEY or api_key in "
            "the config file to a valid key"
        )
        self.status_code = status_code
        self.detail = detail


class UnusableApiKeyError(AuthenticationError):
    """The key has characters an HTTP header cannot carry: nothing is sent with it."""

    def __init__(self) -> None:
        NektError.__init__(
            self,
            "the API key has characters that cannot be sent in an HTTP header (non-ASCII or "
            "whitespace); check NEKT_API_KEY or api_key/api_key_cmd in the config file",
        )
        self.status_code = 0
        self.detail = None


def api_key_problem(api_key: str) -> str | None:
    """Why `api_key` cannot be sent in an HTTP header (None when it can): only visible
    ASCII characters can, with no space, tab or newline anywhere."""
    if all("!" <= ch <= "~" for ch in api_key):
        return None
    return str(UnusableApiKeyError())


class RunNotFoundError(NektError):
    """404 for a run."""

    short = "not found"

    def __init__(self, run_id: str) -> None:
        super().__init__(
            f"run {run_id} not found: check the ID, or that the key's workspace owns it"
        )
        self.run_id = run_id


class RateLimitedError(NektError):
    """429: the API asks us to wait `retry_after` seconds (None when it did not say)."""

    short = "rate limited"

    def __init__(self, retry_after: float | None, until: datetime | None = None) -> None:
        wait = f"retry after {retry_after:g}s" if retry_after is not None else "retry later"
        super().__init__(f"rate limited by the API: {wait}")
        self.retry_after = retry_after
        self.until = until


class ServerError(NektError):
    """5xx from the API (or a proxy in front of it)."""

    short = "server error"

    def __init__(self, status_code: int, detail: str | None = None) -> None:
        extra = f": {detail}" if detail else ""
        super().__init__(f"the API failed with HTTP {status_code}{extra}; it will be retried")
        self.status_code = status_code
        self.detail = detail


class ApiUnreachableError(NektError):
    """No usable answer: DNS, connect or read timeout, connection reset."""

    short = "unreachable"

    def __init__(self, host: str, reason: str) -> None:
        super().__init__(f"cannot reach {host}: {reason}; check the network or NEKT_API_URL")
        self.host = host
        self.reason = reason


class SlowAnswerError(NektError):
    """The host took the request but the answer did not come in time (read timeout or the
    request's overall deadline): the run is slow, not the network down."""

    short = "slow"

    def __init__(self, host: str, waited: float) -> None:
        super().__init__(
            f"{host} did not answer within {waited:.0f}s; asking again with more patience"
        )
        self.host = host
        self.waited = waited


class AnswerTooLargeError(NektError):
    """The answer was bigger than `max_response_mb`: it was not read."""

    short = "too large"

    def __init__(self, limit_bytes: int) -> None:
        mb = limit_bytes / (1 << 20)
        super().__init__(
            f"answer too large (over {mb:g} MB): not read; raise max_response_mb in the "
            "config file to read it"
        )
        self.limit_bytes = limit_bytes


class BadResponseError(NektError):
    """The API answered something that is not a valid run: non-JSON, or a field is wrong."""

    short = "bad response"

    def __init__(self, reason: str) -> None:
        super().__init__(f"the API sent a bad response: {reason}")
        self.reason = reason


class ClientError(NektError):
    """Any other 4xx: a request this client should not have sent; not retried."""

    short = "refused"

    def __init__(self, status_code: int, detail: str | None = None) -> None:
        extra = f": {detail}" if detail else ""
        super().__init__(f"the API refused the request with HTTP {status_code}{extra}")
        self.status_code = status_code
        self.detail = detail


class ReadOnlyError(NektError):
    """Read-only mode: a request that could change something (anything but a GET) is
    refused before it is sent."""

    short = "read-only"

    def __init__(self, method: str, path: str) -> None:
        super().__init__(
            f"read-only mode: {method} {path} not sent; start without --read-only "
            "(read_only in the config file, NEKT_TUI_READ_ONLY) to allow it"
        )
        self.method = method
        self.path = path
