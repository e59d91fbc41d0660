"""What one exchange's failure means, and the DEBUG line each exchange leaves.

Split from `client.py`; the lines are still logged on `nekt_tui.api.client`.
"""

from __future__ import annotations

import asyncio
import logging

import httpx

from nekt_tui.api.errors import ApiUnreachableError, NektError, SlowAnswerError
from nekt_tui.api.reading import Deadline

log = logging.getLogger("nekt_tui.api.client")


def as_error(exc: BaseException, host: str, deadline: Deadline) -> NektError | None:
    """The NektError `exc` stands for; None for a cancellation that is not ours (or
    an interrupt), to be raised as it is."""
    if isinstance(exc, NektError):
        return exc
    if isinstance(exc, asyncio.CancelledError):
        return SlowAnswerError(host, deadline.waited()) if deadline.absorb() else None
    if isinstance(exc, httpx.ReadTimeout | httpx.PoolTimeout):
        # The host took the request (or the pool is held by its slow answers).
        return SlowAnswerError(host, deadline.waited())
    if isinstance(exc, httpx.TimeoutException):
        return ApiUnreachableError(host, "the request timed out")
    if isinstance(exc, httpx.ConnectError):
        return ApiUnreachableError(host, "connection failed")
    if isinstance(exc, httpx.NetworkError):
        return ApiUnreachableError(host, "connection lost")
    if isinstance(exc, httpx.RemoteProtocolError):
        return ApiUnreachableError(host, "the connection was closed mid-response")
    if isinstance(exc, httpx.HTTPError):
        return ApiUnreachableError(host, type(exc).__name__)
    if isinstance(exc, Exception):
        # Its text could hold anything the server sent: only its type is named.
        return NektError(f"unexpected {type(exc).__name__} while asking {host}")
    return None


def log_exchange(
    request: httpx.Request,
    status: int | None,
    deadline: Deadline,
    failure: BaseException | None,
) -> None:
    """One DEBUG line per exchange: no header, no key, no server text."""
    path = request.url.raw_path.decode("ascii", "replace")
    ms = deadline.waited() * 1000
    code = status if status is not None else "-"
    if failure is None:
        log.debug("%s %s %s %d bytes %.0f ms", request.method, path, code, deadline.received, ms)
    else:
        log.debug(
            "%s %s %s %d bytes %.0f ms failed: %s",
            request.method,
            path,
            code,
            deadline.received,
            ms,
            type(failure).__name__,
        )


__all__ = ["as_error", "log_exchange"]
