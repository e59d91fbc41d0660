"""The simulator in-process: an httpx transport, no socket, time on the world's clock."""

from __future__ import annotations

from typing import Any, cast

import httpx

from nekt_tui.simulator.app import SimulatedReset, SimulatedTimeout, SimulatorApp
from nekt_tui.simulator.faults import Faults
from nekt_tui.simulator.requests_log import RequestLog
from nekt_tui.simulator.world import World


class SimulatorTransport(httpx.AsyncBaseTransport):
    """Serves requests from a `SimulatorApp`; timeouts and resets become httpx exceptions."""

    def __init__(self, app: SimulatorApp) -> None:
        self.app = app
        self._asgi = httpx.ASGITransport(app=cast(Any, app), client=("127.0.0.1", 50000))

    @property
    def world(self) -> World:
        """The world being served."""
        return self.app.world

    @property
    def faults(self) -> Faults:
        """The app's fault knobs."""
        return self.app.faults

    @property
    def requests(self) -> RequestLog:
        """The request log."""
        return self.app.requests

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Answer one request, raising what a real network would for injected failures."""
        try:
            return await self._asgi.handle_async_request(request)
        except SimulatedTimeout:
            raise httpx.ReadTimeout("simulated: no response in time", request=request) from None
        except SimulatedReset as exc:
            if exc.connect:
                raise httpx.ConnectError(
                    "simulated: [Errno 104] Connection reset by peer", request=request
                ) from None
            raise httpx.RemoteProtocolError(
                "simulated: Server disconnected without sending a response.", request=request
            ) from None

    async def aclose(self) -> None:
        """Nothing to close."""
        await self._asgi.aclose()


def app_transport(world: World, api_key: str, faults: Faults | None = None) -> SimulatorTransport:
    """An httpx transport serving `world` in-process (for the demo and tests).

    Use with `NektClient(api_key, "https://nekt.sim", transport=...)` or any
    `httpx.AsyncClient`. `transport.app` is the `SimulatorApp` (change `api_key`, call
    `revoke_key()`, swap `faults`); `transport.requests` is the request log.
    """
    return SimulatorTransport(SimulatorApp(world, api_key, faults, in_process=True))
