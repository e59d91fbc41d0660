"""A run assembled from every documented source, each part knowing where it came from.

The flat detail (`GET /api/v1/runs/{id}/` as documented today) carries no log, no pipeline
and the triggering user only as an ID. The log and the pipeline (with its triggers) come
from the run list's copy of the run, the triggers (and the pipeline's slug) from the
sources or transformations list, the user from the detail asked with
`expand[]=triggered_by`. Every answer goes through `Assembler.merge`, which keeps the best
copy of each part, so a poorer answer arriving later never erases a richer earlier one
(a nested answer then a flat one, a listed copy then a detail without a log).

`Provenance` says, per part, which source it came from and when it was fetched, or why it
is not available ("log not available: the run list is refused for this API key").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

from nekt_tui.api.models import ApiToken, Pipeline, Run, RunLog, User
from nekt_tui.watch.provenance import (
    DETAIL,
    EXPAND,
    RUN_LIST,
    SOURCES_LIST,
    TRANSFORMATIONS_LIST,
    Origin,
    Provenance,
)


@dataclass(slots=True)
class _Parts:
    """The best copy of each part known for one run."""

    log: RunLog | None = None
    #: The listed copy's status when the log came from the list (a running copy's log grows).
    log_final: bool = True
    pipeline: Pipeline | None = None
    user: User | None = None
    #: The triggering token as a listed copy describes it (the flat detail sends its ID).
    token: ApiToken | None = None
    #: The detail's last answer was flat (neither log nor pipeline): the list may have them.
    flat: bool = False
    #: The fields the detail's last answer carried, and whether it had a log (what a
    #: listed copy must carry to stand in for a poll).
    detail_fields: frozenset[str] = frozenset()
    detail_log: bool = False
    prov: Provenance = field(default_factory=Provenance)


def _poorer_log(new: RunLog, old: RunLog) -> bool:
    """`new` says less than `old`: no text where there was some, or a prefix of it."""
    old_text, new_text = old.parsed_log, new.parsed_log
    if old_text is None:
        return False
    if new_text is None:
        return True
    return len(new_text) < len(old_text) and old_text.startswith(new_text)


class Assembler:
    """Keeps each watched run's best parts and their provenance (see the module docstring)."""

    def __init__(self) -> None:
        self._runs: dict[str, _Parts] = {}
        #: Runs answered flat lacking a part (log, pipeline), or whose log still grows in
        #: the list, and runs whose user is an ID: what the finder looks for. A run whose
        #: detail is whole is never in it.
        self.wanting: dict[str, None] = {}  # a dict: ordered (a set's order is random)
        #: Called when a run starts wanting a part (the finder looks at once, not an
        #: interval later).
        self.on_want: Callable[[], None] | None = None

    def forget(self, run_id: str) -> None:
        """The run is no longer watched."""
        self._runs.pop(run_id, None)
        self.wanting.pop(run_id, None)

    def provenance(self, run_id: str) -> Provenance | None:
        """Where the run's parts came from; None before anything is known of it."""
        parts = self._runs.get(run_id)
        return parts.prov if parts is not None else None

    def has_log(self, run_id: str) -> bool:
        """A log is known for the run."""
        parts = self._runs.get(run_id)
        return parts is not None and parts.log is not None

    def has_pipeline(self, run_id: str) -> bool:
        """A pipeline is known for the run."""
        parts = self._runs.get(run_id)
        return parts is not None and parts.pipeline is not None

    def detail_answer(self, run_id: str) -> tuple[frozenset[str], bool] | None:
        """The fields of the detail's last answer, and whether it carried a log text."""
        parts = self._runs.get(run_id)
        return (parts.detail_fields, parts.detail_log) if parts is not None else None

    def log_final(self, run_id: str) -> bool:
        """The known log is the whole log (from the detail, or a finished listed copy)."""
        parts = self._runs.get(run_id)
        return parts is not None and parts.log is not None and parts.log_final

    def take(
        self,
        run_id: str,
        source: str,
        at: datetime,
        *,
        log: RunLog | None = None,
        log_final: bool = True,
        pipeline: Pipeline | None = None,
        user: User | None = None,
        token: ApiToken | None = None,
    ) -> bool:
        """Keep these parts from `source` unless they say less than what is known; True
        when anything was kept."""
        parts = self._runs.setdefault(run_id, _Parts())
        prov = parts.prov
        log_at, pipeline_at, user_at = prov.log, prov.pipeline, prov.user
        log_problem, pipeline_problem, user_problem = (
            prov.log_problem,
            prov.pipeline_problem,
            prov.user_problem,
        )
        kept = False
        if log is not None and (parts.log is None or not _poorer_log(log, parts.log)):
            parts.log, parts.log_final, kept = log, log_final, True
            log_at, log_problem = Origin(source, at), None
        if pipeline is not None and not (
            # A list's pipeline (slug and triggers) never replaces the run's own copy.
            parts.pipeline is not None
            and pipeline_at is not None
            and pipeline_at.source in (DETAIL, RUN_LIST)
            and source not in (DETAIL, RUN_LIST)
        ):
            parts.pipeline, kept = pipeline, True
            pipeline_at, pipeline_problem = Origin(source, at), None
        if token is not None and token.description:
            parts.token = token
        if user is not None:
            parts.user, kept = user, True
            user_at, user_problem = Origin(source, at), None
        if kept:
            # One new record, not one `replace` per part: this runs for every answer.
            parts.prov = Provenance(
                log=log_at,
                pipeline=pipeline_at,
                user=user_at,
                log_problem=log_problem,
                pipeline_problem=pipeline_problem,
                user_problem=user_problem,
            )
        return kept

    def problem(
        self,
        run_id: str,
        *,
        log: str | None = None,
        pipeline: str | None = None,
        user: str | None = None,
    ) -> bool:
        """Say why a part is not available (only for a part not known); True if it changed."""
        parts = self._runs.setdefault(run_id, _Parts())
        prov = parts.prov
        if log is not None and parts.log is None:
            prov = replace(prov, log_problem=log)
        if pipeline is not None and parts.pipeline is None:
            prov = replace(prov, pipeline_problem=pipeline)
        if user is not None and parts.user is None:
            prov = replace(prov, user_problem=user)
        changed = prov != parts.prov
        parts.prov = prov
        return changed

    def merge(self, run_id: str, new: Run, source: str, at: datetime) -> Run:
        """`new` (an answer from `source`) with every part it lacks filled from the best
        copy known; what it carries is kept as the best copy unless it says less."""
        by = new.triggered_by
        if source == DETAIL:
            # A nested answer without a log is a run without one: the list's copy (nested
            # too) has none either. Only a flat answer sends the finder looking.
            parts = self._runs.setdefault(run_id, _Parts())
            parts.flat = new.log is None and new.pipeline is None
            parts.detail_fields = frozenset(new.model_fields_set)
            parts.detail_log = new.parsed_log is not None
        self.take(
            run_id,
            source,
            at,
            log=new.log,
            log_final=source == DETAIL or new.is_terminal,
            pipeline=new.pipeline,
            user=by if isinstance(by, User) else None,
            token=new.triggered_by_token,
        )
        return self.fill(run_id, new)

    def fill(self, run_id: str, run: Run) -> Run:
        """`run` with its missing (or poorer) log, pipeline and user from the best copies."""
        parts = self._runs.get(run_id)
        if parts is None:
            return run
        update: dict[str, object] = {}
        if (
            parts.log is not None
            and parts.log is not run.log
            and (run.log is None or _poorer_log(run.log, parts.log))
        ):
            update["log"] = parts.log
        if parts.pipeline is not None and parts.pipeline is not run.pipeline:
            update["pipeline"] = parts.pipeline
        by = run.triggered_by
        if isinstance(by, int) and parts.user is not None and parts.user.id in (by, None):
            update["triggered_by"] = parts.user
        tok = run.triggered_by_token
        known = parts.token
        if tok is not None and not tok.description and known is not None and known.id == tok.id:
            update["triggered_by_token"] = known
        wants = (
            parts.flat and (parts.log is None or parts.pipeline is None or not parts.log_final)
        ) or (isinstance(by, int) and parts.user is None)
        if wants:
            if run_id not in self.wanting:
                self.wanting[run_id] = None
                if self.on_want is not None:
                    self.on_want()
        else:
            self.wanting.pop(run_id, None)
        return run.model_copy(update=update) if update else run


__all__ = [
    "DETAIL",
    "EXPAND",
    "RUN_LIST",
    "SOURCES_LIST",
    "TRANSFORMATIONS_LIST",
    "Assembler",
    "Origin",
    "Provenance",
]
