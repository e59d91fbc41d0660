"""`nekt-tui serve`: the dashboard in a browser, through Textualize's `textual-serve`.

textual-serve runs a command for each browser tab and relays its screen over a
websocket. That command is `python -m nekt_tui` with the app's flags: the API key is
never on it (nor on any command line, where `ps` shows it to every user): each app reads
it from the environment it inherits (NEKT_API_KEY, set here from the key this process
read) or from the config file, as in a terminal. The page gets the screen only.

Loopback by default: anyone who reaches the port can use the dashboard with the key's
power (cancel runs, unless read-only), so another address needs `--public`.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import shlex
import socket
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from nekt_tui.config import BELL_POLICIES, ConfigError

if TYPE_CHECKING:
    from nekt_tui.config import Config

EXIT_USAGE = 2
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    """Add `serve`'s options, and the app's own (passed on to each served app)."""
    parser.add_argument("--host", help=f"address to listen on (default {DEFAULT_HOST})")
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT}; 0: any)"
    )
    parser.add_argument(
        "--public",
        action="store_true",
        help="allow a --host other than loopback: anyone reaching it sees the dashboard",
    )
    parser.add_argument(
        "--public-url",
        metavar="URL",
        help="the address browsers use, when not http://HOST:PORT (e.g. behind a proxy)",
    )
    parser.add_argument("--demo", action="store_true", help="serve the built-in simulator")
    parser.add_argument("--state-file", metavar="PATH", help="watch list file")
    parser.add_argument("--theme", help="Textual theme")
    parser.add_argument("--interval", type=_seconds, help="poll interval for active runs (s)")
    parser.add_argument("--bell", choices=BELL_POLICIES, help="terminal bell on transitions")


def _seconds(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of seconds") from None
    if not 0 < number < float("inf"):
        raise argparse.ArgumentTypeError(f"{value!r} must be more than 0 seconds (and finite)")
    return number


def is_loopback(host: str) -> bool:
    """Whether `host` is a loopback address (or `localhost`)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def app_command(args: argparse.Namespace, config: Config) -> list[str]:
    """The command each browser tab runs: the app with the flags given (never the key).

    The profile is the one in use now (a `default_profile` edited later changes nothing)."""
    argv = [sys.executable, "-m", "nekt_tui"]
    if args.demo:
        argv.append("--demo")
    if config.profile is not None:
        argv += ["--profile", config.profile]
    if config.read_only:
        argv.append("--read-only")
    for flag, value in (
        ("--config", config.config_file),
        ("--api-url", args.api_url),
        ("--log-file", args.log_file),
        ("--state-file", args.state_file),
        ("--theme", args.theme),
        ("--interval", args.interval),
        ("--bell", args.bell),
    ):
        if value is not None:
            argv += [flag, str(value)]
    return argv


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def free_port(host: str) -> int:
    """A port nothing listens on now (for `--port 0`: the page must name its port)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _fail(message: str, code: int = EXIT_USAGE) -> int:
    print(f"nekt-tui serve: {message}", file=sys.stderr)
    return code


def serve_command(args: argparse.Namespace, load: Callable[[], Config]) -> int:
    """Serve the dashboard until Ctrl-C; 2 (one line) for bad options or config."""
    host = args.host or DEFAULT_HOST
    if not is_loopback(host) and not args.public:
        return _fail(
            f"--host {host} would open the dashboard, and the API key's power, to the "
            "network; add --public to mean it, or leave --host out for 127.0.0.1"
        )
    if args.public and (args.host is None or is_loopback(host)):
        return _fail("--public is for a --host other than loopback, e.g. --host 0.0.0.0 --public")
    if not 0 <= args.port <= 65535:
        return _fail(f"--port must be 0-65535, got {args.port}")
    try:
        from textual_serve.server import Server
    except ImportError:
        return _fail("needs textual-serve: pip install 'nekt-tui[serve]'", 1)
    try:
        config = load()
    except ConfigError as exc:
        return _fail(str(exc))
    from nekt_tui.ui.factory import check_theme

    try:
        check_theme(config.theme)
    except ValueError as exc:
        return _fail(str(exc))
    if config.api_key is None and not args.demo:
        return _fail(
            f"no API key: set NEKT_API_KEY or api_key/api_key_cmd in {config.config_file} "
            "(a served page never asks for one)"
        )
    if config.api_key is not None:
        # Inherited by each app textual-serve starts: read once here (an api_key_cmd
        # runs once), never put on a command line.
        os.environ["NEKT_API_KEY"] = config.api_key.reveal()
    port = args.port or free_port(host)
    where = f"http://{'[' + host + ']' if ':' in host else host}:{port}"
    if args.public_url:
        where = args.public_url.rstrip("/")
    elif _is_ip(host) and ipaddress.ip_address(host).is_unspecified:
        where = f"http://{socket.getfqdn()}:{port}"  # 0.0.0.0 is no address to browse to
    if args.public:
        print(
            f"nekt-tui serve: warning: anyone who can reach {where} sees the dashboard and "
            "can act with the API key (cancel runs unless --read-only); there is no login",
            file=sys.stderr,
        )
    command = shlex.join(app_command(args, config))
    print(f"nekt-tui serve: listening on {where}", flush=True)
    Server(command, host=host, port=port, title="nekt-tui", public_url=where).serve()
    return 0
