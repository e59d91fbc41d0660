"""The async Nekt API client: one long-lived httpx.AsyncClient, typed errors, careful retries."""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import os
import random
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, timezone
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel, ValidationError

from nekt_tui import __version__
from nekt_tui.api.errors import (
    ApiUnreachableError,
    AuthenticationError,
    BadResponseError,
    ClientError,
    NektError,
    RateLimitedError,
    RunNotFoundError,
    ServerError,
)
from nekt_tui.api.ids import validate_run_id
from nekt_tui.api.models import Run, RunPage
from nekt_tui.api.urls import DEFAULT_BASE_URL, check_base_url
from nekt_tui.sanitize import sanitize

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)

USER_AGENT = f"nekt-tui/{__version__} (+https://github.com/nekt-tui)"
DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
# The scheduler bounds its own concurrency (8 by default) below this pool size, so
# requests rarely wait for a slot and are rarely cancelled while holding one.
DEFAULT_LIMITS = httpx.Limits(max_connections=16, max_keepalive_connections=16, keepalive_expiry=30)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` header: delay-seconds or an HTTP-date."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    now = now or datetime.now(timezone.utc)
    return max(0.0, (when - now).total_seconds())


def _detail(response: httpx.Response) -> str | None:
    """The DRF `detail` of an error body, sanitised and short; None for anything else."""
    try:
        body = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return None
    detail = body.get("detail") if isinstance(body, dict) else None
    if not isinstance(detail, str):
        return None
    text = sanitize(detail, single_line=True)
    return text if len(text) <= 200 else text[:197] + "..."


def _validation_reason(exc: ValidationError) -> str:
    first = exc.errors()[0]
    path = ".".join(str(p) for p in first.get("loc", ())) or "(body)"
    more = exc.error_count() - 1
    suffix = f" (and {more} more)" if more > 0 else ""
    return f"field '{path}': {first.get('msg', 'invalid')}{suffix}"


class NektClient:
    """Async client for the Nekt API. Use `async with NektClient(key) as client:`."""

    def __init__(
        self,
        api_key: str,
        base_url: str | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        limits: httpx.Limits = DEFAULT_LIMITS,
        max_retries: int = 3,
        backoff_base: float = 0.5,
        backoff_cap: float = 8.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.base_url = check_base_url(
            base_url or os.environ.get("NEKT_API_URL") or DEFAULT_BASE_URL
        )
        self.host = urlsplit(self.base_url).netloc
        self.max_retries = max(1, max_retries)
        self._backoff_base = backoff_base
        self._backoff_cap = backoff_cap
        self._sleep = sleep
        self._rng = rng or random.Random()
        # Read the wall clock through the injected clock so an HTTP-date Retry-After is
        # measured against the same time as everything else.
        self._now = now or (lambda: datetime.now(timezone.utc))
        # The end of the last Retry-After window: no request (not even a retry of one that
        # was already under way when the 429 came) is sent before it.
        self._blocked_until: datetime | None = None
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            headers={"x-api-key": api_key, "user-agent": USER_AGENT, "accept": "application/json"},
            timeout=timeout,
            limits=limits,
            transport=transport,
            follow_redirects=False,
            verify=True,
        )

    def __repr__(self) -> str:
        return f"NektClient(base_url={self.base_url!r}, api_key=<hidden>)"

    async def __aenter__(self) -> NektClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def get_run(self, run_id: str) -> Run:
        """Fetch one run. Raises `InvalidRunIdError` before any request for a bad ID."""
        rid = validate_run_id(run_id)
        body = await self._request("GET", f"/api/v1/runs/{rid}/", run_id=rid)
        return self._parse(Run, body)

    async def list_runs(self, page: int = 1, page_size: int = 50) -> RunPage:
        """Fetch one page of `GET /api/v1/runs/`."""
        if page < 1 or page_size < 1:
            raise ValueError("page and page_size must be positive")
        params = {"page": page, "page_size": page_size}
        body = await self._request("GET", "/api/v1/runs/", params=params)
        return self._parse(RunPage, body)

    async def cancel_run(self, run_id: str) -> Run:
        """Ask the API to cancel a run; returns the run (flat shape). Never retried."""
        rid = validate_run_id(run_id)
        body = await self._request("POST", f"/api/v1/runs/{rid}/cancel/", run_id=rid, json={})
        return self._parse(Run, body)

    @staticmethod
    def _parse(model: type[M], body: Any) -> M:
        try:
            return model.model_validate(body)
        except ValidationError as exc:
            raise BadResponseError(_validation_reason(exc)) from None

    def _backoff(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(cap, base * 2**attempt)]."""
        return self._rng.uniform(0, min(self._backoff_cap, self._backoff_base * 2**attempt))

    async def _request(
        self,
        method: str,
        path: str,
        *,
        run_id: str | None = None,
        params: dict[str, Any] | None = None,
        json: Any = None,
    ) -> Any:
        tries = self.max_retries if method == "GET" else 1
        for attempt in range(tries):
            self._check_rate_limit()
            try:
                return await self._once(method, path, run_id=run_id, params=params, body=json)
            except (ServerError, ApiUnreachableError) as exc:
                if attempt + 1 >= tries:
                    raise
                delay = self._backoff(attempt)
                log.debug("retrying %s %s in %.2fs after: %s", method, path, delay, exc)
                await self._sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _check_rate_limit(self) -> None:
        """Raise `RateLimitedError` instead of sending inside a known Retry-After window."""
        until = self._blocked_until
        if until is None:
            return
        left = (until - self._now()).total_seconds()
        if left > 0:
            raise RateLimitedError(left, until)
        self._blocked_until = None

    async def _once(
        self,
        method: str,
        path: str,
        *,
        run_id: str | None,
        params: dict[str, Any] | None,
        body: Any,
    ) -> Any:
        try:
            response = await self._http.request(method, path, params=params, json=body)
        except httpx.TimeoutException:
            raise ApiUnreachableError(self.host, "the request timed out") from None
        except httpx.NetworkError as exc:
            reason = (
                "connection failed" if isinstance(exc, httpx.ConnectError) else "connection lost"
            )
            raise ApiUnreachableError(self.host, reason) from None
        except httpx.RemoteProtocolError:
            raise ApiUnreachableError(self.host, "the connection was closed mid-response") from None
        except httpx.HTTPError as exc:
            raise ApiUnreachableError(self.host, type(exc).__name__) from None
        return self._decode(response, run_id)

    def _decode(self, response: httpx.Response, run_id: str | None) -> Any:
        code = response.status_code
        if code in (401, 403):
            raise AuthenticationError(code, _detail(response))
        if code == 404 and run_id is not None:
            raise RunNotFoundError(run_id)
        if code == 429:
            now = self._now()
            retry_after = parse_retry_after(response.headers.get("retry-after"), now)
            until = None
            if retry_after is not None:
                until = now + timedelta(seconds=retry_after)
                if self._blocked_until is None or until > self._blocked_until:
                    self._blocked_until = until
            raise RateLimitedError(retry_after, until)
        if code >= 500:
            raise ServerError(code, _detail(response))
        if code >= 400:
            raise ClientError(code, _detail(response))
        if not 200 <= code < 300:
            raise BadResponseError(f"unexpected HTTP {code}")
        try:
            return json.loads(response.content)
        except (ValueError, UnicodeDecodeError):
            kind = response.headers.get("content-type", "unknown").split(";")[0].strip()
            raise BadResponseError(
                f"the body is not valid JSON (content-type {sanitize(kind, single_line=True)!r})"
            ) from None


__all__ = ["DEFAULT_BASE_URL", "NektClient", "NektError", "check_base_url", "parse_retry_after"]
