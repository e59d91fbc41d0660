"""Pydantic models for a Nekt pipeline run, in both documented shapes.

The seed page for `GET /api/v1/runs/{id}/` nests `pipeline`, `log`, `triggered_by` and
`triggered_by_token`; the newer page is flat. Both parse into `Run`. Enum-like fields are
open: a value this version does not know is kept as an `UnknownValue` string.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    SecretStr,
)

from nekt_tui.api.enums import (
    CreditChargeStatus,
    EventRule,
    PipelineType,
    RunStatus,
    TriggerType,
    UnknownValue,
    is_unknown,
)

__all__ = [
    "ApiToken",
    "CreditChargeStatus",
    "EventRule",
    "Pipeline",
    "PipelineTrigger",
    "PipelineType",
    "Run",
    "RunLog",
    "RunPage",
    "RunStatus",
    "RunTrigger",
    "TriggerType",
    "UnknownValue",
    "User",
    "is_unknown",
]

E = TypeVar("E", bound=enum.Enum)


def _open_enum(cls: type[E]) -> Callable[[Any], E | UnknownValue]:
    # A dict lookup rather than `cls(value)` (which raises and catches for an unknown
    # value): this runs for about seven fields of every run of every poll.
    members: dict[str, E] = {member.value: member for member in cls}

    def parse(value: Any) -> E | UnknownValue:
        if isinstance(value, cls):
            return value
        if not isinstance(value, str):
            raise ValueError(f"expected a string, got {type(value).__name__}")
        member = members.get(value)
        return UnknownValue(value) if member is None else member

    return parse


def _open_enum_or_none(cls: type[E]) -> Callable[[Any], E | UnknownValue | None]:
    parse = _open_enum(cls)

    def parse_optional(value: Any) -> E | UnknownValue | None:
        return None if value is None else parse(value)

    return parse_optional


def _aware(value: datetime | None) -> datetime | None:
    """Treat a naive datetime from the API as UTC, so every datetime is timezone-aware."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


def _token_ref(value: Any) -> Any:
    return {"id": value} if isinstance(value, str) else value


def _decimal(value: Any) -> Any:
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise ValueError("expected a number, got a boolean")
    if isinstance(value, (int, float, str)):
        try:
            return Decimal(str(value))
        except InvalidOperation as exc:
            raise ValueError("expected a number") from exc
    raise ValueError(f"expected a number, got {type(value).__name__}")


Status = Annotated[RunStatus | UnknownValue, PlainValidator(_open_enum(RunStatus))]
OptStatus = Annotated[
    RunStatus | UnknownValue | None, PlainValidator(_open_enum_or_none(RunStatus))
]
OptTriggerType = Annotated[
    TriggerType | UnknownValue | None, PlainValidator(_open_enum_or_none(TriggerType))
]
OptPipelineType = Annotated[
    PipelineType | UnknownValue | None, PlainValidator(_open_enum_or_none(PipelineType))
]
OptEventRule = Annotated[
    EventRule | UnknownValue | None, PlainValidator(_open_enum_or_none(EventRule))
]
OptCreditStatus = Annotated[
    CreditChargeStatus | UnknownValue | None,
    PlainValidator(_open_enum_or_none(CreditChargeStatus)),
]
OptDatetime = Annotated[datetime | None, AfterValidator(_aware)]
OptDecimal = Annotated[Decimal | None, BeforeValidator(_decimal)]


class _Model(BaseModel):
    # Built on first use, not at import: start-up is part of what users feel.
    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)


class PipelineTrigger(_Model):
    """One trigger configured on a pipeline."""

    id: str | None = None
    created_at: OptDatetime = None
    updated_at: OptDatetime = None
    type: OptTriggerType = None
    cron_expression: str | None = None
    cron_timezone: str | None = None
    events: list[str] | None = None
    event_rule: OptEventRule = None


class Pipeline(_Model):
    """The pipeline a run belongs to (nested shape only)."""

    id: str | None = None
    slug: str | None = None
    description: str | None = None
    type: OptPipelineType = None
    active: bool | None = None
    created_at: OptDatetime = None
    updated_at: OptDatetime = None
    latest_run_started: OptDatetime = None
    latest_run_ended: OptDatetime = None
    latest_run_status: OptStatus = None
    triggers: list[PipelineTrigger] = Field(default_factory=list)
    current_status: str | None = None


class RunLog(_Model):
    """The run's log (nested shape only). `parsed_log` is one string of lines."""

    id: str | None = None
    parsed_log: str | None = None
    created_at: OptDatetime = None
    updated_at: OptDatetime = None


class RunTrigger(_Model):
    """What fired this run."""

    type: OptTriggerType = None
    cron_expression: str | None = None
    cron_timezone: str | None = None
    event_rule: OptEventRule = None


class User(_Model):
    """The user who triggered a run."""

    id: int | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    picture: str | None = None
    role: str | None = None
    date_joined: OptDatetime = None
    last_login: OptDatetime = None
    is_active: bool | None = None

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)


class ApiToken(_Model):
    """The API token that triggered a run. Its secret value is never shown."""

    id: str | None = None
    token: SecretStr | None = Field(default=None, repr=False, exclude=True)
    is_active: bool | None = None
    description: str | None = None
    created_at: OptDatetime = None
    updated_at: OptDatetime = None
    last_used_at: OptDatetime = None


class Run(_Model):
    """One pipeline run, from either documented shape of `GET /api/v1/runs/{id}/`."""

    id: str
    status: Status
    created_at: OptDatetime = None
    updated_at: OptDatetime = None
    started_at: OptDatetime = None
    ended_at: OptDatetime = None
    # Nested shape.
    pipeline: Pipeline | None = None
    log: RunLog | None = None
    use_custom_logs: bool | None = None
    trigger_type: OptTriggerType = None
    trigger: RunTrigger | None = None
    triggered_by: User | int | None = Field(default=None, union_mode="left_to_right")
    # The flat shape sends a bare string (the token's id); keep one type either way.
    triggered_by_token: Annotated[ApiToken | None, BeforeValidator(_token_ref)] = Field(
        default=None, repr=False
    )
    # Flat shape.
    number: int | None = None
    duration_seconds: int | None = None
    full_sync: bool | None = None
    extra_config: Any = None
    credit_charge_status: OptCreditStatus = None
    el_cost_usd: OptDecimal = None
    el_cost_metadata: Any = None
    transformation_cost_usd: OptDecimal = None
    transformation_cost_metadata: Any = None
    source: str | None = None
    destination: str | None = None
    transformation: str | None = None

    @property
    def has_pipeline(self) -> bool:
        return self.pipeline is not None

    @property
    def has_log(self) -> bool:
        return self.log is not None

    @property
    def shape(self) -> str:
        """`nested` when the response carried a pipeline or log object, else `flat`."""
        return "nested" if self.pipeline is not None or self.log is not None else "flat"

    @property
    def parsed_log(self) -> str | None:
        return self.log.parsed_log if self.log is not None else None

    @property
    def is_terminal(self) -> bool:
        return isinstance(self.status, RunStatus) and self.status.is_terminal

    @property
    def short_id(self) -> str:
        return self.id[:8]

    @property
    def name(self) -> str | None:
        """The best human name: the pipeline slug, or what the flat shape names."""
        if self.pipeline is not None and self.pipeline.slug:
            return self.pipeline.slug
        return self.source or self.transformation or self.destination

    @property
    def token_description(self) -> str | None:
        """The triggering token's description (never its value)."""
        tok = self.triggered_by_token
        return tok.description if tok is not None else None


class RunPage(_Model):
    """One page of `GET /api/v1/runs/` (DRF pagination)."""

    count: int | None = None
    next: str | None = None
    previous: str | None = None
    results: list[Run] = Field(default_factory=list)
