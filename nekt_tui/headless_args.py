"""The command-line arguments of the headless `status` and `wait` (argparse only)."""

from __future__ import annotations

import argparse
import math


def positive_seconds(text: str) -> float:
    """argparse type: a finite number of seconds greater than zero."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be a number of seconds above 0")
    return value


def _add_run_ids(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "run_ids",
        nargs="+",
        metavar="RUN_ID",
        help="run UUIDs (or text holding them, such as run URLs)",
    )


def add_status_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `nekt-tui status RUN_ID... [--json]`."""
    _add_run_ids(parser)
    parser.add_argument(
        "--json",
        action="store_true",
        help="print a JSON array: each run as the API sent it, and what nekt-tui derived",
    )


def add_wait_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `nekt-tui wait RUN_ID... [--exit-status] [--interval S] [--timeout S]`."""
    _add_run_ids(parser)
    parser.add_argument(
        "--exit-status",
        action="store_true",
        help="exit 0 only if every run succeeded, 1 if any failed or was canceled",
    )
    parser.add_argument(
        "--interval",
        type=positive_seconds,
        default=None,
        metavar="S",
        help="seconds between polls of a run (default: 2 while running, 5 while waiting)",
    )
    parser.add_argument(
        "--timeout",
        type=positive_seconds,
        default=None,
        metavar="S",
        help="give up after S seconds and exit 124",
    )


__all__ = ["add_status_arguments", "add_wait_arguments", "positive_seconds"]
