"""The apps the start-up, idle and memory figures run as child processes (under a pty).

    python -m benchmarks.apps minimal               the baseline: a Textual app, one label
    python -m benchmarks.apps idle --runs 100       nekt-tui watching 100 finished runs
                                                    (the simulator in-process)
    python -m benchmarks.apps watch --url U --key K --ids-file F [--select ID]
                                                    nekt-tui watching the runs listed in F
                                                    (one per line) on a loopback simulator,
                                                    `--select` first, its log shown

`--report FILE` makes the app write one JSON line to FILE once it has fetched every run
(and, with `--select`, loaded that run's log): the parent measures from then on.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from typing import Any

from textual.app import App, ComposeResult
from textual.widgets import Label


class MinimalApp(App[None]):
    """The smallest full-screen Textual app: one label."""

    def compose(self) -> ComposeResult:
        """One label."""
        yield Label("nekt-tui benchmark baseline: a Textual app with one label")


def _report_when_ready(app: Any, path: str, run_ids: list[str], select: str | None) -> None:
    """Poll the app's state twice a second; write the report once everything is loaded."""
    done = {"written": False}

    def check() -> None:
        if done["written"]:
            return
        fetched = sum(1 for rid in run_ids if app.model.rows[rid].run is not None)
        lines = 0
        if select is not None:
            panel = app.widgets.log_panel
            lines = panel.view.store.end if panel.run_id == select else 0
        if fetched == len(run_ids) and (select is None or lines > 0):
            done["written"] = True
            with open(path, "w", encoding="utf-8") as f:
                f.write(json.dumps({"fetched": fetched, "log_lines": lines}) + "\n")

    app.set_interval(0.5, check)


def _nekt_app(args: argparse.Namespace) -> Any:
    from nekt_tui.api.client import NektClient
    from nekt_tui.ui.app import AppOptions, NektApp
    from nekt_tui.ui.state.session import WatchSession
    from nekt_tui.ui.state.store import RunStore, StoredRun

    if args.command == "idle":
        # Only here: `watch` measures the app as a user runs it, without the simulator.
        from nekt_tui.simulator import DEMO_KEY, World, app_transport

        world = World(seed=11, shape="nested", n_runs=0)
        run_ids = [
            world.add_run(
                [("queued", 5.0), ("running", 120.0)], "success", ago=3600.0, lines_per_second=1
            )
            for _ in range(args.runs)
        ]
        client = NektClient(
            DEMO_KEY, "http://127.0.0.1:8765", transport=app_transport(world, DEMO_KEY)
        )
        # Saved as finished, as they would be after a previous session: each is fetched
        # once for its details, and never again.
        saved = [StoredRun(rid, None, world.true_status(rid)) for rid in run_ids]
    else:
        client = NektClient(args.key, args.url)
        with open(args.ids_file, encoding="utf-8") as f:
            run_ids = [line.strip() for line in f if line.strip()]
        if args.select:
            run_ids = [args.select, *[r for r in run_ids if r != args.select]]
        saved = [StoredRun(rid, None, None) for rid in run_ids]
    session = WatchSession(source=client, store=RunStore.in_memory(saved), on_close=client.aclose)
    app = NektApp(session, AppOptions(host="benchmark", bell="off"))
    if args.report:
        app.call_later(_report_when_ready, app, args.report, run_ids, args.select)
    return app


def main(argv: Sequence[str] | None = None) -> int:
    """Run one of the apps until it is killed."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.apps")
    parser.add_argument("command", choices=("minimal", "idle", "watch"))
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--url")
    parser.add_argument("--key")
    parser.add_argument("--ids-file", help="run IDs to watch, one per line")
    parser.add_argument("--select", help="the run listed first, whose log is shown")
    parser.add_argument("--report", help="write a JSON line here once everything is loaded")
    args = parser.parse_args(argv)
    if args.command == "minimal":
        MinimalApp().run()
        return 0
    app = _nekt_app(args)
    app.run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
