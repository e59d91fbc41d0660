"""A run's JSON object as the API sent it, next to the model made of it (`status --json`).

`RunJson` parses an answer's body as one JSON object, keeping every field as received:
numbers stay numbers, a flat shape's token ID stays a string, fields this version does
not know are kept. The client scrubs it like any answer (the key never stays in it);
`run_from_json` then makes the usual `Run` of it, and `hide_token` takes out the one value
the model never holds: the triggering token's secret.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import RootModel, ValidationError

from nekt_tui.api.answers import NESTED, validation_reason
from nekt_tui.api.errors import BadResponseError
from nekt_tui.api.models import Run
from nekt_tui.api.redact import REDACTED


class RunJson(RootModel[dict[str, Any]]):
    """A run's JSON object, as sent (any object is one: `Run` checks the fields)."""


def run_from_json(sent: dict[str, Any], redact: Callable[[str], str]) -> Run:
    """The `Run` of a run's JSON object; `BadResponseError` as for any answer."""
    try:
        return Run.model_validate(sent)
    except ValidationError as exc:
        raise BadResponseError(validation_reason(exc, "application/json", redact)) from None
    except RecursionError:
        raise BadResponseError(NESTED) from None


def hide_token(sent: dict[str, Any]) -> dict[str, Any]:
    """`sent` with the nested shape's `triggered_by_token.token` (the secret value of the
    token that triggered the run, which nothing shows) replaced by `[redacted]`."""
    token = sent.get("triggered_by_token")
    if isinstance(token, dict) and token.get("token") is not None:
        return {**sent, "triggered_by_token": {**token, "token": REDACTED}}
    return sent


__all__ = ["RunJson", "hide_token", "run_from_json"]
