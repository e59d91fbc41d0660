"""A faithful simulator of the Nekt API, for the demo, the tests and the benchmarks.

`World` is a seeded workspace of pipelines and runs moving on an injected clock;
`create_app` serves it as an ASGI app (for uvicorn, see `serve`), `app_transport` serves
it in-process to httpx; `Faults` injects the failures a real API and its proxies produce.

The names below are loaded on first use: the demo's first frame needs only `World`, and
the in-process transport needs httpx.
"""

from importlib import import_module
from typing import TYPE_CHECKING

#: The key the in-process demo and the tests use (any string works; this one is documented).
DEMO_KEY = "sim-key-demo"

_HOMES = {
    "Faults": "faults",
    "RequestLog": "requests_log",
    "RequestRecord": "requests_log",
    "RunInfo": "world",
    "SimulatedReset": "app",
    "SimulatedTimeout": "app",
    "SimulatorApp": "app",
    "SimulatorTransport": "transport",
    "World": "world",
    "app_transport": "transport",
    "create_app": "app",
}

if TYPE_CHECKING:
    from nekt_tui.simulator.app import (
        SimulatedReset,
        SimulatedTimeout,
        SimulatorApp,
        create_app,
    )
    from nekt_tui.simulator.faults import Faults
    from nekt_tui.simulator.requests_log import RequestLog, RequestRecord
    from nekt_tui.simulator.transport import SimulatorTransport, app_transport
    from nekt_tui.simulator.world import RunInfo, World
else:

    def __getattr__(name: str) -> object:
        home = _HOMES.get(name)
        if home is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        return getattr(import_module(f"nekt_tui.simulator.{home}"), name)


__all__ = [
    "DEMO_KEY",
    "Faults",
    "RequestLog",
    "RequestRecord",
    "RunInfo",
    "SimulatedReset",
    "SimulatedTimeout",
    "SimulatorApp",
    "SimulatorTransport",
    "World",
    "app_transport",
    "create_app",
]
