"""The simulated Nekt API as a hand-written ASGI application.

Routes (every path ends in `/`, as on api.nekt.ai):
`GET /api/v1/runs/` (DRF page-number pagination), `GET /api/v1/runs/{id}/`,
`POST /api/v1/runs/{id}/cancel/` (returns the run in the flat shape),
`GET /api/v1/sources/` and `GET /api/v1/transformations/` (see `pipelines_api`).
The run list is nested (with logs) as documented (`World.list_item_shape`); `page_size` is
capped by `max_page_size`.
`expand[]=FIELD` is honoured as documented (see `expand`).
Auth is the `x-api-key` header: missing → 401, wrong → 403, revoked → 401, each with a DRF
`{"detail": ...}`. Unknown or non-UUID run → 404 `{"detail": "Not found."}`; unknown path →
Django's HTML 404. Faults (see `Faults`) are applied before routing, as a proxy would.
"""

from __future__ import annotations

import asyncio
import email.utils
import hmac
import json
import math
import random
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qsl, urlencode

from nekt_tui.simulator import bodies, expand, lists, pipelines_api
from nekt_tui.simulator.compress import Gzipper
from nekt_tui.simulator.faults import Faults, Plan
from nekt_tui.simulator.requests_log import RequestLog, RequestRecord
from nekt_tui.simulator.routing import (
    Receive,
    Reply,
    Scope,
    Send,
    base_url,
    not_allowed,
    query_pairs,
    route_of,
)
from nekt_tui.simulator.streams import FAR_RETRY_AFTER, Endless, drip, stream_endless
from nekt_tui.simulator.world import World

_FAR = datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone.utc)  # FAR_RETRY_AFTER
_COMMON_HEADERS = [
    (b"vary", b"Accept, Cookie"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]


class SimulatedTimeout(Exception):
    """Raised in-process in place of a response that came too late."""


class SimulatedReset(Exception):
    """Raised in-process in place of a dropped connection; `connect` says at which stage."""

    def __init__(self, connect: bool) -> None:
        super().__init__("connection reset")
        self.connect = connect


class SimulatorApp:
    """The ASGI app. `api_key` may be changed at run time; `revoke_key()` revokes it."""

    def __init__(
        self,
        world: World,
        api_key: str,
        faults: Faults | None = None,
        *,
        in_process: bool = False,
        page_size: int = 50,
        max_page_size: int = 50,
    ) -> None:
        self.world = world
        self.api_key: str | None = api_key
        self.faults = faults if faults is not None else Faults()
        self.in_process = in_process
        self.revoked: set[str] = set()
        self.page_size = page_size
        self.max_page_size = max_page_size
        #: List route (`list`, `sources`, `transformations`) → the HTTP status it answers
        #: instead of the page: an API without that endpoint (404), a key without its
        #: scope (403), a broken list (500).
        self.list_errors: dict[str, int] = {}
        #: Answers are gzipped for requests that accept it (`gzip.enabled = False`: never).
        self.gzip = Gzipper()

    @property
    def requests(self) -> RequestLog:
        """The world's request log."""
        return self.world.requests

    def revoke_key(self) -> None:
        """Revoke the accepted key (it now gets 401); no key works until `api_key` is set."""
        if self.api_key is not None:
            self.revoked.add(self.api_key)
        self.api_key = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            await self._http(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        clock = self.world.clock
        method = str(scope["method"]).upper()
        path = str(scope["path"])
        route, run_id = route_of(path)
        record = self.requests.add(RequestRecord(clock.monotonic(), method, path, run_id))
        more = True
        while more:  # drain the request body; its content does not matter
            message = await receive()
            more = bool(message.get("more_body")) and message["type"] == "http.request"
        plan = self.faults.draw()
        # uvicorn's send is a method of its request cycle, which holds the socket's transport:
        # the only way an ASGI app can drop a connection without answering.
        scope["nekt.transport"] = getattr(getattr(send, "__self__", None), "transport", None)
        if plan.latency > 0:
            await clock.sleep(plan.latency)
        try:
            reply = await self._decide(scope, method, route, run_id, plan, record)
        except Reply as done:
            reply = done
        except (SimulatedTimeout, SimulatedReset):
            record.responded = clock.monotonic()
            raise
        except Endless as endless:
            record.status = 200
            try:
                await stream_endless(endless, run_id, receive, send)
            finally:
                record.responded = clock.monotonic()
            return
        if reply is None:  # the connection was dropped
            record.responded = clock.monotonic()
            return
        if plan.drip:
            record.fault = ",".join(f for f in (record.fault, "drip") if f)
            if self.in_process:  # the client gives up (see `Faults`)
                await clock.sleep(self.faults.timeout_seconds)
                record.responded = clock.monotonic()
                raise SimulatedTimeout()
        record.status = reply.status
        record.responded = clock.monotonic()
        if reply.status == 429:
            record.retry_until = record.responded + (record.retry_after or 0.0)
        body, encoded = self.gzip.encode(scope, reply.body)
        headers = [
            (b"content-type", reply.content_type.encode()),
            (b"content-length", str(len(body)).encode()),
            *_COMMON_HEADERS,
            *reply.headers,
            *encoded,
        ]
        await send({"type": "http.response.start", "status": reply.status, "headers": headers})
        if plan.drip:
            gaps = random.Random(plan.pick[2])
            low = self.faults.drip_seconds
            try:
                await drip(body, receive, send, lambda: clock.sleep(gaps.uniform(low, low * 2.5)))
            finally:
                record.responded = clock.monotonic()
            return
        await send({"type": "http.response.body", "body": body, "more_body": False})

    async def _decide(
        self,
        scope: Scope,
        method: str,
        route: str | None,
        run_id: str | None,
        plan: Plan,
        record: RequestRecord,
    ) -> Reply | None:
        clock = self.world.clock
        remaining = self.faults.rate_limited(plan, clock.monotonic())
        if remaining is not None:
            record.fault = "rate_limit"
            raise self._too_many(remaining, plan, record)
        if plan.reset:
            record.fault = "reset"
            await self._reset(scope, plan)
            return None
        if plan.far_retry_after:
            record.fault = "far_retry_after"
            record.retry_after = (_FAR - clock.now()).total_seconds()
            body = bodies.detail("Request was throttled.")
            raise Reply(429, body, headers=[(b"retry-after", FAR_RETRY_AFTER.encode())])
        if plan.timeout:
            record.fault = "timeout"
            await clock.sleep(self.faults.timeout_seconds)
            if self.in_process:
                raise SimulatedTimeout()
        if plan.endless:
            record.fault = "endless"
            if self.in_process:  # the client gives up (see `Faults`)
                await clock.sleep(self.faults.timeout_seconds)
                raise SimulatedTimeout()
            raise Endless(plan.pick[0], plan.pick[1] < 0.5)
        if plan.html:
            record.fault = "html"
            status, page = bodies.pick(bodies.HTML_PAGES, plan.pick[0])
            raise Reply(status, page, bodies.HTML)
        if plan.error:
            record.fault = "error"
            status, kind, body = bodies.pick(bodies.SERVER_ERRORS, plan.pick[0])
            raise Reply(status, body, kind)
        if route is None:
            raise Reply(404, bodies.DJANGO_404, bodies.HTML)
        self._authenticate(scope)
        refused = self.list_errors.get(route)
        if refused is not None:
            record.fault = "list_error"
            text = {403: "You do not have permission to perform this action.", 404: "Not found."}
            raise Reply(refused, bodies.detail(text.get(refused, "Server Error (500)")))
        if route == "list":
            if method not in ("GET", "HEAD"):
                raise not_allowed(method, "GET, HEAD, OPTIONS")
            return Reply(200, self._list(scope, plan, record))
        if route in pipelines_api.KINDS:
            if method not in ("GET", "HEAD"):
                raise not_allowed(method, "GET, HEAD, OPTIONS")
            return Reply(200, self._pipelines(scope, route, plan, record))
        if run_id is None or not self.world.exists(run_id):
            raise Reply(404, bodies.detail("Not found."))
        if route == "cancel":
            if method != "POST":
                raise not_allowed(method, "POST, OPTIONS")
            return Reply(200, self._cancel(run_id, plan, record))
        if method not in ("GET", "HEAD"):
            raise not_allowed(method, "GET, HEAD, OPTIONS")
        tree = expand.parse(query_pairs(scope))
        return Reply(200, self._run_body(run_id, None, plan, record, tree))

    def _too_many(self, remaining: float, plan: Plan, record: RequestRecord) -> Reply:
        """A 429 whose Retry-After covers the rest of the burst (seconds or HTTP-date)."""
        if plan.use_date:
            now = self.world.clock.now()
            until = now + timedelta(seconds=remaining)
            # An HTTP-date has whole seconds: round up so the client never comes back early.
            until = until.replace(microsecond=0) + timedelta(seconds=1 if until.microsecond else 0)
            record.retry_after = (until - now).total_seconds()
            value = email.utils.format_datetime(until, usegmt=True)
        else:
            seconds = max(1, math.ceil(remaining))
            record.retry_after = float(seconds)
            value = str(seconds)
        body = bodies.detail(
            f"Request was throttled. Expected available in {max(1, math.ceil(remaining))} seconds."
        )
        return Reply(429, body, headers=[(b"retry-after", value.encode())])

    async def _reset(self, scope: Scope, plan: Plan) -> None:
        if self.in_process:
            raise SimulatedReset(connect=plan.pick[1] < 0.3)
        transport = scope.get("nekt.transport")
        if transport is not None:
            transport.abort()
            # Let the server see the connection is gone before the app returns.
            for _ in range(3):
                await asyncio.sleep(0)
            return
        raise Reply(502, b"connection reset", bodies.TEXT)

    def _authenticate(self, scope: Scope) -> None:
        given = None
        for name, value in scope.get("headers") or ():
            if name.lower() == b"x-api-key":
                given = value.decode("latin-1").strip()
        if not given:
            raise Reply(
                401,
                bodies.detail("Authentication credentials were not provided."),
                headers=[(b"www-authenticate", b"Api-Key")],
            )
        if given in self.revoked:
            raise Reply(
                401,
                bodies.detail("API key has been revoked."),
                headers=[(b"www-authenticate", b"Api-Key")],
            )
        accepted = self.api_key
        if accepted is None or not hmac.compare_digest(given.encode(), accepted.encode()):
            raise Reply(403, bodies.detail("Invalid API key."))

    def _run_body(
        self,
        run_id: str,
        shape: str | None,
        plan: Plan,
        record: RequestRecord,
        tree: expand.Tree | None = None,
    ) -> bytes:
        if not (plan.unknown_enum or plan.extra_fields or plan.malformed or tree):
            body = self.world.run_body(run_id, shape)
            assert body is not None
            return body
        run = self.world.run_json(run_id, shape)
        assert run is not None
        if tree:
            expand.run(self.world, run, tree)
        faults = []
        if plan.unknown_enum:
            faults.append(bodies.unknown_enum(run, plan.pick[1], plan.pick[2]))
        if plan.extra_fields:
            bodies.extra_fields(run)
            faults.append("extra_fields")
        encoded = json.dumps(run, separators=(",", ":")).encode()
        if plan.malformed:
            encoded = bodies.truncate(encoded, plan.pick[0])
            faults.append("malformed")
        noted = record.fault.split(",") if record.fault else []
        record.fault = ",".join(noted + [f for f in faults if f not in noted])
        return encoded

    def _cancel(self, run_id: str, plan: Plan, record: RequestRecord) -> bytes:
        if not self.world.cancel(run_id):
            status = self.world.true_status(run_id).value
            raise Reply(400, bodies.detail(f"Cannot cancel a run that is already {status}."))
        return self._run_body(run_id, "flat", plan, record)

    def _list(self, scope: Scope, plan: Plan, record: RequestRecord) -> bytes:
        query = dict(parse_qsl(bytes(scope.get("query_string") or b"").decode("latin-1")))
        size = self.page_size
        raw_size = query.get("page_size", "")
        if raw_size.isdigit() and int(raw_size) > 0:
            size = int(raw_size)
        size = min(size, self.max_page_size)
        t = self.world.elapsed()
        runs = [r for r in self.world.newest_first() if r.timeline.created <= t]
        pages = max(1, math.ceil(len(runs) / size))
        raw_page = query.get("page", "1")
        page = pages if raw_page == "last" else int(raw_page) if raw_page.isdigit() else 0
        if not 1 <= page <= pages:
            raise Reply(404, bodies.detail("Invalid page."))
        chosen = runs[(page - 1) * size : page * size]
        shape = self.world.list_item_shape  # "nested" in the documented API, whatever the detail
        results = [self._run_body(r.id, shape, plan, record) for r in chosen]
        base = base_url(scope)

        def link(n: int) -> str:
            """DRF's link to page n: the same query, `page` replaced (dropped for page 1)."""
            params = {**query, "page": str(n)}
            if n == 1:
                del params["page"]
            qs = urlencode(sorted(params.items()))
            return f"{base}?{qs}" if qs else base

        head = {
            "count": len(runs),
            "next": link(page + 1) if page < pages else None,
            "previous": link(page - 1) if page > 1 else None,
        }
        prefix = json.dumps(head, separators=(",", ":"))[:-1].encode()
        return prefix + b',"results":[' + b",".join(results) + b"]}"

    def _pipelines(self, scope: Scope, kind: str, plan: Plan, record: RequestRecord) -> bytes:
        """A DRF page of the sources or transformations list."""
        pairs = query_pairs(scope)
        chosen = pipelines_api.pipelines(self.world, kind, pairs)
        try:
            page = lists.page_of(
                len(chosen),
                pairs,
                base_url(scope),
                default_size=self.page_size,
                cap=self.max_page_size,
            )
        except lists.InvalidPage:
            raise Reply(404, bodies.detail("Invalid page.")) from None
        tree = expand.parse(pairs)
        results = [
            pipelines_api.item(self.world, kind, pipe, tree)
            for pipe in chosen[page.start : page.stop]
        ]
        encoded = json.dumps({**page.head, "results": results}, separators=(",", ":")).encode()
        if plan.malformed:
            encoded = bodies.truncate(encoded, plan.pick[0])
            record.fault = ",".join(filter(None, (record.fault, "malformed")))
        return encoded


def create_app(
    world: World,
    api_key: str,
    faults: Faults | None = None,
    *,
    page_size_cap: int = 50,
    list_errors: dict[str, int] | None = None,
) -> SimulatorApp:
    """The simulated API over `world`, accepting `api_key`, for serving on a socket;
    `page_size_cap` is the most runs or pipelines one page of a list holds; `list_errors`
    makes list routes answer an error status (see `SimulatorApp.list_errors`)."""
    app = SimulatorApp(world, api_key, faults, max_page_size=page_size_cap)
    app.list_errors.update(list_errors or {})
    return app
