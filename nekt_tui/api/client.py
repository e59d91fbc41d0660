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
from nekt_tui.api.body import JsonSplitter
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
#: GET requests kept ready to send (one per run polled); the cache starts over past this.
_REQUEST_CACHE_SIZE = 4096
#: From this size on a successful answer is split as it arrives, its long strings decoded
#: apart, and never held whole (see `_read_body`).
LARGE_BODY = 1 << 20


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


def _detail(content: bytes | bytearray) -> str | None:
    """The DRF `detail` of an error body, sanitised and short; None for anything else."""
    try:
        body = json.loads(content)
    except (ValueError, UnicodeDecodeError):
        return None
    detail = body.get("detail") if isinstance(body, dict) else None
    if not isinstance(detail, str):
        return None
    text = sanitize(detail, single_line=True)
    return text if len(text) <= 200 else text[:197] + "..."


def _not_json(content_type: str | None) -> str:
    kind = (content_type or "unknown").split(";")[0].strip()
    return f"the body is not valid JSON (content-type {sanitize(kind, single_line=True)!r})"


def _validation_reason(exc: ValidationError, content_type: str | None) -> str:
    first = exc.errors(include_url=False, include_input=False)[0]
    if first.get("type") == "json_invalid":
        return _not_json(content_type)
    path = ".".join(str(p) for p in first.get("loc", ())) or "(body)"
    more = exc.error_count() - 1
    suffix = f" (and {more} more)" if more > 0 else ""
    return f"field '{path}': {first.get('msg', 'invalid')}{suffix}"


async def _read_body(response: httpx.Response) -> bytes | bytearray | JsonSplitter:
    """The whole (decoded) body, never held twice; a large JSON answer as a `JsonSplitter`.

    `Response.aread()` keeps every chunk in a list and then joins them, so a 33 MB log is
    held twice at the end; growing one buffer holds it once. A one-chunk body (the usual
    small run) is returned as it came, without a copy. A successful answer of `LARGE_BODY`
    or more (by its Content-Length, or once that much has come) goes to a `JsonSplitter`
    chunk by chunk instead, so its bytes are never held whole (see `body.py`).
    """
    ok = 200 <= response.status_code < 300  # an error's body is read whole: it is small
    length = response.headers.get("content-length", "")
    large = ok and length.isdigit() and int(length) >= LARGE_BODY
    splitter = JsonSplitter() if large else None
    first: bytes | None = None
    buffer: bytearray | None = None
    async for chunk in response.aiter_bytes():
        if splitter is not None:
            splitter.feed(chunk)
        elif first is None:
            first = chunk
        elif buffer is None:
            buffer = bytearray(first)
            buffer += chunk
        else:
            buffer += chunk
        if ok and buffer is not None and len(buffer) >= LARGE_BODY:
            splitter = JsonSplitter()
            splitter.feed(bytes(buffer))
            first = buffer = None
    if splitter is not None:
        return splitter
    if buffer is not None:
        return buffer
    return first if first is not None else b""


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
        # Requests go straight to the transport the client routes the API's URL to (its
        # pool, or a proxy from the environment), with the headers and timeouts it would
        # send. `AsyncClient.request` also merges URLs, headers and cookies, runs the auth
        # and redirect machinery (none used here) and parses Set-Cookie per request: 15 %
        # of the CPU of a status check (benchmarks, figure 3).
        self._transport = self._http._transport_for_url(httpx.URL(self.base_url))
        self._headers = self._http.headers
        self._extensions: dict[str, Any] = {"timeout": timeout.as_dict()}
        # Run ID as given -> (canonical ID, its GET request). A bodiless request is only
        # read by a transport, so one per run is sent again on every poll, instead of
        # validating the ID and parsing the URL and headers each time.
        self._run_gets: dict[str, tuple[str, httpx.Request]] = {}

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
        known = self._run_gets.get(run_id)
        if known is None:
            rid = validate_run_id(run_id)
            if len(self._run_gets) >= _REQUEST_CACHE_SIZE:
                self._run_gets.clear()
            known = self._run_gets[run_id] = (rid, self._build("GET", f"/api/v1/runs/{rid}/"))
        rid, request = known
        return await self._request(Run, request, run_id=rid)

    async def list_runs(self, page: int = 1, page_size: int = 50) -> RunPage:
        """Fetch one page of `GET /api/v1/runs/`."""
        if page < 1 or page_size < 1:
            raise ValueError("page and page_size must be positive")
        params = {"page": page, "page_size": page_size}
        return await self._request(RunPage, self._build("GET", "/api/v1/runs/", params=params))

    async def cancel_run(self, run_id: str) -> Run:
        """Ask the API to cancel a run; returns the run (flat shape). Never retried."""
        rid = validate_run_id(run_id)
        request = self._build("POST", f"/api/v1/runs/{rid}/cancel/", json={})
        return await self._request(Run, request, run_id=rid)

    def _build(
        self, method: str, path: str, *, params: dict[str, Any] | None = None, json: Any = None
    ) -> httpx.Request:
        """A request as `AsyncClient.build_request` would make it (no cookies: none used)."""
        return httpx.Request(
            method,
            self.base_url + path,
            params=params,
            json=json,
            headers=self._headers,
            extensions=self._extensions,
        )

    def _backoff(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(cap, base * 2**attempt)]."""
        return self._rng.uniform(0, min(self._backoff_cap, self._backoff_base * 2**attempt))

    async def _request(
        self,
        model: type[M],
        request: httpx.Request,
        *,
        run_id: str | None = None,
    ) -> M:
        method = request.method
        tries = self.max_retries if method == "GET" else 1
        for attempt in range(tries):
            self._check_rate_limit()
            try:
                return await self._once(model, request, run_id)
            except (ServerError, ApiUnreachableError) as exc:
                if attempt + 1 >= tries:
                    raise
                delay = self._backoff(attempt)
                path = request.url.path
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

    async def _once(self, model: type[M], request: httpx.Request, run_id: str | None) -> M:
        if self._http.is_closed:
            raise RuntimeError("the client is closed")
        try:
            response = await self._transport.handle_async_request(request)
            try:
                content = await _read_body(response)
            finally:
                await response.aclose()
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
        content_type = response.headers.get("content-type")
        try:
            if isinstance(content, JsonSplitter):
                # A large 2xx answer, already split as it came (see `_read_body`): its
                # long strings (a 33 MB log) are decoded, the rest is parsed here.
                try:
                    data = content.parse()
                except ValueError:
                    raise BadResponseError(_not_json(content_type)) from None
                del content
                return model.model_validate(data)
            self._check_status(response, content, run_id)
            # Bytes straight to the model with pydantic's own JSON parser: a third
            # cheaper than json.loads + model_validate for a run's usual few KB.
            return model.model_validate_json(content)
        except ValidationError as exc:
            raise BadResponseError(_validation_reason(exc, content_type)) from None

    def _check_status(
        self, response: httpx.Response, content: bytes | bytearray, run_id: str | None
    ) -> None:
        """Raise the typed error for anything but a 2xx answer."""
        code = response.status_code
        if 200 <= code < 300:
            return
        if code in (401, 403):
            raise AuthenticationError(code, _detail(content))
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
            raise ServerError(code, _detail(content))
        if code >= 400:
            raise ClientError(code, _detail(content))
        raise BadResponseError(f"unexpected HTTP {code}")


__all__ = ["DEFAULT_BASE_URL", "NektClient", "NektError", "check_base_url", "parse_retry_after"]
