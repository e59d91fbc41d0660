"""Headless `pipelines` and `runs`: the lists, for scripts and cron jobs.

`nekt-tui pipelines [--status S[,S]] [--json]`: every source and transformation with its
last run (the API filters by `last_run_status`). `nekt-tui runs [--status S[,S]]
[--pipeline GLOB] [--limit N] [--json]`: the newest runs of the run list, filtered here
(`/runs/` documents no filters). `--json` prints one JSON array of the API's own objects
as received (only the matching ones); the tables sanitise every string from the server.
Exit codes as for `status`: 0 done, 2 bad usage, 3 a list could not be read (what could
be read is still printed).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any, Protocol, TextIO

from pydantic import ValidationError

from nekt_tui.api.errors import NektError, RateLimitedError
from nekt_tui.api.lists import PIPELINE_KINDS, JsonPage
from nekt_tui.api.models import Run
from nekt_tui.discover.pipelines import (
    PipelineLister,
    PipelineRow,
    fetch_pipelines,
    list_problem,
    status_of,
)
from nekt_tui.discover.rules import Rule, RuleError, parse_rule, parse_statuses
from nekt_tui.sanitize import sanitize
from nekt_tui.status_json import dumps
from nekt_tui.watch.plain import Painter, format_duration, format_time, status_text, table

EXIT_OK = 0
EXIT_API = 3
#: Pages read at most per list; runs asked for per page.
MAX_PAGES = 50
PAGE_SIZE = 50  # each run list item carries its whole log
#: Runs `runs` prints when `--limit` is not given.
DEFAULT_LIMIT = 50

#: `runs` read every page it may without reaching `--limit`.
_LOOKED_AT_ALL = "looked at every page it may"

#: The commands of this module.
LIST_COMMANDS = ("pipelines", "runs")


class ListClient(PipelineLister, Protocol):
    """What these commands need of the client (`NektClient`): the pipeline lists, and
    any list as sent."""

    async def list_json(
        self,
        path: str,
        page: int = 1,
        page_size: int = 50,
        *,
        statuses: tuple[str, ...] = (),
        expand: tuple[str, ...] = (),
    ) -> JsonPage:
        """One page of a list, as sent."""
        ...


def _statuses(text: str) -> tuple[str, ...]:
    try:
        return parse_statuses(text)
    except RuleError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _limit(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of runs above 0")
    return int(text)


def _glob(text: str) -> str:
    if not text or any(c.isspace() for c in text):
        raise argparse.ArgumentTypeError(
            f"{text!r}: give one pattern without spaces, e.g. 'hubspot-*'"
        )
    return text


def add_pipelines_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `nekt-tui pipelines [--status S[,S]] [--json]`."""
    parser.add_argument(
        "--status", type=_statuses, default=(), metavar="S[,S]", help="last run's status"
    )
    parser.add_argument(
        "--json", action="store_true", help="print one JSON array of the items as the API sent them"
    )


def add_runs_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `nekt-tui runs [--status S[,S]] [--pipeline GLOB] [--limit N] [--json]`."""
    parser.add_argument("--status", type=_statuses, default=(), metavar="S[,S]", help="run status")
    parser.add_argument(
        "--pipeline", type=_glob, metavar="GLOB", help="pipeline slug pattern, e.g. 'hubspot-*'"
    )
    parser.add_argument(
        "--limit",
        type=_limit,
        default=DEFAULT_LIMIT,
        metavar="N",
        help=f"print at most N runs, newest first (default {DEFAULT_LIMIT})",
    )
    parser.add_argument(
        "--json", action="store_true", help="print one JSON array of the runs as the API sent them"
    )


def _say(err: TextIO, line: str) -> None:
    print(f"nekt-tui: {sanitize(line, single_line=True)}", file=err)


def _write(out: TextIO, text: str) -> None:
    try:
        out.write(text)
        out.flush()
    except BrokenPipeError:
        pass


async def run_list_command(
    name: str, args: argparse.Namespace, client: ListClient, out: TextIO, err: TextIO | None = None
) -> int:
    """Run `pipelines` or `runs`; the exit code."""
    err = err or sys.stderr
    if name == "pipelines":
        return await run_pipelines(args, client, out, err)
    return await run_runs(args, client, out, err)


# ---- pipelines -------------------------------------------------------------------------


async def run_pipelines(
    args: argparse.Namespace, client: ListClient, out: TextIO, err: TextIO
) -> int:
    """`nekt-tui pipelines`: both lists, a table or one JSON array."""
    statuses: tuple[str, ...] = tuple(args.status)
    if args.json:
        items: list[Any] = []
        problems: list[str] = []
        for kind in PIPELINE_KINDS:
            got, problem = await _json_pages(client, kind, statuses, ("last_run",), None)
            items.extend(got)
            if problem:
                problems.append(problem)
        _write(out, dumps(items))
    else:
        try:
            fetched = await fetch_pipelines(client, statuses=statuses)
        except RateLimitedError as exc:
            _say(err, f"the pipeline lists: {exc} (exit 3)")
            return EXIT_API
        problems = list(fetched.problems)
        if fetched.rows:
            _write(out, pipelines_table(fetched.rows, Painter.for_stream(out)))
    for line in problems:
        _say(err, line + " (exit 3)")
    return EXIT_API if problems else EXIT_OK


def pipelines_table(rows: Sequence[PipelineRow], paint: Painter) -> str:
    """The `pipelines` table: pipeline, type, last status, started, duration, last run."""
    header = ["PIPELINE", "TYPE", "STATUS", "STARTED", "DURATION", "LAST RUN"]
    body = [
        [
            sanitize(row.slug, single_line=True) or "-",
            row.kind_label,
            status_text(row.last_status),
            format_time(row.last_started) if row.last_started else "-",
            format_duration(row.duration) if row.duration is not None else "-",
            sanitize(row.last_run_id, single_line=True) if row.last_run_id else "-",
        ]
        for row in rows
    ]
    styles = [[None, None, _style(row.last_status), None, None, None] for row in rows]
    return table(header, body, styles, paint)


def _style(status: object) -> str | None:
    value = getattr(status, "value", None)
    return value if isinstance(value, str) else None


# ---- runs ------------------------------------------------------------------------------


def runs_rule(args: argparse.Namespace) -> Rule | None:
    """The filter `--status`/`--pipeline` make, as a follow rule (None: every run)."""
    terms = []
    if args.status:
        terms.append("status:" + ",".join(args.status))
    if args.pipeline:
        terms.append("pipeline:" + args.pipeline)
    return parse_rule(" ".join(terms)) if terms else None


async def run_runs(args: argparse.Namespace, client: ListClient, out: TextIO, err: TextIO) -> int:
    """`nekt-tui runs`: the newest matching runs, a table or one JSON array."""
    rule = runs_rule(args)
    items, problem = await _json_pages(client, "runs", (), (), (rule, args.limit))
    if args.json:
        _write(out, dumps(items))
    elif items:
        from nekt_tui.headless import status_table

        runs = [Run.model_validate(item) for item in items]
        _write(out, status_table(runs, datetime.now(timezone.utc), Painter.for_stream(out)))
    if problem is _LOOKED_AT_ALL:  # not an API failure: the filter is rare, the list long
        _say(err, f"runs: {len(items)} found among the newest {MAX_PAGES * PAGE_SIZE} runs")
    elif problem:
        _say(err, problem + " (exit 3)")
        return EXIT_API
    return EXIT_OK


async def _json_pages(
    client: ListClient,
    path: str,
    statuses: tuple[str, ...],
    expand: tuple[str, ...],
    runs: tuple[Rule | None, int] | None,
) -> tuple[list[Any], str | None]:
    """Every item of a list as sent (for `runs`: those the rule matches, up to the limit);
    and one line if the list could not be read to the end."""
    items: list[Any] = []
    for page_no in range(1, MAX_PAGES + 1):
        try:
            page = await client.list_json(
                path, page_no, PAGE_SIZE, statuses=statuses, expand=expand
            )
        except NektError as exc:
            if page_no > 1 and status_of(exc) == 404:
                return items, None  # DRF answers 404 past the last page
            return items, list_problem(f"the {path} list", exc)
        for item in page.items():
            if runs is None:
                items.append(item)
                continue
            rule, limit = runs
            if _matches(rule, item):
                items.append(item)
                if len(items) >= limit:
                    return items, None
        if not page.has_next or not page.items():
            return items, None
    if runs is not None:
        return items, _LOOKED_AT_ALL
    return items, f"the {path} list: more than {MAX_PAGES} pages; the rest is not shown"


def _matches(rule: Rule | None, item: Any) -> bool:
    """Whether a run list item (as sent) is a run the rule matches."""
    try:
        run = Run.model_validate(item)
    except ValidationError:
        return False  # not a run this version can read: never printed as one
    return rule is None or rule.matches(run)


__all__ = [
    "LIST_COMMANDS",
    "add_pipelines_arguments",
    "add_runs_arguments",
    "pipelines_table",
    "run_list_command",
    "runs_rule",
]
