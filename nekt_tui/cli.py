"""The command line: open the app, or run headless `status`, `wait` and `simulate`."""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import signal
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NoReturn

from nekt_tui import __version__
from nekt_tui.config import BELL_POLICIES, Config, ConfigError, load_config
from nekt_tui.debuglog import DebugLog, LogFileError, open_debug_log

if TYPE_CHECKING:
    from textual.app import App

EXIT_USAGE = 2
EXIT_API = 3

log = logging.getLogger(__name__)

_DESCRIPTION = """\
Watch Nekt pipeline runs live in the terminal.

  nekt-tui                      open the saved watch list
  nekt-tui RUN_ID|URL ...       add runs first, then open
  nekt-tui --demo               try it against the built-in simulator (no account)
  nekt-tui status RUN_ID ...    print runs once (table or --json)
  nekt-tui wait RUN_ID ...      follow runs until they finish (for scripts and CI)
  nekt-tui pipelines            every pipeline and its last run (--status S, --json)
  nekt-tui runs                 the newest runs (--status S, --pipeline GLOB, --limit N, --json)
  nekt-tui --follow RULE        add matching runs by themselves, e.g. --follow status:failed
  nekt-tui simulate --port N    serve the simulated Nekt API on loopback (extra: simulate)
  nekt-tui serve --port N       the dashboard in a browser, on loopback (extra: serve)

A follow rule is terms joined by spaces, all of which must match: status:S[,S],
pipeline:GLOB (the pipeline slug), type:T (extractor, transformation, destination).

--api-url, --config, --log-file, --profile and --read-only go before or after a
subcommand. --profile NAME (or NEKT_TUI_PROFILE, or default_profile in the config file)
uses the settings of the file's [profiles.NAME] table, and its own watch list.
--log-file PATH (or NEKT_TUI_LOG) writes a debug log for bug reports, with the API key
redacted. --read-only (or read_only = true, NEKT_TUI_READ_ONLY=1) sends nothing but GETs:
cancelling is off.

The API key is read from NEKT_API_KEY or the config file (api_key, or api_key_cmd such as
"pass show nekt"); it is never taken on the command line.
"""


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line that says what to do."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _positive(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of seconds") from None
    if not number > 0 or number == float("inf"):
        raise argparse.ArgumentTypeError(f"{value!r} must be more than 0 seconds (and finite)")
    return number


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--api-url", metavar="URL", help="API base URL (env NEKT_API_URL)")
    parser.add_argument(
        "--config", dest="config_file", metavar="PATH", help="config file (env NEKT_TUI_CONFIG)"
    )
    parser.add_argument(
        "--log-file",
        metavar="PATH",
        help="write a debug log for bug reports, key redacted (env NEKT_TUI_LOG)",
    )
    parser.add_argument(
        "--read-only",
        action="store_true",
        default=None,  # not given: the environment or the config file decides
        help="send nothing but GETs: cancelling is off (env NEKT_TUI_READ_ONLY)",
    )
    parser.add_argument(
        "--profile",
        metavar="NAME",
        help="[profiles.NAME] of the config file (env NEKT_TUI_PROFILE)",
    )


def build_parser() -> _Parser:
    """The top-level parser (the app); subcommands are parsed by their own parsers."""
    parser = _Parser(
        prog="nekt-tui",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("runs", nargs="*", metavar="RUN_ID", help="run IDs or text with them")
    parser.add_argument("--demo", action="store_true", help="run against the built-in simulator")
    _add_common(parser)
    parser.add_argument("--state-file", metavar="PATH", help="watch list file (env NEKT_TUI_STATE)")
    parser.add_argument("--theme", help="Textual theme, e.g. textual-dark, nord, gruvbox")
    parser.add_argument("--interval", type=_positive, help="poll interval for active runs (s)")
    parser.add_argument("--bell", choices=BELL_POLICIES, help="terminal bell on transitions")
    parser.add_argument(
        "--follow",
        action="append",
        default=[],
        metavar="RULE",
        help="watch the runs matching RULE by themselves (repeatable; added to the config's)",
    )
    parser.add_argument("--version", action="version", version=f"nekt-tui {__version__}")
    return parser


def _sub_parser(name: str) -> _Parser:
    parser = _Parser(prog=f"nekt-tui {name}")
    if name != "simulate":
        _add_common(parser)
    if name == "serve":
        from nekt_tui.serve import add_serve_arguments

        add_serve_arguments(parser)
    elif name == "status":
        from nekt_tui.headless import add_status_arguments

        add_status_arguments(parser)
    elif name == "wait":
        from nekt_tui.headless import add_wait_arguments

        add_wait_arguments(parser)
    elif name in ("pipelines", "runs"):
        from nekt_tui.headless_lists import add_pipelines_arguments, add_runs_arguments

        (add_pipelines_arguments if name == "pipelines" else add_runs_arguments)(parser)
    else:
        from nekt_tui.simulator.serve import add_simulate_arguments

        add_simulate_arguments(parser)
    return parser


#: The subcommands; a first word that is one of them is never a run to watch.
SUBCOMMANDS = ("status", "wait", "simulate", "serve", "pipelines", "runs")
#: Flags every command takes, before or after the subcommand; each takes one value.
_GLOBAL_FLAGS = ("--api-url", "--config", "--log-file", "--profile")
#: Global flags that take no value.
_GLOBAL_SWITCHES = ("--read-only",)
_GLOBAL_PREFIXES = tuple(f"{flag}=" for flag in _GLOBAL_FLAGS)


def split_subcommand(argv: Sequence[str]) -> tuple[str | None, list[str]]:
    """The subcommand and its arguments, with global flags given before it moved after it.

    `nekt-tui --api-url URL status ID` is `nekt-tui status --api-url URL ID`; without a
    subcommand after the global flags it is (None, argv): the app."""
    moved: list[str] = []
    i = 0
    while i < len(argv):
        word = argv[i]
        if word in _GLOBAL_FLAGS and i + 1 < len(argv):
            moved += argv[i : i + 2]
            i += 2
        elif word in _GLOBAL_SWITCHES or word.startswith(_GLOBAL_PREFIXES):
            moved.append(word)
            i += 1
        else:
            break
    if i < len(argv) and argv[i] in SUBCOMMANDS:
        return argv[i], [*argv[i + 1 :], *moved]
    return None, list(argv)


def _open_log(config: Config) -> DebugLog | None:
    """Start the debug log if one was asked for (LogFileError if it cannot be written)."""
    # Without a handler of its own, an error record would reach logging's last resort and
    # print a traceback on stderr: the package's records go nowhere unless asked for.
    package = logging.getLogger("nekt_tui")
    if not any(isinstance(h, logging.NullHandler) for h in package.handlers):
        package.addHandler(logging.NullHandler())
    if config.log_file is None:
        return None
    secrets = [config.api_key.reveal()] if config.api_key is not None else []
    opened = open_debug_log(config.log_file, secrets)
    log.info("nekt-tui %s, Python %s, %s", __version__, sys.version.split()[0], sys.platform)
    return opened


def _run_headless(name: str, args: argparse.Namespace, config: Config) -> int:
    """`status` or `wait`: any exception nothing expected is one line and exit 3."""
    try:
        return asyncio.run(_headless(name, args, config))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`| head`): silence the flush at exit too.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as exc:  # the traceback goes to the log file only
        from nekt_tui.reporting import report_hint

        log.error("%s: unexpected %s", name, type(exc).__name__, exc_info=True)
        return _fail(f"unexpected {type(exc).__name__}; {report_hint(config.log_file)}", EXIT_API)


def _fail(message: str, code: int = EXIT_USAGE) -> int:
    print(f"nekt-tui: {message}", file=sys.stderr)
    return code


def _config(
    args: argparse.Namespace, *, need_key: bool = True, profile: str | None = None
) -> Config:
    overrides: dict[str, Any] = {
        "api_url": getattr(args, "api_url", None),
        "config_file": getattr(args, "config_file", None),
        "state_file": getattr(args, "state_file", None),
        "theme": getattr(args, "theme", None),
        "interval": getattr(args, "interval", None),
        "bell": getattr(args, "bell", None),
        "log_file": getattr(args, "log_file", None),
        "read_only": getattr(args, "read_only", None),
        "profile": profile or getattr(args, "profile", None),
    }
    return load_config(overrides, need_key=need_key)


async def _headless(name: str, args: argparse.Namespace, config: Config) -> int:
    from nekt_tui.api.client import NektClient
    from nekt_tui.api.errors import InvalidRunIdError
    from nekt_tui.clock import SystemClock
    from nekt_tui.headless import parse_ids, run_status, run_wait

    try:
        parse_ids(getattr(args, "run_ids", ()))
    except InvalidRunIdError as exc:
        return _fail(f"{exc}; pass run IDs or run URLs")
    if config.api_key is None:
        return _fail(
            f"no API key: set NEKT_API_KEY or api_key/api_key_cmd in {config.config_file}",
            EXIT_API,
        )
    log.debug("%s at %s", name, config.api_url)
    key, limit = config.api_key.reveal(), config.max_response_mb << 20
    async with NektClient(
        key, config.api_url, max_response_bytes=limit, read_only=config.read_only
    ) as source:
        # The client logs every request and turns any exception into a NektError.
        logged = config.log_file
        if name in ("pipelines", "runs"):
            from nekt_tui.headless_lists import run_list_command

            return await run_list_command(name, args, source, sys.stdout)
        if name == "status":
            return await run_status(args, source, sys.stdout, log_file=logged)
        return await run_wait(
            args,
            source,
            SystemClock(),
            sys.stdout,
            run_list=config.run_list,
            log_file=logged,
            notify=config.notify,
            notify_cmd=config.notify_cmd,
            max_bandwidth=config.max_bandwidth,
        )


def _run_app(args: argparse.Namespace, config: Config) -> int:
    # Start-up makes some 200,000 long-lived objects (Textual, the app); collecting
    # cycles among them only delays the first frame. The app turns the collector back
    # on (and freezes what exists) once that frame is drawn.
    gc.disable()
    try:
        return _open_app(args, config)
    finally:
        gc.enable()


def _with_rules(config: Config, given: Sequence[str]) -> Config:
    """The config with `--follow` rules after its own, every rule checked (ValueError:
    one line naming the bad term and where it was given)."""
    from dataclasses import replace

    from nekt_tui.discover.rules import RuleError, parse_rule

    for where, texts in (
        (f"config file {config.config_file}: follow", config.follow),
        ("--follow", given),
    ):
        for text in texts:
            try:
                parse_rule(text)
            except RuleError as exc:
                raise ValueError(f"{where}: {exc}") from None
    return replace(config, follow=(*config.follow, *given)) if given else config


def _open_app(args: argparse.Namespace, config: Config) -> int:
    from nekt_tui.ui.app import check_keys
    from nekt_tui.ui.factory import build_app, check_theme

    try:
        check_theme(config.theme)
    except ValueError as exc:
        return _fail(str(exc))
    try:
        keymap = check_keys(config.keys)
    except ValueError as exc:
        return _fail(f"config file {config.config_file}: {exc}")
    try:
        config = _with_rules(config, args.follow)
    except ValueError as exc:
        return _fail(str(exc))
    initial = " ".join(args.runs) if args.runs else None
    if initial is not None:
        from nekt_tui.api.errors import InvalidRunIdError
        from nekt_tui.api.ids import parse_run_ids

        try:
            parse_run_ids(initial)
        except InvalidRunIdError as exc:
            return _fail(f"{exc}; pass run IDs or run URLs")
    app = build_app(
        config,
        demo=args.demo,
        initial_text=initial,
        load_profile=lambda name: _config(args, profile=name),
    )
    if keymap:
        app.set_keymap(keymap)
    asyncio.run(_run_until_signal(app))
    code = int(app.return_code or 0)
    unsaved = app.store.unsaved()  # said after the app has closed, where it stays visible
    if unsaved:
        from nekt_tui.ui.state.store import EXIT_UNSAVED

        _fail(unsaved)
        return code if code >= 128 else EXIT_UNSAVED  # a signal's code says more
    return code


#: Signals that end the app as `q` does (list saved, terminal restored): exit 128 + N.
QUIT_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


async def _run_until_signal(app: App[Any]) -> None:
    """Run the app; SIGTERM or SIGHUP (the default would kill it with the terminal still
    in the app's screen, mouse reporting on and the cursor hidden) makes it quit cleanly."""
    loop = asyncio.get_running_loop()

    def quit_on(sig: signal.Signals) -> None:
        log.info("%s: saving the watch list and quitting", sig.name)
        app.exit(return_code=128 + sig.value)

    installed = []
    for sig in QUIT_SIGNALS:
        try:
            loop.add_signal_handler(sig, quit_on, sig)
            installed.append(sig)
        except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, Windows
            pass
    try:
        await app.run_async()
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `nekt-tui` command."""
    argv = list(sys.argv[1:] if argv is None else argv)
    name, rest = split_subcommand(argv)
    if name is not None:
        args = _sub_parser(name).parse_args(rest)
        if name == "simulate":
            try:  # an extra: the demo runs the simulator in-process, without uvicorn
                import uvicorn  # noqa: F401
            except ImportError:
                print(
                    "nekt-tui simulate needs uvicorn: pip install 'nekt-tui[simulate]'",
                    file=sys.stderr,
                )
                return 1
            from nekt_tui.simulator.serve import simulate_command

            return simulate_command(args)
        if name == "serve":
            from nekt_tui.serve import serve_command

            return serve_command(args, lambda: _config(args, need_key=not args.demo))
        from nekt_tui.api.errors import InvalidRunIdError
        from nekt_tui.headless import parse_ids

        try:  # bad usage is said first, whatever the key or the config
            parse_ids(getattr(args, "run_ids", ()))
        except InvalidRunIdError as exc:
            return _fail(f"{exc}; pass run IDs or run URLs")
        try:
            config = _config(args)
            debug_log = _open_log(config)
        except (ConfigError, LogFileError) as exc:
            return _fail(str(exc))
        try:
            return _run_headless(name, args, config)
        finally:
            if debug_log is not None:
                debug_log.close()
    args = build_parser().parse_args(argv)
    misplaced = next((word for word in args.runs if word in SUBCOMMANDS), None)
    if misplaced is not None:  # `nekt-tui --demo status ID` would watch the ID
        return _fail(
            f"{misplaced!r} is a subcommand: put it first, e.g. nekt-tui {misplaced} "
            f"[--api-url URL] RUN_ID (see nekt-tui {misplaced} --help)"
        )
    try:
        config = _config(args, need_key=not args.demo)
        debug_log = _open_log(config)
    except (ConfigError, LogFileError) as exc:
        return _fail(str(exc))
    try:
        return _run_app(args, config)
    except Exception:  # after the app restored the terminal: the traceback is for the log too
        log.critical("the app stopped on an unexpected error", exc_info=True)
        raise
    finally:
        if debug_log is not None:
            debug_log.close()
