"""The run's enum-like values, kept apart from the pydantic models.

Everything the first frame needs (status colours, labels, sort order) imports from here,
so start-up does not pay for pydantic; `nekt_tui.api.models` re-exports these names.
"""

from __future__ import annotations

import enum


class UnknownValue(str):
    """An enum value the API sent that this version of nekt-tui does not know."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"UnknownValue({str.__repr__(self)})"


class RunStatus(str, enum.Enum):
    """The documented run statuses, in lifecycle order."""

    PENDING_EVENTS = "pending_events"
    QUEUED = "queued"
    RUNNING = "running"
    SUCCESS = "success"
    FAILED = "failed"
    CANCELLING = "cancelling"
    CANCELED = "canceled"

    @property
    def is_terminal(self) -> bool:
        return self in _TERMINAL

    @property
    def is_waiting(self) -> bool:
        return self in (RunStatus.PENDING_EVENTS, RunStatus.QUEUED)

    @property
    def is_active(self) -> bool:
        return self in (RunStatus.RUNNING, RunStatus.CANCELLING)


_TERMINAL = frozenset({RunStatus.SUCCESS, RunStatus.FAILED, RunStatus.CANCELED})


class TriggerType(str, enum.Enum):
    """How a run or a pipeline trigger fires."""

    MANUAL = "manual"
    CRON = "cron"
    EVENT = "event"
    API = "api"


class PipelineType(str, enum.Enum):
    """What a pipeline does. Only `extractor` is documented; the others are Nekt's kinds."""

    EXTRACTOR = "extractor"
    TRANSFORMATION = "transformation"
    DESTINATION = "destination"


class EventRule(str, enum.Enum):
    """How an event trigger combines its events."""

    ANY = "any"
    ALL = "all"


class CreditChargeStatus(str, enum.Enum):
    """Whether a run was charged credits (flat shape only)."""

    UNSUCCESSFUL = "unsuccessful"
    FIRST_EXTRACTION = "first_extraction"
    CHARGED = "charged"


def is_unknown(value: object) -> bool:
    """True when an enum-like field holds a value this version does not know."""
    return isinstance(value, UnknownValue)
