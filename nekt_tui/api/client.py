"""The async Nekt API client: one long-lived httpx.AsyncClient, typed errors, careful retries.

Every request is bounded (see `NektClient`): at most `max_response_bytes` of answer, and
an overall deadline that grows with what has arrived, on top of httpx's per-read
timeouts. Whatever goes wrong comes out as a `NektError` with one line to show.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel

from nekt_tui import __version__
from nekt_tui.api.answers import MAX_RETRY_AFTER, parse, parse_retry_after, shown
from nekt_tui.api.as_sent import RunJson, hide_token, run_from_json
from nekt_tui.api.conditional import poll_run
from nekt_tui.api.encoding import ACCEPT_ENCODING
from nekt_tui.api.errors import (
    ApiUnreachableError,
    BadResponseError,
    NektError,
    ReadOnlyError,
    ServerError,
    UnusableApiKeyError,
    api_key_problem,
)
from nekt_tui.api.exchange_log import as_error, log_exchange
from nekt_tui.api.ids import validate_run_id
from nekt_tui.api.list_calls import ListCalls
from nekt_tui.api.memo import AnswerMemo
from nekt_tui.api.models import Run
from nekt_tui.api.proxy import transport_for
from nekt_tui.api.reading import LARGE_BODY, OWN_TASK, Deadline, Mark, Unchanged, read_body
from nekt_tui.api.redact import KEYS, Redactor
from nekt_tui.api.scrub import scrub_model
from nekt_tui.api.status import RateWindow, check_status
from nekt_tui.api.urls import DEFAULT_BASE_URL, check_base_url

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)

USER_AGENT = f"nekt-tui/{__version__} (+https://github.com/nekt-tui)"
DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
# The scheduler bounds its own concurrency (8 by default) below this pool size, so
# requests rarely wait for a slot and are rarely cancelled while holding one.
DEFAULT_LIMITS = httpx.Limits(max_connections=16, max_keepalive_connections=16, keepalive_expiry=30)
#: The most of one answer read (after decompression): 256 MB, far above the largest log.
MAX_RESPONSE_BYTES = 256 << 20
#: Seconds a request may take in all, plus a second per `MIN_RATE` bytes arrived.
DEFAULT_DEADLINE = 30.0
MIN_RATE = 32 * 1024
#: A patient request (a run that was slow): per-read timeout and base deadline.
PATIENT_TIMEOUT = 120.0
PATIENT_DEADLINE = 300.0
#: GET requests kept ready to send (one per run polled); the cache starts over past this.
_REQUEST_CACHE_SIZE = 4096


class NektClient(ListCalls):
    """Async client for the Nekt API. Use `async with NektClient(key) as client:`.

    Bounds, per request (each an argument):

    - `max_response_bytes` (256 MB): a bigger answer is not read (`AnswerTooLargeError`,
      not retried), judged by its Content-Length or once that much has come.
    - `deadline` (30 s) and `min_rate` (32 KiB/s): the whole request may take `deadline`
      seconds plus one second for every `min_rate` bytes that have arrived, so a big log
      coming at a fair pace is read whole while an answer that drips ends in about 30 s.
    - `timeout`: httpx's per-step timeouts (connect 5 s, each read 10 s).

    The host took the request but its answer did not come in time (a read timeout or the
    deadline): `SlowAnswerError`, not retried; `get_run(rid, patient=True)` then asks with
    `patient_timeout` per read and `patient_deadline`. A connection that cannot be made
    is `ApiUnreachableError`, retried with backoff like a 5xx. A `Retry-After` is followed
    for at most `MAX_RETRY_AFTER` (10 minutes); `clear_rate_limit()` lets a user's
    explicit refresh try once inside the window. `read_only`: any request but a GET is
    refused (`ReadOnlyError`) where requests are sent, so none ever leaves the client.

    Server text that reaches a message (an error's `detail`, a content type, a field
    path) is sanitised and has the key and token-looking values redacted (`redact`);
    every string of a returned run or page (its log, slug, description, user, token
    description, unknown enum values...) has them redacted too (`scrub_model`: a few
    exact scans, and nothing copied when none is found).
    Each request is logged at DEBUG on `nekt_tui.api.client`: method, path, status,
    bytes and milliseconds, or the failure's type; never the key or a header.

    Bytes: requests ask for gzip (`encoding.py`); `received_bytes` counts every byte
    received on the wire and `last_size(run_id)` is the size of a run's last answer
    (the bandwidth budget reads both: `watch/bandwidth.py`). A run's large answer that is
    byte for byte the last one is not decoded or parsed again (`reading.Mark`).
    """

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
        max_response_bytes: int = MAX_RESPONSE_BYTES,
        deadline: float = DEFAULT_DEADLINE,
        min_rate: float = MIN_RATE,
        patient_timeout: float = PATIENT_TIMEOUT,
        patient_deadline: float = PATIENT_DEADLINE,
        read_only: bool = False,
    ) -> None:
        if min(max_response_bytes, deadline, min_rate, patient_timeout, patient_deadline) <= 0:
            raise ValueError("the size cap, deadlines, timeouts and rate must be positive")
        self.base_url = check_base_url(
            base_url or os.environ.get("NEKT_API_URL") or DEFAULT_BASE_URL
        )
        self.host = urlsplit(self.base_url).netloc
        self.max_retries = max(1, max_retries)
        self.max_response_bytes = max_response_bytes
        self.read_only = read_only
        self._backoff_base = backoff_base
        self._backoff_cap = backoff_cap
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._deadline = deadline
        self._patient_deadline = patient_deadline
        self._min_rate = min_rate
        # Read the wall clock through the injected clock so an HTTP-date Retry-After is
        # measured against the same time as everything else.
        self._window = RateWindow(now or (lambda: datetime.now(timezone.utc)))
        self._redactor = Redactor(api_key)
        KEYS.add(api_key)  # the debug log redacts every key a client was made with
        # httpx cannot put such a key in a header (a UnicodeEncodeError, or a request h11
        # refuses): nothing is sent, and every request says why in one line.
        self._key_error = UnusableApiKeyError() if api_key_problem(api_key) else None
        # httpx would send `gzip, deflate`; the client decodes itself (`encoding.py`).
        headers = {
            "user-agent": USER_AGENT,
            "accept": "application/json",
            "accept-encoding": ACCEPT_ENCODING,
        }
        if self._key_error is None:
            headers["x-api-key"] = api_key
        # Requests go straight to the transport (`handle_async_request`), with the headers
        # and timeouts `AsyncClient` would send: `AsyncClient.request` also merges URLs,
        # headers and cookies, runs the auth (and netrc), redirect and cookie machinery
        # (none wanted here) per request: 15 % of the CPU of a status check (benchmarks,
        # figure 3). The client is kept for its default headers and its close.
        self._transport = (
            transport if transport is not None else transport_for(self.base_url, limits)
        )
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            headers=headers,
            timeout=timeout,
            limits=limits,
            transport=self._transport,
            follow_redirects=False,
            verify=True,
        )
        self._headers = self._http.headers
        self._extensions: dict[str, Any] = {"timeout": timeout.as_dict()}
        patient = httpx.Timeout(patient_timeout, connect=timeout.connect)
        self._patient_extensions: dict[str, Any] = {"timeout": patient.as_dict()}
        # Run ID as given -> (canonical ID, its GET request). A bodiless request is only
        # read by a transport, so one per run is sent again on every poll, instead of
        # validating the ID and parsing the URL and headers each time.
        self._run_gets: dict[str, tuple[str, httpx.Request]] = {}
        # Bytes received, and each run's last answer worth keeping (marks, ETags).
        self._memo = AnswerMemo()

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

    @property
    def redactor(self) -> Redactor:
        """Redacts this client's key (and token-looking values) from any text."""
        return self._redactor

    def redact(self, text: str) -> str:
        """`text` with the key, its encodings and token-looking values `[redacted]`."""
        return self._redactor.redact(text)

    @property
    def received_bytes(self) -> int:
        """Every byte received on the wire so far (answers, errors, list pages)."""
        return self._memo.received_bytes

    @property
    def conditional(self) -> bool | None:
        """Whether the server honours `If-None-Match` (None: not known; see `memo.py`)."""
        return self._memo.conditional

    def last_size(self, key: str) -> int | None:
        """Bytes on the wire of the last answer for a run ID as polled (or a list path
        such as `/api/v1/runs/`, for its last page); None before any."""
        return self._memo.last_size(key)

    def clear_rate_limit(self) -> None:
        """Forget the Retry-After window, so the next request is sent (a user's explicit
        refresh tries once; another 429 opens the window again)."""
        self._window.clear()

    async def get_run(
        self, run_id: str, *, patient: bool = False, expand: tuple[str, ...] = ()
    ) -> Run:
        """Fetch one run. Raises `InvalidRunIdError` before any request for a bad ID.

        `patient`: for a run whose answer was slow (`SlowAnswerError`), wait longer
        (`patient_timeout` per read, `patient_deadline` in all). `expand`: fields to ask
        expanded (`expand[]=triggered_by` turns the flat shape's user ID into the user).
        """
        if expand:
            rid = validate_run_id(run_id)
            params = [("expand[]", field) for field in expand]
            request = self._build("GET", f"/api/v1/runs/{rid}/", params=params, patient=patient)
            deadline = self._patient_deadline if patient else self._deadline
            return self._same_run(await self._request(Run, request, rid, deadline), rid)
        known = self._run_gets.get(run_id)
        if known is None:
            rid = validate_run_id(run_id)
            if len(self._run_gets) >= _REQUEST_CACHE_SIZE:
                self._run_gets.clear()
            known = self._run_gets[run_id] = (rid, self._build("GET", f"/api/v1/runs/{rid}/"))
        rid, request = known
        deadline = self._deadline
        if patient:
            request = self._build("GET", f"/api/v1/runs/{rid}/", patient=True)
            deadline = self._patient_deadline
        run = await self._request(Run, request, rid, deadline, mark=True)
        return self._same_run(run, rid)

    async def get_run_with_json(
        self, run_id: str, *, patient: bool = False
    ) -> tuple[Run, dict[str, Any]]:
        """`get_run`, and the run's JSON object as sent (redacted like the run, the token's
        secret hidden: see `as_sent`; the two share their strings). For `status --json`."""
        rid = validate_run_id(run_id)
        request = self._build("GET", f"/api/v1/runs/{rid}/", patient=patient)
        deadline = self._patient_deadline if patient else self._deadline
        sent = (await self._request(RunJson, request, rid, deadline)).root
        return self._same_run(run_from_json(sent, self.redact), rid), hide_token(sent)

    async def cancel_run(self, run_id: str) -> Run:
        """Ask the API to cancel a run; returns the run (flat shape). Never retried."""
        rid = validate_run_id(run_id)
        request = self._build("POST", f"/api/v1/runs/{rid}/cancel/", json={})
        return self._same_run(await self._request(Run, request, rid, self._deadline), rid)

    async def _get_page(self, model: type[M], path: str, params: Any) -> M:
        """GET a list page (see `ListCalls`): not a run, so never marked."""
        request = self._build("GET", path, params=params)
        return await self._request(model, request, None, self._deadline)

    def _same_run(self, run: Run, rid: str) -> Run:
        """`run`, unless it is another run than the one asked for (`BadResponseError`)."""
        if run.id.lower() != rid:
            raise BadResponseError(
                f"the API answered run {shown(run.id, self.redact, 40)} for run {rid}"
            )
        return run

    def _build(
        self,
        method: str,
        path: str,
        *,
        params: Any = None,
        json: Any = None,
        patient: bool = False,
    ) -> httpx.Request:
        """A request as `AsyncClient.build_request` would make it (no cookies: none used)."""
        return httpx.Request(
            method,
            self.base_url + path,
            params=params,
            json=json,
            headers=self._headers,
            extensions=self._patient_extensions if patient else self._extensions,
        )

    def _backoff(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(cap, base * 2**attempt)]."""
        return self._rng.uniform(0, min(self._backoff_cap, self._backoff_base * 2**attempt))

    async def _request(
        self,
        model: type[M],
        request: httpx.Request,
        run_id: str | None,
        deadline: float,
        *,
        mark: bool = False,
    ) -> M:
        if self._key_error is not None:
            raise self._key_error
        method = request.method
        tries = self.max_retries if method == "GET" else 1
        for attempt in range(tries):
            self._window.check()
            try:
                return await self._once(model, request, run_id, deadline, mark)
            except (ServerError, ApiUnreachableError) as exc:
                if attempt + 1 >= tries:
                    raise
                delay = self._backoff(attempt)
                path = request.url.path
                log.debug("retrying %s %s in %.2fs after: %s", method, path, delay, exc)
                await self._sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _once(
        self,
        model: type[M],
        request: httpx.Request,
        run_id: str | None,
        seconds: float,
        mark: bool = False,
    ) -> M:
        """One exchange: send, read within bounds, parse. Every failure is a NektError."""
        if self._http.is_closed:
            raise NektError("the API client is closed")
        deadline = Deadline(seconds, self._min_rate)
        answered: list[int] = []  # the status code, once the answer's head has come
        try:
            if OWN_TASK:
                # Python 3.10 has no `Task.uncancel`, and anyio there delivers again a
                # cancel it saw: the deadline cancels a task of the exchange's own instead
                # of the caller's (a task per request: dearer, so only where needed).
                exchange = asyncio.ensure_future(
                    self._exchange(model, request, run_id, deadline, answered, mark)
                )
                deadline.watch(exchange)
                result = await exchange
            else:
                result = await self._exchange(model, request, run_id, deadline, answered, mark)
        except BaseException as exc:
            self._count(request, run_id, deadline)
            error = as_error(exc, self.host, deadline)
            status = answered[0] if answered else None
            if log.isEnabledFor(logging.DEBUG):
                log_exchange(request, status, deadline, error or exc)
            if error is None or error is exc:
                raise
            raise error from None
        self._count(request, run_id, deadline)
        if log.isEnabledFor(logging.DEBUG):
            log_exchange(request, answered[0] if answered else None, deadline, None)
        return result

    def _count(self, request: httpx.Request, run_id: str | None, deadline: Deadline) -> None:
        """Keep the bytes an exchange received (for the bandwidth budget)."""
        self._memo.count(run_id if run_id is not None else request.url.path, deadline.received)

    async def _exchange(
        self,
        model: type[M],
        request: httpx.Request,
        run_id: str | None,
        deadline: Deadline,
        answered: list[int],
        mark: bool = False,
    ) -> M:
        """Send, read within bounds, parse and scrub (see `_once`). `mark`: a run's
        poll, not parsed again when its answer is its last one over again (`memo.py`)."""
        if not mark or run_id is None:
            return (await self._answer(model, request, run_id, deadline, answered, None))[0]

        async def answer(sent: httpx.Request, known: Mark | None) -> tuple[M, httpx.Response, bool]:
            return await self._answer(model, sent, run_id, deadline, answered, known)

        return await poll_run(self._memo, request, run_id, deadline, answered, answer)

    async def _answer(
        self,
        model: type[M],
        request: httpx.Request,
        run_id: str | None,
        deadline: Deadline,
        answered: list[int],
        known: Mark | None,
    ) -> tuple[M, httpx.Response, bool]:
        """The parsed answer, its response, and whether it is the run kept from the last
        answer (its mark is `known` again, or a 304 to an `If-None-Match`)."""
        try:
            if self.read_only and request.method != "GET":
                raise ReadOnlyError(request.method, request.url.path)
            response = await self._transport.handle_async_request(request)
            answered.append(response.status_code)
            try:
                content = await read_body(
                    response, self.max_response_bytes, deadline, marked=True, known=known
                )
            finally:
                await response.aclose()
        finally:
            deadline.stop()
        if isinstance(content, Unchanged) or (
            response.status_code == 304 and "if-none-match" in request.headers
        ):
            kept = self._memo.run(run_id) if run_id is not None else None
            if kept is None:  # a 304 for a run not kept: never asked for
                raise BadResponseError("unexpected HTTP 304")
            return kept, response, True  # type: ignore[return-value]  # only runs are kept
        check_status(response, content, run_id, self.redact, self._window)
        result = parse(model, content, response.headers.get("content-type"), self.redact)
        del content  # a big log is not held twice while it is scrubbed
        return scrub_model(result, self._redactor), response, False


__all__ = [
    "DEFAULT_BASE_URL",
    "LARGE_BODY",
    "MAX_RETRY_AFTER",
    "NektClient",
    "NektError",
    "api_key_problem",
    "check_base_url",
    "parse_retry_after",
]
