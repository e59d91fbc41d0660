"""A deterministic world of pipelines and runs that moves on an injected clock.

World time is in seconds since the world was made (negative = before), scaled by `speed`:
at speed 60 a minute of the simulated workspace passes every clock second. Every random
choice comes from the seed, so the same seed and the same calls give the same JSON.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from nekt_tui.api.enums import RunStatus
from nekt_tui.clock import Clock, SystemClock
from nekt_tui.simulator import catalog, shapes
from nekt_tui.simulator.demo import build_demo
from nekt_tui.simulator.entities import SHAPES, SimPipeline, SimRun, SimToken, SimTrigger, SimUser
from nekt_tui.simulator.generate import populate
from nekt_tui.simulator.lifecycle import Timeline
from nekt_tui.simulator.logs import LogProfile, RunLogWriter
from nekt_tui.simulator.requests_log import RequestLog

WORLD_SHAPES = (*SHAPES, "mixed")
#: How flat runs name their source/destination/transformation: by name, by ID, or per pipeline.
REFS = ("names", "ids", "mixed")
TRIGGER_TYPES = ("manual", "cron", "event", "api")
_DAY = 86400.0


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


@dataclass(frozen=True)
class RunInfo:
    """What the world knows about a run beyond its JSON: its eventual outcome, for tests."""

    id: str
    slug: str
    pipeline_type: str
    shape: str
    trigger_type: str
    status: RunStatus
    outcome: RunStatus
    #: Clock seconds (monotonic) from now until the run is terminal; None if it never is.
    ends_in: float | None


class World:
    """Pipelines and runs moving on `clock`. See the module docstring."""

    def __init__(
        self,
        seed: int = 0,
        clock: Clock | None = None,
        *,
        speed: float = 1.0,
        shape: str = "nested",
        n_runs: int = 20,
        detail: str | None = None,
        refs: str | None = None,
        run_list: str | None = None,
    ) -> None:
        """`detail` is the shape `GET /api/v1/runs/{id}/` answers in: "nested" (the seed
        page), "flat" (the docs today) or "mixed" (per run, by seed); `shape` is its older
        name and is used when `detail` is None. The run list is always nested. Sources and
        transformations list items follow: older items for nested, newer for flat, per
        pipeline for mixed. `refs` says whether flat runs name their source/destination/
        transformation by name or by ID ("names", "ids", "mixed": per pipeline). `run_list`
        says how the run list serves its items: "nested" (as documented, each with its log)
        or "detail" (each in its run's detail shape). Both default to the documented API
        ("mixed", "nested") when `detail` is given, else to what `shape` always meant
        ("names", "detail"), so that older worlds serve what they always served."""
        if detail is not None:
            shape = detail
        if shape not in WORLD_SHAPES:
            raise ValueError(f"detail must be one of {', '.join(WORLD_SHAPES)}, not {shape!r}")
        refs = refs or ("mixed" if detail is not None else "names")
        if refs not in REFS:
            raise ValueError(f"refs must be one of {', '.join(REFS)}, not {refs!r}")
        run_list = run_list or ("nested" if detail is not None else "detail")
        if run_list not in ("nested", "detail"):
            raise ValueError(f"run_list must be nested or detail, not {run_list!r}")
        if not speed > 0:
            raise ValueError("speed must be > 0")
        if n_runs < 0:
            raise ValueError("n_runs must be >= 0")
        self.seed = seed
        self.clock: Clock = clock or SystemClock()
        self.shape = shape
        self.refs = refs
        #: The shape of every run list item ("nested"), or None: each run's own shape.
        self.list_item_shape: str | None = "nested" if run_list == "nested" else None
        self._speed = float(speed)
        self._mono_ref = self._mono0 = self.clock.monotonic()
        self._elapsed_ref = 0.0
        self._wall0: datetime = self.clock.now()
        self._wall0_epoch = self._wall0.timestamp()
        self.requests = RequestLog()
        self._runs: dict[str, SimRun] = {}
        self._order: list[str] = []
        #: The runs a demo watches: its own, not its background runs (empty in other worlds).
        self.demo_run_ids: list[str] = []
        self.pipelines: dict[str, SimPipeline] = {}
        self._build_catalog(random.Random(f"nekt-sim:{seed}:catalog"))
        # A stream of its own, so that the catalog's IDs (and every demo) stay as they were.
        self._list_items(random.Random(f"nekt-sim:{seed}:list-items"))
        if n_runs:
            populate(self, n_runs, random.Random(f"nekt-sim:{seed}:generate"))

    # -- time -----------------------------------------------------------------------------

    @property
    def speed(self) -> float:
        """World seconds per clock second. Settable; the world does not jump when it changes."""
        return self._speed

    @speed.setter
    def speed(self, value: float) -> None:
        if not value > 0:
            raise ValueError("speed must be > 0")
        self._elapsed_ref = self.elapsed()
        self._mono_ref = self.clock.monotonic()
        self._speed = float(value)

    def elapsed(self) -> float:
        """World seconds since the world was made."""
        return self._elapsed_ref + (self.clock.monotonic() - self._mono_ref) * self._speed

    def now(self) -> datetime:
        """The world's current wall time (UTC)."""
        return self.wall(self.elapsed())

    def wall(self, t: float) -> datetime:
        """The wall time of world time t: the moment it happens on the clock (at the speed
        in force now). A sped-up world's times are when things happen for the viewer, so
        a run never seems to start in the future; its durations shrink by the speed."""
        return self._wall0 + timedelta(seconds=self._clock_seconds(t))

    def _clock_seconds(self, t: float) -> float:
        """Clock seconds from the world's making to world time t (t itself at speed 1)."""
        if self._speed == 1.0 and self._elapsed_ref == 0.0:
            return t  # exact: no float round trip for the usual, unscaled world
        return self.to_monotonic(t) - self._mono0

    def _epoch(self, t: float) -> float:
        """World time t in Unix seconds (log line timestamps)."""
        return self._wall0_epoch + self._clock_seconds(t)

    def iso(self, t: float) -> str:
        """World time t as DRF writes a datetime (`2026-01-15T12:00:03.250000Z`)."""
        dt = self.wall(t)
        text = dt.strftime("%Y-%m-%dT%H:%M:%S")
        return f"{text}.{dt.microsecond:06d}Z" if dt.microsecond else f"{text}Z"

    def to_monotonic(self, t: float) -> float:
        """The clock's monotonic time at which world time t happens (at the current speed)."""
        return self._mono_ref + (t - self._elapsed_ref) / self._speed

    # -- the cast -------------------------------------------------------------------------

    def _build_catalog(self, rng: random.Random) -> None:
        for tpl in catalog.PIPELINES:
            created = -tpl.age_days * _DAY - rng.randrange(0, 36000)
            triggers = [
                SimTrigger(
                    _uuid(rng),
                    trig.type,
                    trig.cron_expression,
                    trig.cron_timezone,
                    trig.events,
                    trig.event_rule,
                    created + rng.randrange(0, 30) * _DAY,
                )
                for trig in tpl.triggers
            ]
            self.pipelines[tpl.slug] = SimPipeline(
                id=_uuid(rng),
                template=tpl,
                triggers=triggers,
                created=created,
                updated=created + rng.uniform(1, tpl.age_days / 2) * _DAY,
                next_number=rng.randrange(1, 1500) if tpl.age_days > 60 else 1,
            )
        self.users = [
            SimUser(tpl, -rng.uniform(200, 900) * _DAY, -rng.uniform(0, 3) * _DAY)
            for tpl in catalog.USERS
        ]
        self.tokens = [
            SimToken(
                _uuid(rng),
                tpl,
                f"{catalog.FAKE_TOKEN_PREFIX}{rng.getrandbits(96):024x}",
                -rng.uniform(30, 400) * _DAY,
            )
            for tpl in catalog.TOKENS
        ]

    def _list_items(self, rng: random.Random) -> None:
        for pipe in self.pipelines.values():
            pipe.item_id = _uuid(rng)
            newer = rng.random() < 0.5
            by_id = rng.random() < 0.5
            if self.shape != "mixed":
                newer = self.shape == "flat"
            if self.refs != "mixed":
                by_id = self.refs == "ids"
            pipe.list_shape = "newer" if newer else "older"
            pipe.ref_by_id = by_id

    @property
    def detail(self) -> str:
        """The detail shape setting: nested, flat or mixed (runs may differ: `set_shape`)."""
        return self.shape

    def user(self, user_id: int) -> SimUser | None:
        """The workspace member with this ID, or None."""
        return next((u for u in self.users if u.template.id == user_id), None)

    # -- runs -----------------------------------------------------------------------------

    @property
    def run_ids(self) -> list[str]:
        """Every run's ID, in the order the runs were added."""
        return list(self._order)

    def _run(self, run_id: str) -> SimRun:
        try:
            return self._runs[run_id.lower()]
        except KeyError:
            raise KeyError(f"no run {run_id!r} in this world") from None

    def get(self, run_id: str) -> SimRun | None:
        """The internal run, or None (for the app and tests that need the details)."""
        return self._runs.get(run_id.lower())

    def exists(self, run_id: str) -> bool:
        """True if the run has been created by now (a run added with a negative `ago`
        appears only later: until then the API answers 404 for it)."""
        run = self.get(run_id)
        return run is not None and run.timeline.created <= self.elapsed()

    def find_run(
        self,
        *,
        slug: str | None = None,
        status: str | RunStatus | None = None,
        outcome: str | RunStatus | None = None,
    ) -> str:
        """The first run (in `run_ids` order) matching all given criteria; LookupError if none."""
        t = self.elapsed()
        for rid in self._order:
            run = self._runs[rid]
            tl = run.timeline
            if (
                (slug is None or run.pipeline.slug == slug)
                and (status is None or tl.status_at(t) == status)
                and (outcome is None or tl.final_status == outcome)
            ):
                return rid
        raise LookupError(f"no run with slug={slug} status={status} outcome={outcome}")

    def newest_first(self) -> list[SimRun]:
        """Runs by creation time, newest first (the list endpoint's order)."""
        runs = [self._runs[rid] for rid in self._order]
        return sorted(runs, key=lambda r: (-r.timeline.created, r.id))

    def add_run(
        self,
        phases: Sequence[tuple[str | RunStatus, float]] = (("queued", 5.0), ("running", 30.0)),
        outcome: str | RunStatus = "success",
        *,
        pipeline: str | None = None,
        shape: str | None = None,
        lines_per_second: float = 2.0,
        trigger_type: str | None = None,
        ago: float = 0.0,
        cancel_after: float | None = None,
        cancelling_seconds: float = 5.0,
        run_id: str | None = None,
    ) -> str:
        """Add a scripted run created `ago` world seconds before now; returns its ID.

        A negative `ago` schedules the run to appear later (404 until then).
        `phases` are (status, seconds) among pending_events, queued, running, in that order;
        the last may last `math.inf`. Then the run ends in `outcome`. `cancel_after` cancels
        it that many seconds after creation (as a user would), after which it spends
        `cancelling_seconds` in `cancelling`; `outcome="canceled"` alone cancels it when the
        phases end. The log grows by `lines_per_second` while running.
        """
        k = len(self._order)
        rng = random.Random(f"nekt-sim:{self.seed}:run:{k}")
        rid = str(uuid.UUID(run_id)) if run_id is not None else _uuid(rng)
        if rid in self._runs:
            raise ValueError(f"run {rid} already exists")
        created = self.elapsed() - ago
        cancel_at = created + cancel_after if cancel_after is not None else None
        timeline = Timeline(
            created, phases, outcome, cancel_at=cancel_at, cancelling_seconds=cancelling_seconds
        )
        active = [p for p in self.pipelines.values() if p.template.active]
        pipe = self.pipelines[pipeline] if pipeline is not None else rng.choice(active)
        pipe_types = [trig.type for trig in pipe.triggers]
        ttype = trigger_type or rng.choice([*pipe_types, *pipe_types, "api"])
        if ttype not in TRIGGER_TYPES:
            raise ValueError(f"trigger_type must be one of {', '.join(TRIGGER_TYPES)}")
        trigger = next((trig for trig in pipe.triggers if trig.type == ttype), None)
        user = rng.choice(self.users)
        token = rng.choice(self.tokens)
        seed = rng.getrandbits(64)
        if shape is None and self.shape == "mixed":
            shape = rng.choice(("nested", "nested", "flat"))
        elif shape is None:
            shape = self.shape
        elif shape not in SHAPES:
            raise ValueError(f"shape must be nested or flat, not {shape!r}")
        run = SimRun(
            id=rid,
            pipeline=pipe,
            timeline=timeline,
            log=RunLogWriter(
                LogProfile(
                    pipe.template.log_kind,
                    pipe.template.tool,
                    pipe.template.items,
                    rid,
                    pipe.slug,
                    _started_by(ttype, trigger, user, token),
                ),
                seed,
                lines_per_second,
                self._epoch,
            ),
            log_id=_uuid(rng),
            shape=shape,
            trigger_type=ttype,
            trigger=trigger,
            user=user if ttype == "manual" else None,
            token=token if ttype == "api" else None,
            number=pipe.next_number,
            seed=seed,
            use_custom_logs=rng.random() < 0.15,
            full_sync=rng.random() < 0.1,
            extra_config=rng.choice((None, {}, {}, {"start_date": "2025-12-01"}, {"threads": 4})),
            cost_usd=f"{rng.uniform(0.01, 4.0):.4f}",
            records=rng.randrange(1_000, 3_000_000),
        )
        pipe.next_number += 1
        pipe.add(run)
        self._runs[rid] = run
        self._order.append(rid)
        return rid

    def set_shape(self, run_id: str, shape: str) -> None:
        """Serve this run in another shape from now on."""
        if shape not in SHAPES:
            raise ValueError(f"shape must be nested or flat, not {shape!r}")
        self._run(run_id).shape = shape

    def run_json(self, run_id: str, shape: str | None = None) -> dict[str, Any] | None:
        """The run as the API returns it now, in its shape (or `shape`); None if unknown."""
        run = self.get(run_id)
        t = self.elapsed()
        if run is None or run.timeline.created > t:
            return None
        return shapes.render(run, t, self.iso, shape)

    def run_body(self, run_id: str, shape: str | None = None) -> bytes | None:
        """`run_json` encoded, cached until the run's state or log changes."""
        run = self.get(run_id)
        t = self.elapsed()
        if run is None or run.timeline.created > t:
            return None
        key = shapes.state_key(run, t, shape)
        if run.cache_key != key:
            body = shapes.render(run, t, self.iso, shape)
            run.cache_body = json.dumps(body, separators=(",", ":")).encode()
            run.cache_key = key
        return run.cache_body

    def cancel(self, run_id: str) -> bool:
        """Cancel a run now: True if it is (now) cancelling, False if already terminal."""
        return self._run(run_id).timeline.cancel(self.elapsed())

    def true_status(self, run_id: str) -> RunStatus:
        """The run's status right now."""
        return self._run(run_id).timeline.status_at(self.elapsed())

    def outcome(self, run_id: str) -> RunStatus:
        """The status the run will end in, given what has happened so far."""
        return self._run(run_id).timeline.final_status

    def transitions(self, run_id: str) -> list[tuple[float, RunStatus]]:
        """Every status change of the run as (clock monotonic time, status), past and future."""
        tl = self._run(run_id).timeline
        return [(self.to_monotonic(t), status) for t, status in tl.transitions]

    def describe(self, run_id: str) -> RunInfo:
        """A summary of the run for listings and tests."""
        run = self._run(run_id)
        tl = run.timeline
        t = self.elapsed()
        ended = tl.ended_at
        return RunInfo(
            id=run.id,
            slug=run.pipeline.slug,
            pipeline_type=run.pipeline.template.type,
            shape=run.shape,
            trigger_type=run.trigger_type,
            status=tl.status_at(t),
            outcome=tl.final_status,
            ends_in=None if ended is None else max(0.0, (ended - t) / self._speed),
        )

    @classmethod
    def demo(
        cls,
        clock: Clock | None = None,
        *,
        speed: float = 1.0,
        detail: str | None = "flat",
        background_runs: int = 0,
    ) -> World:
        """The fixed, lively demo world that `nekt-tui --demo` shows.

        `detail` "flat" (the default: what a user of today's documented API sees),
        "nested" or "mixed" serve every run's detail that way (see `World`); None is the
        demo as it was before (nested, one run flat).
        `background_runs` adds that many older runs of many pipelines between the demo's
        own, so that a watched run can sit on page 2 or later of the run list.
        """
        world = cls(seed=2026, clock=clock, speed=speed, n_runs=0, detail=detail)
        return build_demo(world, flat_run=detail is None, background_runs=background_runs)


def _started_by(ttype: str, trigger: SimTrigger | None, user: SimUser, token: SimToken) -> str:
    if ttype == "manual":
        return f"manual, by {user.template.email}"
    if ttype == "api":
        return f"API token '{token.template.description}'"
    if trigger is not None and trigger.type == "cron":
        return f"cron '{trigger.cron_expression}' {trigger.cron_timezone}"
    if trigger is not None and trigger.events:
        return f"event {', '.join(trigger.events)} ({trigger.event_rule})"
    return ttype
