"""A simulator on a loopback port with a scripted world, for the benchmarks that need sockets.

`nekt-tui simulate --runs N` serves a realistic crowd in which many runs have already
finished; the throughput figure needs every run active for the whole measurement, and the
memory figure needs one run with a log of an exact size. So this script builds its world
with `World.add_run` and serves it with uvicorn exactly as `nekt-tui simulate` does
(h11, TCP_NODELAY, no access log). It prints one JSON line (url, key, run IDs), then
`ready`. Run: `python -m benchmarks.simserver --active 1000 --port 0`.

`SimServer` starts it as a subprocess and reads that line; `stop()` ends it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import queue
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

KEY = "sim-key-benchmarks"


def build_world(args: argparse.Namespace) -> tuple[Any, dict[str, list[str]]]:
    """The world: `active` runs running for ever, `finished` ones, and one `big_log` run."""
    from nekt_tui.simulator import World

    world = World(seed=args.seed, shape=args.shape, n_runs=0)
    ids: dict[str, list[str]] = {"active": [], "finished": [], "big": []}
    if args.big_log:
        # A finished run whose log has exactly `big_log` body lines: its body is cached
        # once and never changes, like any finished run's.
        seconds = 1000.0
        rid = world.add_run(
            [("queued", 5.0), ("running", seconds)],
            "success",
            shape="nested",
            ago=seconds + 60.0,
            lines_per_second=args.big_log / seconds,
        )
        ids["big"].append(rid)
    for _ in range(args.active):
        ids["active"].append(
            world.add_run(
                [("running", math.inf)],
                "success",
                ago=60.0,
                lines_per_second=args.lines_per_second,
            )
        )
    for _ in range(args.finished):
        ids["finished"].append(
            world.add_run(
                [("queued", 5.0), ("running", 60.0)], "success", ago=3600.0, lines_per_second=0.2
            )
        )
    return world, ids


def _bind(port: int) -> socket.socket:
    # As nekt-tui simulate does: IPPROTO_TCP so asyncio keeps TCP_NODELAY, else every
    # response waits ~40 ms for a delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(512)
    return sock


def main(argv: Sequence[str] | None = None) -> int:
    """Serve until killed."""
    import uvicorn

    from nekt_tui.simulator import create_app

    parser = argparse.ArgumentParser(prog="python -m benchmarks.simserver")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--shape", choices=("nested", "flat", "mixed"), default="nested")
    parser.add_argument("--active", type=int, default=0, help="runs that run for ever")
    parser.add_argument("--finished", type=int, default=0, help="runs that finished")
    parser.add_argument("--big-log", type=int, default=0, help="one finished run, N log lines")
    parser.add_argument("--lines-per-second", type=float, default=0.0)
    args = parser.parse_args(argv)
    world, ids = build_world(args)
    for rid in ids["big"]:
        world.run_body(rid)  # build the big body before saying ready
    sock = _bind(args.port)
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    config = uvicorn.Config(
        create_app(world, KEY),
        log_level="warning",
        http="h11",
        loop="asyncio",
        lifespan="off",
        interface="asgi3",
        access_log=False,
        server_header=False,
    )
    print(json.dumps({"url": url, "key": KEY, **ids}), flush=True)
    print("ready", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(uvicorn.Server(config).serve(sockets=[sock]))
    return 0


def _pump(proc: subprocess.Popen[str], lines: queue.Queue[str]) -> None:
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.put(line)
    lines.put("")


@dataclass
class SimServer:
    """A `benchmarks.simserver` subprocess."""

    url: str
    key: str
    ids: dict[str, list[str]]
    process: subprocess.Popen[str]
    options: list[str] = field(default_factory=list)

    @classmethod
    def start(cls, *options: str, deadline: float = 60.0) -> SimServer:
        """Start one with these command-line options; wait for its `ready`."""
        proc = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.simserver", *options],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        lines: queue.Queue[str] = queue.Queue()
        # A thread reads the banner: select() on a buffered pipe would miss lines that
        # are already in the buffer.
        threading.Thread(target=_pump, args=(proc, lines), daemon=True).start()
        end = time.monotonic() + deadline
        info: dict[str, Any] | None = None
        while True:
            try:
                line = lines.get(timeout=max(0.01, end - time.monotonic()))
            except queue.Empty:
                break
            if not line or time.monotonic() > end:
                break
            if line.startswith("{"):
                info = json.loads(line)
            elif line.strip() == "ready" and info is not None:
                ids = {k: v for k, v in info.items() if isinstance(v, list)}
                return cls(info["url"], info["key"], ids, proc, list(options))
        proc.kill()
        proc.wait()
        raise RuntimeError(f"benchmarks.simserver {' '.join(options)} did not start")

    def stop(self) -> None:
        """Stop the server (and reap it)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> SimServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


if __name__ == "__main__":
    raise SystemExit(main())
