"""Headless `status` and `wait`: the watch engine for scripts, cron jobs and CI.

Exit codes: 0 done; 1 (`wait --exit-status`) a run failed or was canceled; 2 bad usage
(invalid ID, bad flag); 3 the API cannot be used (auth, unreachable after retries, not
found); 124 `--timeout` reached. Output is plain when stdout is not a terminal or NO_COLOR
is set; every string from the server goes through the sanitiser.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Protocol, TextIO

from nekt_tui.alerts import Notifier, alert_for
from nekt_tui.api.errors import (
    AuthenticationError,
    ClientError,
    InvalidRunIdError,
    NektError,
    RunNotFoundError,
    ServerError,
    SlowAnswerError,
)
from nekt_tui.api.ids import parse_run_ids
from nekt_tui.api.models import Run, RunStatus
from nekt_tui.clock import Clock
from nekt_tui.headless_args import add_status_arguments, add_wait_arguments, positive_seconds
from nekt_tui.logview.digest import failure_digest
from nekt_tui.reporting import UnexpectedError, report_hint
from nekt_tui.sanitize import sanitize
from nekt_tui.status_json import Got, dumps, elapsed, entry
from nekt_tui.watch.events import (
    AuthProblem,
    Event,
    HostDown,
    PollFailed,
    RateLimited,
    RunSlow,
    StatusChanged,
)
from nekt_tui.watch.plain import (
    Painter,
    enum_text,
    format_duration,
    format_time,
    status_text,
    table,
)
from nekt_tui.watch.scheduler import RunSource, Scheduler

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_API = 3
EXIT_TIMEOUT = 124
#: `wait` gives up on a run after this many failed polls in a row (each one already
#: retried by the client), as "unreachable after retries".
MAX_CONSECUTIVE_FAILURES = 3
#: `status` fetches at most this many runs at once.
STATUS_CONCURRENCY = 8
#: `status` asks at most this many slow runs again at once, each with more patience.
STATUS_PATIENT = 2

log = logging.getLogger(__name__)


class StatusArgs(Protocol):
    """What `run_status` reads from the parsed arguments."""

    run_ids: list[str]
    json: bool


class WaitArgs(Protocol):
    """What `run_wait` reads from the parsed arguments."""

    run_ids: list[str]
    exit_status: bool
    interval: float | None
    timeout: float | None


def parse_ids(raw: Sequence[str]) -> list[str]:
    """Every run ID in the arguments, in order, once; `InvalidRunIdError` for one without."""
    ids: dict[str, None] = {}
    for text in raw:
        for run_id in parse_run_ids(text):
            ids.setdefault(run_id, None)
    return list(ids)


def _usage_error(err: TextIO, exc: InvalidRunIdError) -> int:
    print(f"nekt-tui: error: {sanitize(str(exc), single_line=True)}", file=err)
    return EXIT_USAGE


def _write(out: TextIO, text: str) -> None:
    """Write and flush; a reader that went away (`| head`) does not change the exit code."""
    try:
        out.write(text)
        out.flush()
    except BrokenPipeError:
        pass


def facts(exc: NektError) -> str:
    """What went wrong, without the client's own plans ("it will be retried"): the
    headless commands say themselves what they do next."""
    if isinstance(exc, ServerError):
        extra = f": {exc.detail}" if exc.detail else ""
        text = f"the API failed with HTTP {exc.status_code}{extra}"
    elif isinstance(exc, SlowAnswerError):
        text = f"{exc.host} did not answer within {exc.waited:.0f}s"
    else:
        text = str(exc)
    return sanitize(text, single_line=True)


def _problem(err: TextIO, what: str, exc: NektError, then: str = "") -> None:
    print(f"nekt-tui: {what}: {facts(exc)}{then}", file=err)


#: What `status` does after a failure that later might not repeat: nothing more.
_STATUS_THEN = "; not retried further (exit 3)"


# ---- status ----------------------------------------------------------------------------


async def run_status(
    args: StatusArgs,
    client: RunSource,
    out: TextIO,
    *,
    err: TextIO | None = None,
    clock: Clock | None = None,
    log_file: Path | None = None,
) -> int:
    """`nekt-tui status`: one request per run, then a table or a JSON array."""
    err = err or sys.stderr
    try:
        ids = parse_ids(args.run_ids)
    except InvalidRunIdError as exc:
        return _usage_error(err, exc)
    gate = asyncio.Semaphore(STATUS_CONCURRENCY)

    # A slow run is asked again with more patience, outside the gate and two at a time,
    # so slow runs never hold the slots the others need.
    patient = asyncio.Semaphore(STATUS_PATIENT)

    get = _getter(client, args.json)

    async def fetch(run_id: str) -> Got | NektError:
        try:
            async with gate:
                try:
                    return await get(run_id)
                except SlowAnswerError as exc:
                    then = "; asking once more, waiting up to 5 minutes"
                    _problem(err, run_id, exc, then)
            async with patient:
                return await get(run_id, patient=True)
        except NektError as exc:
            return exc
        except Exception as exc:  # one line and exit 3, the traceback to the log only
            log.error("status of %s: unexpected %s", run_id, type(exc).__name__, exc_info=True)
            return UnexpectedError(exc)

    results = await asyncio.gather(*(fetch(rid) for rid in ids))
    runs = [r[0] for r in results if isinstance(r, tuple)]
    said_auth = False
    for run_id, result in zip(ids, results, strict=True):
        if isinstance(result, AuthenticationError):
            if not said_auth:  # the same key fails for every run: say it once
                _problem(err, "cannot use the API", result, " (exit 3)")
            said_auth = True
        elif isinstance(result, UnexpectedError):
            _problem(err, run_id, result, f"; {report_hint(log_file)} (exit 3)")
        elif isinstance(result, (RunNotFoundError, ClientError)):
            _problem(err, run_id, result, " (exit 3)")
        elif isinstance(result, NektError):
            _problem(err, run_id, result, _STATUS_THEN)
    now = clock.now() if clock is not None else datetime.now(timezone.utc)
    if args.json:  # what the API sent, and apart from it what nekt-tui made of it
        pairs = zip(ids, results, strict=True)
        _write(out, dumps([entry(rid, got, now, facts) for rid, got in pairs]))
    elif runs:
        _write(out, status_table(runs, now, Painter.for_stream(out)))
    return EXIT_OK if len(runs) == len(ids) else EXIT_API


def _getter(client: RunSource, sent: bool) -> Callable[..., Awaitable[Got]]:
    """How `status` fetches a run: with its JSON as sent for `--json` (a `NektClient`),
    else the run alone."""
    with_json: Callable[..., Awaitable[Got]] | None = getattr(client, "get_run_with_json", None)
    if sent and with_json is not None:
        return with_json

    async def get(run_id: str, *, patient: bool = False) -> Got:
        run = await (client.get_run(run_id, patient=True) if patient else client.get_run(run_id))
        return run, None

    return get


def status_table(runs: Sequence[Run], now: datetime, paint: Painter) -> str:
    """The `status` table: run, status, pipeline, started, duration, trigger."""
    header = ["RUN", "STATUS", "PIPELINE", "STARTED", "DURATION", "TRIGGER"]
    rows = [_row(run, now) for run in runs]
    styles = [[None, _status_style(run), None, None, None, None] for run in runs]
    return table(header, rows, styles, paint)


def _row(run: Run, now: datetime) -> list[str]:
    trigger = run.trigger_type or (run.trigger.type if run.trigger else None)
    duration = elapsed(run, now)
    return [
        run.id,
        status_text(run.status),
        sanitize(run.name, single_line=True) or "-",
        format_time(run.started_at) if run.started_at else "-",
        format_duration(duration) if duration is not None else "-",
        enum_text(trigger),
    ]


def _status_style(run: Run) -> str:
    status = run.status
    return status.value if isinstance(status, RunStatus) else "unknown"


# ---- wait ------------------------------------------------------------------------------


class _Waiter:
    """Turns scheduler events into lines and, once every run is done, an exit code."""

    def __init__(
        self,
        ids: list[str],
        exit_status: bool,
        out: TextIO,
        err: TextIO,
        log_file: Path | None,
        notifier: Notifier | None = None,
    ) -> None:
        self.log_file = log_file
        self.notifier = notifier
        self.pending = set(ids)
        self.final: dict[str, Any] = {}
        self.failures: dict[str, int] = {}
        self.exit_status = exit_status
        self.out, self.err = out, err
        self.paint = Painter.for_stream(out)
        self.done: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    def finish(self, code: int) -> None:
        if not self.done.done():
            self.done.set_result(code)

    def on_event(self, event: Event) -> None:
        log.debug("wait: %s", type(event).__name__ + " " + getattr(event, "run_id", ""))
        if self.done.done():
            return
        if isinstance(event, StatusChanged):
            self.failures.pop(event.run_id, None)
            self._print_change(event)
            if event.run.is_terminal:
                self.pending.discard(event.run_id)
                self.final[event.run_id] = event.new
                if not self.pending:
                    self.finish(self._code())
        elif isinstance(event, PollFailed):
            self._failed(event)
        elif isinstance(event, AuthProblem):
            _problem(self.err, "cannot use the API", event.error, "; giving up (exit 3)")
            self.finish(EXIT_API)
        elif isinstance(event, RateLimited):
            until = format_time(event.until)
            print(f"nekt-tui: rate limited by the API; waiting until {until}", file=self.err)
        elif isinstance(event, RunSlow) and event.run_id in self.pending:
            print(
                f"nekt-tui: {event.run_id}: slow to answer; waiting longer for it",
                file=self.err,
            )
        elif isinstance(event, HostDown):
            until = format_time(event.until)
            print(
                f"nekt-tui: cannot reach the API ({facts(event.error)}); trying again at {until}",
                file=self.err,
            )

    def _failed(self, event: PollFailed) -> None:
        if event.run_id not in self.pending:
            return
        count = self.failures.get(event.run_id, 0) + 1
        self.failures[event.run_id] = count
        rid = event.run_id
        if isinstance(event.error, UnexpectedError):  # a bug: polling again will not help
            then = f"; {report_hint(self.log_file)} (exit 3)"
            _problem(self.err, rid, event.error, then)
            self.finish(EXIT_API)
        elif isinstance(event.error, (RunNotFoundError, ClientError)):
            _problem(self.err, rid, event.error, f"; giving up on {rid} (exit 3)")
            self.finish(EXIT_API)
        elif count >= MAX_CONSECUTIVE_FAILURES:
            then = f"; giving up on {rid} after {count} failed polls in a row (exit 3)"
            _problem(self.err, rid, event.error, then)
            self.finish(EXIT_API)

    def _print_change(self, ev: StatusChanged) -> None:
        name = sanitize(ev.run.name, single_line=True) or "-"
        new = self.paint(status_text(ev.new), _style_of(ev.new))
        if ev.old is None:
            change = new
        else:
            change = f"{self.paint(status_text(ev.old), _style_of(ev.old))} → {new}"
        why = failure_digest(ev.run.parsed_log) if ev.new == RunStatus.FAILED else None
        if why:  # the on-call engineer reads the cause before opening the log
            change += f" — {why}"
        _write(self.out, f"{format_time(ev.at)}  {ev.run_id}  {name}  {change}\n")
        if self.notifier is not None and ev.old is not None:  # a change, not a first sight
            self.notifier.changes([alert_for(ev.run, ev.old, ev.new, failure=why)])

    def _code(self) -> int:
        if not self.exit_status:
            return EXIT_OK
        ok = all(status == RunStatus.SUCCESS for status in self.final.values())
        return EXIT_OK if ok else EXIT_FAILED


def _style_of(status: object) -> str:
    return status.value if isinstance(status, RunStatus) else "unknown"


async def run_wait(
    args: WaitArgs,
    client: RunSource,
    clock: Clock,
    out: TextIO,
    *,
    err: TextIO | None = None,
    run_list: bool = True,
    log_file: Path | None = None,
    notify: str = "failures",
    notify_cmd: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    max_bandwidth: float = 0,
) -> int:
    """`nekt-tui wait`: print each status change until every run is terminal.

    `run_list`: let pages of the run list stand in for polls (the `run_list` setting);
    `max_bandwidth`: the bandwidth budget, bytes/s (0: none).
    `notify_cmd` runs for each change the `notify` policy allows, with `env` (default:
    the process's) minus its `NEKT_*` variables; `wait` lets the last ones finish (each
    at most its timeout) before it exits. A command that fails is said once on `err`."""
    err = err or sys.stderr
    try:
        ids = parse_ids(args.run_ids)
    except InvalidRunIdError as exc:
        return _usage_error(err, exc)
    problem_err = err
    notifier = Notifier.build(
        notify,
        notify_cmd,
        clock=clock,
        report=lambda text: print(f"nekt-tui: {text}", file=problem_err),
        env=env,
    )
    waiter = _Waiter(ids, args.exit_status, out, err, log_file, notifier)
    scheduler = Scheduler(
        client,
        clock=clock,
        on_event=waiter.on_event,
        interval=args.interval or 2.0,
        waiting_interval=args.interval or 5.0,
        sweep=run_list,
        max_bandwidth=max_bandwidth,
    )
    timer: asyncio.Task[None] | None = None
    if args.timeout is not None:
        timer = asyncio.get_running_loop().create_task(_timeout(clock, args.timeout, waiter, err))
    try:
        for run_id in ids:
            scheduler.watch(run_id)
        scheduler.start()
        code = await waiter.done
        await scheduler.aclose()
        await notifier.drain()  # the last change's command still runs: let it end
        return code
    finally:
        if timer is not None:
            timer.cancel()
        await scheduler.aclose()
        await notifier.aclose()


async def _timeout(clock: Clock, seconds: float, waiter: _Waiter, err: TextIO) -> None:
    await clock.sleep(seconds)
    if not waiter.done.done():
        left = " ".join(sorted(waiter.pending))
        print(f"nekt-tui: timed out after {seconds:g}s; not finished: {left}", file=err)
        waiter.finish(EXIT_TIMEOUT)


__all__ = [
    "EXIT_API",
    "EXIT_FAILED",
    "EXIT_OK",
    "EXIT_TIMEOUT",
    "EXIT_USAGE",
    "add_status_arguments",
    "add_wait_arguments",
    "parse_ids",
    "positive_seconds",
    "run_status",
    "run_wait",
    "status_table",
]
