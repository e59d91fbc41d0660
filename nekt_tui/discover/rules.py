"""Follow rules: which runs of the run list nekt-tui adds to the watch list by itself.

A rule is terms joined by spaces; every term must match. Terms:

  status:S[,S]   the run's status is one of these (known statuses only)
  pipeline:GLOB  the pipeline's slug matches the shell-style pattern (any case)
  type:T[,T]     the pipeline's type (extractor, transformation, destination)

A run matching any one rule is followed. Rules are matched against the run list's items
(the nested shape, with `pipeline.slug` and `pipeline.type`): a flat run names no
pipeline, so a `pipeline:` or `type:` term never matches it.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from nekt_tui.api.enums import PipelineType, RunStatus
from nekt_tui.sanitize import sanitize

if TYPE_CHECKING:
    from nekt_tui.api.models import Run

STATUSES = tuple(status.value for status in RunStatus)
TYPES = tuple(kind.value for kind in PipelineType)
GRAMMAR = "status:S[,S], pipeline:GLOB or type:T"


class RuleError(ValueError):
    """A follow rule that does not parse; the message is one line naming the bad term."""


def _shown(text: str) -> str:
    return sanitize(text, single_line=True)


@dataclass(frozen=True, slots=True)
class Rule:
    """One parsed follow rule: every given part must match (None: any)."""

    text: str
    statuses: frozenset[str] | None = None
    globs: tuple[re.Pattern[str], ...] = ()
    types: frozenset[str] | None = None

    def matches(self, run: Run) -> bool:
        """Whether the run (a run list item) matches every term of this rule."""
        if self.statuses is not None:
            status = run.status
            if not isinstance(status, RunStatus) or status.value not in self.statuses:
                return False
        pipeline = run.pipeline
        if self.globs:
            slug = pipeline.slug if pipeline is not None else None
            if not slug or not all(glob.fullmatch(slug.lower()) for glob in self.globs):
                return False
        if self.types is not None:
            kind = pipeline.type if pipeline is not None else None
            if not isinstance(kind, PipelineType) or kind.value not in self.types:
                return False
        return True

    def __str__(self) -> str:
        return self.text


def _values(term: str, value: str, known: Sequence[str], what: str) -> frozenset[str]:
    values = [v.strip().lower() for v in value.split(",")]
    for v in values:
        if not v:
            raise RuleError(f"term {_shown(term)!r} has an empty {what}")
        if v not in known:
            choices = ", ".join(known)
            raise RuleError(f"term {_shown(term)!r}: unknown {what} {_shown(v)!r}; use {choices}")
    return frozenset(values)


def parse_rule(text: str) -> Rule:
    """Parse one rule (`RuleError`, one line naming the bad term, if it does not parse)."""
    terms = text.split()
    if not terms:
        raise RuleError(f"empty follow rule {_shown(text)!r}: give terms such as status:failed")
    statuses: frozenset[str] | None = None
    types: frozenset[str] | None = None
    globs: list[re.Pattern[str]] = []
    for term in terms:
        key, colon, value = term.partition(":")
        key = key.lower()
        if not colon or key not in ("status", "pipeline", "type"):
            raise RuleError(f"unknown term {_shown(term)!r} in follow rule; use {GRAMMAR}")
        if not value:
            raise RuleError(f"term {_shown(term)!r} has no value; use {GRAMMAR}")
        if key == "status":
            given = _values(term, value, STATUSES, "status")
            statuses = given if statuses is None else statuses & given
        elif key == "type":
            given = _values(term, value, TYPES, "pipeline type")
            types = given if types is None else types & given
        else:
            globs.append(re.compile(fnmatch.translate(value.lower())))
    return Rule(" ".join(terms), statuses, tuple(globs), types)


def parse_statuses(text: str) -> tuple[str, ...]:
    """`failed,running` as known run statuses (`RuleError` naming an unknown one)."""
    return tuple(sorted(_values(text, text, STATUSES, "status")))


def parse_rules(texts: Iterable[str]) -> tuple[Rule, ...]:
    """Parse every rule (the first bad one raises `RuleError`); duplicates are kept once."""
    rules: dict[str, Rule] = {}
    for text in texts:
        rule = parse_rule(text)
        rules.setdefault(rule.text, rule)
    return tuple(rules.values())


def first_match(rules: Sequence[Rule], run: Run) -> Rule | None:
    """The first rule the run matches (None: no rule)."""
    return next((rule for rule in rules if rule.matches(run)), None)


__all__ = [
    "GRAMMAR",
    "Rule",
    "RuleError",
    "first_match",
    "parse_rule",
    "parse_rules",
    "parse_statuses",
]
