"""`nekt-tui simulate`: serve the simulated Nekt API on a loopback port with uvicorn.

On start it prints, flushed, one line each (for people, tools and tests to parse):

    nekt-tui simulator: demo world, 11 runs, speed 1x, shape nested, faults off
    listening on http://127.0.0.1:8765
    key: sim-key-...
    run <uuid> <pipeline-slug> <status now> -> <eventual outcome> <shape> ends in <N>s
    ...
    ready

The default key is derived from the seed (`default_key(seed)`), so it is the same every
time: `sim-key-` and 16 hex digits. Ctrl-C (SIGINT) stops the server and exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import ipaddress
import socket
import sys
from collections.abc import Sequence
from typing import Any

from nekt_tui.simulator.app import create_app
from nekt_tui.simulator.demo import add_big_log_run
from nekt_tui.simulator.faults import Faults
from nekt_tui.simulator.world import World

#: (flag, Faults attribute, help) for every rate/seconds knob.
_FAULT_FLAGS = (
    ("--error-rate", "error_rate", "fraction of requests answered with a 5xx"),
    ("--latency", "latency", "seconds added to every response"),
    ("--timeout-rate", "timeout_rate", "fraction of responses delayed by --timeout-seconds"),
    ("--timeout-seconds", "timeout_seconds", "how late a timed-out response is (default 15)"),
    ("--reset-rate", "reset_rate", "fraction of connections dropped without a response"),
    ("--rate-limit-rate", "rate_limit_rate", "fraction of requests that start a 429 burst"),
    ("--rate-limit-seconds", "rate_limit_seconds", "length of a 429 burst (default 5)"),
    ("--malformed-rate", "malformed_rate", "fraction of 200s with truncated JSON"),
    ("--html-rate", "html_rate", "fraction of requests answered with an HTML error page"),
    ("--unknown-enum-rate", "unknown_enum_rate", "fraction of runs with an undocumented enum"),
    ("--endless-rate", "endless_rate", "fraction of 200s whose body never ends"),
    ("--drip-rate", "drip_rate", "fraction of answers sent one byte every 2-5 s"),
    ("--drip-seconds", "drip_seconds", "least pause between dripped bytes (default 2)"),
    (
        "--far-retry-after-rate",
        "far_retry_after_rate",
        "fraction of requests answered 429 with Retry-After in the year 9999",
    ),
)


def default_key(seed: int) -> str:
    """The documented key a simulator started with `--seed seed` accepts by default."""
    return "sim-key-" + hashlib.sha256(f"nekt-tui-simulator:{seed}".encode()).hexdigest()[:16]


def add_simulate_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the `simulate` options to `parser`."""
    parser.add_argument(
        "--port", type=int, default=8765, help="TCP port (0 picks a free one; default 8765)"
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)"
    )
    parser.add_argument("--seed", type=int, default=0, help="world and fault seed (default 0)")
    parser.add_argument(
        "--speed", type=float, default=1.0, help="simulated seconds per real second (default 1)"
    )
    parser.add_argument(
        "--shape",
        choices=("nested", "flat", "mixed"),
        default="nested",
        help="run JSON shape (default nested; the demo world always has one flat run)",
    )
    parser.add_argument(
        "--detail",
        choices=("nested", "flat", "mixed"),
        default=None,
        help="the API as documented: GET /api/v1/runs/{id}/ answers flat (as the docs do "
        "today), nested (the seed page) or mixed per run; the run list is nested with logs "
        "(without --detail, --shape decides both, as before)",
    )
    parser.add_argument(
        "--page-size-cap",
        type=int,
        default=50,
        metavar="N",
        help="most items one page of a list holds, whatever page_size asks (default 50)",
    )
    parser.add_argument(
        "--list-error",
        action="append",
        default=[],
        metavar="LIST=STATUS",
        help="make a list answer an error: runs=404 (no such endpoint), sources=403 (a key "
        "without that scope), transformations=500; repeatable",
    )
    parser.add_argument(
        "--background-runs",
        type=int,
        default=0,
        metavar="N",
        help="demo world: add N older runs of many pipelines between the demo's own",
    )
    parser.add_argument(
        "--big-log-mb",
        type=float,
        default=0,
        metavar="N",
        help="add one running run whose answer is about N MB (its log) and keeps growing",
    )
    parser.add_argument(
        "--big-log-for",
        type=float,
        default=3600.0,
        metavar="S",
        help="world seconds the --big-log-mb run keeps running, then succeeds (default 3600)",
    )
    parser.add_argument(
        "--no-gzip",
        action="store_true",
        help="never gzip answers, even when the request accepts it",
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=0,
        metavar="N",
        help="serve N generated runs instead of the demo world (default: the demo world)",
    )
    parser.add_argument(
        "--key",
        default=None,
        help="API key to accept (default: sim-key-... derived from --seed, printed at start)",
    )
    faults = parser.add_argument_group("fault injection")
    for flag, _, text in _FAULT_FLAGS:
        faults.add_argument(flag, type=float, default=None, help=text)
    faults.add_argument(
        "--extra-fields", action="store_true", help="add undocumented fields to every run"
    )


def _faults(args: argparse.Namespace) -> Faults:
    knobs: dict[str, Any] = {"seed": args.seed, "timeout_seconds": 15.0}
    for _, name, _ in _FAULT_FLAGS:
        value = getattr(args, name)
        if value is not None:
            knobs[name] = value
    return Faults(extra_fields=bool(args.extra_fields), **knobs)


def _loopback(host: str) -> str | None:
    if host == "localhost":
        return "127.0.0.1"
    try:
        return host if ipaddress.ip_address(host).is_loopback else None
    except ValueError:
        return None


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto IPPROTO_TCP matters: asyncio sets TCP_NODELAY only on sockets that say they are
    # TCP, and without it each response waits ~40 ms for a delayed ACK (Nagle).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((host, port))
        sock.listen(512)
    except OSError:
        sock.close()
        raise
    return sock


def _banner(world: World, url: str, key: str, args: argparse.Namespace, faults: Faults) -> str:
    kind = f"{args.runs} generated runs (seed {args.seed})" if args.runs else "demo world"
    lines = [
        f"nekt-tui simulator: {kind}, {len(world.run_ids)} runs, speed {args.speed:g}x, "
        f"shape {args.detail or args.shape}, faults {'on' if faults.active else 'off'}",
        f"listening on {url}",
        f"key: {key}",
    ]
    for rid in world.run_ids:
        info = world.describe(rid)
        ends = "never ends" if info.ends_in is None else f"ends in {info.ends_in:.0f}s"
        lines.append(
            f"run {rid} {info.slug} {info.status.value} -> {info.outcome.value} {info.shape} {ends}"
        )
    example = world.run_ids[0] if world.run_ids else "<id>"
    lines.append(f"try: curl -H 'x-api-key: {key}' {url}/api/v1/runs/{example}/")
    lines.append("ready")
    return "\n".join(lines)


async def _serve(server: Any, sock: socket.socket, banner: str) -> None:
    """Serve; print the banner once the server has started: its Ctrl-C handling is in
    place then, so a Ctrl-C right after the banner stops it cleanly."""
    startup = server.startup

    async def startup_then_banner(sockets: Any = None) -> None:
        await startup(sockets=sockets)
        print(banner, flush=True)

    server.startup = startup_then_banner
    await server.serve(sockets=[sock])


def simulate_command(args: argparse.Namespace) -> int:
    """Run the simulator until Ctrl-C. Returns the exit code (0, or 2 for bad options)."""
    import uvicorn

    host = _loopback(args.host)
    if host is None:
        print(
            f"nekt-tui simulate: --host {args.host!r} is not a loopback address; the "
            "simulator only listens on 127.0.0.1, ::1 or localhost",
            file=sys.stderr,
        )
        return 2
    if (
        not 0 <= args.port <= 65535
        or not args.speed > 0
        or args.runs < 0
        or args.page_size_cap < 1
        or args.background_runs < 0
        or not 0 <= args.big_log_mb <= 1000
        or not args.big_log_for > 0
    ):
        print(
            "nekt-tui simulate: --port must be 0-65535, --speed > 0, --runs >= 0, "
            "--page-size-cap >= 1, --background-runs >= 0, --big-log-mb 0-1000, "
            "--big-log-for > 0",
            file=sys.stderr,
        )
        return 2
    try:
        faults = _faults(args)
        list_errors = _list_errors(args.list_error)
    except ValueError as exc:
        print(f"nekt-tui simulate: {exc}", file=sys.stderr)
        return 2
    if args.runs:
        world = World(
            args.seed, speed=args.speed, shape=args.shape, n_runs=args.runs, detail=args.detail
        )
    else:
        world = World.demo(
            speed=args.speed, detail=args.detail, background_runs=args.background_runs
        )
        if args.detail is None and args.shape == "flat":
            for rid in world.run_ids:
                world.set_shape(rid, "flat")
    if args.big_log_mb:
        add_big_log_run(world, args.big_log_mb, running_for=args.big_log_for)
        world.run_body(world.run_ids[-1])  # its log is built before `ready`, not on a poll
    key = args.key or default_key(args.seed)
    try:
        sock = _bind(host, args.port)
    except OSError as exc:
        reason = exc.strerror or exc
        print(f"nekt-tui simulate: cannot listen on {host}:{args.port}: {reason}", file=sys.stderr)
        return 1
    port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    app = create_app(world, key, faults, page_size_cap=args.page_size_cap, list_errors=list_errors)
    app.gzip.enabled = not args.no_gzip
    config = uvicorn.Config(
        app,
        log_level="warning",
        http="h11",
        loop="asyncio",
        lifespan="off",
        interface="asgi3",
        access_log=False,
        server_header=False,
    )
    server = uvicorn.Server(config)
    try:
        banner = _banner(world, f"http://{shown}:{port}", key, args, faults)
        asyncio.run(_serve(server, sock, banner))
    except KeyboardInterrupt:
        # Either before uvicorn took over SIGINT, or re-raised by it after a clean shutdown.
        pass
    finally:
        sock.close()
    print("simulator stopped", flush=True)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m nekt_tui.simulator`: the same as `nekt-tui simulate`."""
    parser = argparse.ArgumentParser(
        prog="python -m nekt_tui.simulator",
        description="Serve a simulated Nekt API on a loopback port.",
    )
    add_simulate_arguments(parser)
    return simulate_command(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())


_LIST_ROUTES = {"runs": "list", "sources": "sources", "transformations": "transformations"}


def _list_errors(given: list[str]) -> dict[str, int]:
    """`--list-error runs=404 ...` as the app's route → status map."""
    errors: dict[str, int] = {}
    for text in given:
        name, _, status = text.partition("=")
        if name not in _LIST_ROUTES or not status.isdigit() or not 400 <= int(status) <= 599:
            raise ValueError(
                f"--list-error {text!r}: give LIST=STATUS, LIST one of runs, sources, "
                "transformations and STATUS 400-599"
            )
        errors[_LIST_ROUTES[name]] = int(status)
    return errors
