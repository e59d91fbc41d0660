"""What `nekt-tui status --json` prints: each run as the API sent it, and apart from it
what nekt-tui made of it.

One JSON array, one element per run asked, in the order asked:

    {"run": <the API's object, every field as received>,
     "nekt_tui": {"id", "shape", "status", "terminal", "name", "duration_seconds",
                  "failure"}}

and for a run that could not be fetched `{"run": null, "nekt_tui": {"id", "error"}}`.
The API's object is unchanged but for the API key (and token-looking values), which are
`[redacted]` as everywhere, and the secret value of the token that triggered the run,
which nothing shows. The output is ASCII: `json.dumps` escapes every control and
non-ASCII character (an ESC in a server string prints as `\\u001b`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import datetime
from typing import Any

from nekt_tui.api.errors import NektError
from nekt_tui.api.models import Run, RunStatus
from nekt_tui.logview.digest import failure_digest


def elapsed(run: Run, now: datetime) -> float | None:
    """The run's duration in seconds: the API's, else from its start to its end (or to
    `now` while it is not over); None before it started."""
    if run.duration_seconds is not None:
        return float(run.duration_seconds)
    if run.started_at is None:
        return None
    end = run.ended_at or (None if run.is_terminal else now)
    return (end - run.started_at).total_seconds() if end is not None else None


def derived(run: Run, now: datetime) -> dict[str, Any]:
    """What nekt-tui made of a run: its shape, status, name, duration and, for a failed
    run, the failure digest of its log."""
    status = run.status
    failed = status == RunStatus.FAILED
    return {
        "id": run.id,
        "shape": run.shape,
        "status": status.value if isinstance(status, RunStatus) else str(status),
        "terminal": run.is_terminal,
        "name": run.name,
        "duration_seconds": elapsed(run, now),
        "failure": failure_digest(run.parsed_log) if failed else None,
    }


Got = tuple[Run, dict[str, Any] | None]


def entry(
    run_id: str, got: Got | NektError, now: datetime, say: Callable[[NektError], str] = str
) -> Any:
    """One element of the array: the run as sent and what was derived, or the error
    (in one line, as `say` puts it)."""
    if isinstance(got, NektError):
        return {"run": None, "nekt_tui": {"id": run_id, "error": say(got)}}
    run, sent = got
    if sent is None:  # a source that cannot say what was sent (tests' fakes): the model
        sent = run.model_dump(mode="json", exclude_none=True)
    return {"run": sent, "nekt_tui": derived(run, now)}


def dumps(entries: list[Any]) -> str:
    """The array as indented, ASCII-only, valid JSON (a number too big for a float,
    such as `1e999`, becomes the string "inf": JSON has no Infinity)."""
    try:
        return json.dumps(entries, indent=2, allow_nan=False) + "\n"
    except ValueError:  # Infinity is no JSON: say it as a string
        return json.dumps(_finite(entries), indent=2, allow_nan=False) + "\n"


def _finite(value: Any) -> Any:
    """`value` with every non-finite float as a string ("inf", "-inf", "nan")."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, list):
        return [_finite(item) for item in value]
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    return value


__all__ = ["Got", "derived", "dumps", "elapsed", "entry"]
