"""The pipeline & triggers panel: the run's pipeline, and when its triggers fire next.

A flat-shape response has no pipeline object: the engine takes it from the run list (or
its triggers from the sources/transformations list) and the panel says where it came from
and how old it is; until then, or when it cannot be found, the panel says why and what
the run does tell (source, destination, transformation, its trigger).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from textual.content import Content

from nekt_tui.api.enums import TriggerType
from nekt_tui.sanitize import sanitize
from nekt_tui.ui import timefmt
from nekt_tui.ui.cron_text import read_cron
from nekt_tui.ui.state.connection import Connection
from nekt_tui.ui.state.model import Row
from nekt_tui.ui.widgets.status_panel import (
    RunTextPanel,
    conn_problem,
    enum_text,
    line,
    problem_text,
    status_part,
    trigger_text,
    when,
)
from nekt_tui.watch.provenance import DETAIL, RUN_LIST

if TYPE_CHECKING:
    from nekt_tui.api.models import Pipeline, PipelineTrigger, Run
    from nekt_tui.watch.provenance import Provenance


def _clean(text: str | None) -> str:
    return sanitize(text, single_line=True) if text else "—"


def cron_lines(
    expression: str | None, zone_name: str | None, now: datetime, indent: str = "  "
) -> list[Content]:
    """The reading, the zone and the next three fires of a cron expression."""
    reading = read_cron(expression, zone_name, now)
    out = [
        Content.assemble(
            indent,
            ("cron ", "$text-muted"),
            (_clean(expression), "bold"),
            "  ",
            sanitize(reading.description or "", single_line=True),
            (f"  ({reading.error})" if reading.error else "", "$text-error"),
            end="\n",
        )
    ]
    zone_shown = _clean(zone_name) if zone_name else "UTC (none given)"
    out.append(
        Content.assemble(
            indent,
            ("zone ", "$text-muted"),
            zone_shown,
            (f"  ({reading.zone_error})" if reading.zone_error else "", "$text-warning"),
            end="\n",
        )
    )
    for in_zone, here in reading.fires:
        same_day = in_zone.date() == here.date()
        local_text = here.strftime("%H:%M" if same_day else "%a %d %b %H:%M")
        out.append(
            Content.assemble(
                indent,
                ("next ", "$text-muted"),
                in_zone.strftime("%a %d %b %H:%M %Z"),
                (f"  = {local_text} local", "$text-muted"),
                (f"  ({timefmt.ago(in_zone, now)})", "$text-muted"),
                end="\n",
            )
        )
    return out


def trigger_lines(trigger: PipelineTrigger, now: datetime) -> list[Content]:
    """One pipeline trigger: its type, then what makes it fire."""
    kind = enum_text(trigger.type) or "unknown type"
    out = [Content.assemble("• ", (kind, "bold"), end="\n")]
    if trigger.type is TriggerType.CRON or trigger.cron_expression:
        out += cron_lines(trigger.cron_expression, trigger.cron_timezone, now)
    if trigger.type is TriggerType.EVENT or trigger.events:
        events = ", ".join(_clean(e) for e in (trigger.events or [])) or "none listed"
        rule = enum_text(trigger.event_rule) or "—"
        out.append(line("  events", events))
        out.append(line("  rule", f"{rule} (fires when {_rule_meaning(rule)})"))
    return out


def _rule_meaning(rule: str) -> str:
    if rule == "any":
        return "any of the events happens"
    if rule == "all":
        return "all of the events have happened"
    return "the rule says"


def pipeline_lines(pipeline: Pipeline, now: datetime) -> list[Content]:
    """The pipeline object of the nested shape."""
    active = {True: "active", False: "inactive", None: "active: unknown"}[pipeline.active]
    kind = enum_text(pipeline.type) or "type unknown"
    out = [
        Content.assemble(
            (_clean(pipeline.slug), "bold"), (f"  {kind} · {active}", "$text-muted"), end="\n"
        ),
    ]
    if pipeline.description:
        out.append(Content.assemble(sanitize(pipeline.description, single_line=True), end="\n"))
    latest = pipeline.latest_run_status
    if pipeline.current_status is not None or latest is not None:
        # A pipeline list's item says neither (only its slug, state and triggers).
        out.append(line("Now", _clean(pipeline.current_status)))
        out.append(
            line("Latest run", status_part(latest) if latest is not None else ("—", "$text-muted"))
        )
        out.append(line("  started", when(pipeline.latest_run_started, now)))
        out.append(line("  ended", when(pipeline.latest_run_ended, now)))
    out.append(Content.assemble(("Triggers", "$text-muted"), end="\n"))
    if not pipeline.triggers:
        out.append(Content.assemble(("  none configured", "$text-muted"), end="\n"))
    for trigger in pipeline.triggers:
        out += trigger_lines(trigger, now)
    return out


def origin_line(prov: Provenance | None, now: datetime) -> Content | None:
    """`pipeline from the run list, 4 s old`, `triggers from the sources list, 2 min old`:
    where a pipeline not from the run's own detail came from; None for the detail's."""
    origin = prov.pipeline if prov is not None else None
    if origin is None or origin.source == DETAIL:
        return None
    what = "pipeline" if origin.source == RUN_LIST else "triggers"
    return Content.styled(origin.describe(what, now) + "\n", "$text-muted")


def flat_lines(run: Run, now: datetime, prov: Provenance | None = None) -> list[Content]:
    """What a flat-shape run tells about its pipeline (and why no more is known)."""
    why = prov.pipeline_problem if prov is not None else None
    head = (
        sanitize(why, single_line=True)
        if why
        else "No pipeline object in this response (the API's flat shape); looking for it"
        " in the run list…"
    )
    out = [Content.assemble((head, "$text-warning" if why else "$text-muted"), end="\n")]
    out.append(Content.styled("The run itself says:\n", "$text-muted"))
    for label, value in (
        ("Source", run.source),
        ("Destination", run.destination),
        ("Transform", run.transformation),
    ):
        if value:
            out.append(line(label, _clean(value)))
    out.append(line("Trigger", trigger_text(run)))
    trig = run.trigger
    if trig is not None and trig.cron_expression:
        out += cron_lines(trig.cron_expression, trig.cron_timezone, now)
    return out


def pipeline_content(row: Row | None, now: datetime, conn: Connection | None = None) -> Content:
    """The panel text for a row."""
    if row is None:
        return Content.styled("No run selected.", "$text-muted")
    if row.run is None and row.slow_since is not None:
        return Content.styled(f"No data yet: {problem_text(row, now)}", "$text-warning")
    if row.run is None and row.error is not None:
        return Content.assemble(
            ("No data for this run: ", "$text-muted"),
            (sanitize(str(row.error), single_line=True), "$text-error"),
        )
    refused = conn_problem(conn)
    if row.run is None and refused is not None:
        return Content.assemble(("No data for this run: ", "$text-muted"), (refused, "$text-error"))
    if row.run is None:
        return Content.styled("Waiting for the first answer from the API…", "$text-muted")
    run = row.run
    prov = row.provenance
    if run.pipeline is None:
        return Content("").join(flat_lines(run, now, prov))
    lines = pipeline_lines(run.pipeline, now)
    said = origin_line(prov, now)
    return Content("").join([said, *lines] if said is not None else lines)


class PipelinePanel(RunTextPanel):
    """The selected run's pipeline and its triggers (or what the flat shape tells)."""

    TITLE = "Pipeline & triggers"

    def build(self, row: Row | None, now: datetime) -> Content:
        """`pipeline_content` for the row."""
        return pipeline_content(row, now, self.conn)
