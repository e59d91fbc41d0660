"""One status change worth telling someone about, as safe text (no Textual).

An `Alert` is built from a run the engine fetched; every field that came from the server
(pipeline, status, failure digest) and the user's label is cleaned to one printable line
here, once, so neither a terminal notification nor a notify command's environment ever
holds a control character, an escape sequence or a line break.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from nekt_tui.api.enums import RunStatus
from nekt_tui.sanitize import sanitize, strip_escapes
from nekt_tui.watch.plain import format_time

if TYPE_CHECKING:
    from nekt_tui.api.models import Run

#: The longest value an alert field keeps (a cut one ends with "…").
FIELD_LIMIT = 500
#: Which transitions a `notify` policy tells about.
POLICIES = ("off", "failures", "all")


def one_line(text: object, limit: int = FIELD_LIMIT) -> str:
    """`text` as one printable line of at most `limit` characters: escape sequences
    removed, control characters shown as symbols, then anything still not printable
    (format characters, line and paragraph separators) dropped."""
    if text is None:
        return ""
    raw = text.value if isinstance(text, RunStatus) else str(text)
    cleaned = sanitize(strip_escapes(raw), single_line=True)
    if not cleaned.isprintable():
        cleaned = "".join(ch if ch.isprintable() else " " for ch in cleaned)
    cleaned = " ".join(cleaned.split())
    if len(cleaned) > limit:
        cleaned = cleaned[: limit - 1] + "…"
    return cleaned


def wants(policy: str, new: object) -> bool:
    """Whether the `notify` policy tells about a change to `new` (`off`, `failures`: to
    failed only, `all`: every change)."""
    if policy == "all":
        return True
    if policy == "failures":
        return new == RunStatus.FAILED
    return False


@dataclass(frozen=True)
class Alert:
    """A run's status change, every field one safe printable line ("" when unknown)."""

    run_id: str
    status: str
    previous: str
    #: How the screen names the run: `pipe-x #42`, the label instead of the slug when set.
    name: str
    pipeline: str
    label: str
    started_at: str
    ended_at: str
    #: Why a failed run failed (its failure digest); "" otherwise.
    error: str

    @property
    def failed(self) -> bool:
        """The run changed to failed."""
        return self.status == RunStatus.FAILED.value

    def headline(self) -> str:
        """`pipe-x #42 failed`."""
        return f"{self.name} {self.status}"

    def change(self) -> str:
        """`running → failed — KeyError: 'id'`: the change, and why when it failed."""
        text = f"{self.previous or '?'} → {self.status}"
        return f"{text} — {self.error}" if self.error else text

    def env(self) -> dict[str, str]:
        """The notify command's `NEKT_*` variables for this change."""
        return {
            "NEKT_RUN_ID": self.run_id,
            "NEKT_STATUS": self.status,
            "NEKT_PREVIOUS_STATUS": self.previous,
            "NEKT_PIPELINE": self.pipeline,
            "NEKT_LABEL": self.label,
            "NEKT_STARTED_AT": self.started_at,
            "NEKT_ENDED_AT": self.ended_at,
            "NEKT_ERROR": self.error,
        }


def _when(at: datetime | None) -> str:
    return format_time(at) if at is not None else ""


def alert_for(
    run: Run,
    old: object,
    new: object,
    *,
    name: str | None = None,
    label: str | None = None,
    failure: str | None = None,
) -> Alert:
    """The alert for `run` changing from `old` to `new`. `name` is how the caller shows
    the run (default: its pipeline and number); `failure` its failure digest."""
    pipeline = one_line(run.name)
    if name is None:
        base = pipeline or run.id[:8]
        name = f"{base} #{run.number}" if run.number is not None else base
    return Alert(
        run_id=one_line(run.id),
        status=one_line(new),
        previous=one_line(old),
        name=one_line(name),
        pipeline=pipeline,
        label=one_line(label),
        started_at=_when(run.started_at),
        ended_at=_when(run.ended_at),
        error=one_line(failure) if new == RunStatus.FAILED else "",
    )


__all__ = ["FIELD_LIMIT", "POLICIES", "Alert", "alert_for", "one_line", "wants"]
