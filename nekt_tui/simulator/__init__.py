"""A faithful simulator of the Nekt API, for the demo, the tests and the benchmarks.

`World` is a seeded workspace of pipelines and runs moving on an injected clock;
`create_app` serves it as an ASGI app (for uvicorn, see `serve`), `app_transport` serves
it in-process to httpx; `Faults` injects the failures a real API and its proxies produce.
"""

from nekt_tui.simulator.app import SimulatedReset, SimulatedTimeout, SimulatorApp, create_app
from nekt_tui.simulator.faults import Faults
from nekt_tui.simulator.requests_log import RequestLog, RequestRecord
from nekt_tui.simulator.transport import SimulatorTransport, app_transport
from nekt_tui.simulator.world import RunInfo, World

#: The key the in-process demo and the tests use (any string works; this one is documented).
DEMO_KEY = "sim-key-demo"

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
