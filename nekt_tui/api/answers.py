"""What an answer means: its body parsed into a model, its error texts, its Retry-After.

Pure functions of what the server sent; every text that comes from the server and ends
up in a message is sanitised and redacted here.
"""

from __future__ import annotations

import email.utils
import json
from collections.abc import Callable
from datetime import datetime, timezone
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from nekt_tui.api.body import JsonSplitter
from nekt_tui.api.errors import BadResponseError
from nekt_tui.sanitize import sanitize

M = TypeVar("M", bound=BaseModel)
Redact = Callable[[str], str]

#: The longest wait a `Retry-After` is followed for (10 minutes). A server asking for
#: longer (`Retry-After: 999999999999`, or a date in the year 9999) is asked again after
#: this: one request per 10 minutes cannot hurt it, and a session is never frozen for good.
MAX_RETRY_AFTER = 600.0
NESTED = "the JSON is nested too deeply"


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` header (delay-seconds or an HTTP-date), at most
    `MAX_RETRY_AFTER`; 0 for a date in the past; None when absent, negative or unreadable.
    """
    if value is None:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return min(float(value), MAX_RETRY_AFTER) if len(value) < 16 else MAX_RETRY_AFTER
    try:
        when = email.utils.parsedate_to_datetime(value)
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        seconds = (when - (now or datetime.now(timezone.utc))).total_seconds()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return min(max(0.0, seconds), MAX_RETRY_AFTER)


def shown(text: str, redact: Redact, limit: int = 200) -> str:
    """Server text as it may appear in a message: one line, sanitised, redacted, short.

    Redacted before it is cut, so a cut never leaves part of the key behind.
    """
    text = redact(sanitize(text, single_line=True))
    return text if len(text) <= limit else text[: limit - 3] + "..."


def detail(content: bytes | bytearray, redact: Redact) -> str | None:
    """The DRF `detail` of an error body, sanitised, redacted and short; None otherwise."""
    try:
        body = json.loads(content)
    except (ValueError, RecursionError):
        return None
    text = body.get("detail") if isinstance(body, dict) else None
    return shown(text, redact) if isinstance(text, str) else None


def not_json(content_type: str | None, redact: Redact) -> str:
    """The reason for a body that is not JSON, naming its content type."""
    kind = (content_type or "unknown").split(";")[0].strip()
    return f"the body is not valid JSON (content-type {shown(kind, redact, 80)!r})"


def validation_reason(exc: ValidationError, content_type: str | None, redact: Redact) -> str:
    """The first field error (its path and message), never the value sent."""
    first = exc.errors(include_url=False, include_input=False)[0]
    if first.get("type") == "json_invalid":
        return not_json(content_type, redact)
    path = ".".join(str(p) for p in first.get("loc", ())) or "(body)"
    more = exc.error_count() - 1
    suffix = f" (and {more} more)" if more > 0 else ""
    return (
        f"field '{shown(path, redact, 80)}': {shown(first.get('msg', 'invalid'), redact)}{suffix}"
    )


def parse(
    model: type[M],
    content: bytes | bytearray | JsonSplitter,
    content_type: str | None,
    redact: Redact,
) -> M:
    """The model from a successful answer's body; `BadResponseError` for anything else.

    Small bodies go straight to pydantic's JSON parser (a third cheaper than `json.loads`
    + `model_validate` for a run's usual few KB). It refuses some valid JSON the `json`
    module accepts (a lone surrogate escape such as `"\\ud800"`, nesting deeper than 200):
    those are parsed again with `json`, as large bodies always are, so valid JSON is valid
    whatever its size. JSON nested too deeply for `json` is a bad response, never a
    `RecursionError`.
    """
    try:
        if isinstance(content, JsonSplitter):
            try:
                data = content.parse()
            except ValueError:
                raise BadResponseError(not_json(content_type, redact)) from None
            del content
            return model.model_validate(data)
        try:
            return model.model_validate_json(content)
        except ValidationError as exc:
            first = exc.errors(include_url=False, include_input=False)[0]
            if first.get("type") != "json_invalid":
                raise
        try:
            # Strict UTF-8, as large bodies are decoded (`json.loads` of bytes would also
            # take UTF-16 and UTF-32).
            data = json.loads(content.decode("utf-8"))
        except ValueError:
            raise BadResponseError(not_json(content_type, redact)) from None
        return model.model_validate(data)
    except ValidationError as exc:
        raise BadResponseError(validation_reason(exc, content_type, redact)) from None
    except RecursionError:
        raise BadResponseError(NESTED) from None


__all__ = [
    "MAX_RETRY_AFTER",
    "detail",
    "not_json",
    "parse",
    "parse_retry_after",
    "shown",
    "validation_reason",
]
