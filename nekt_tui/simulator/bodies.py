"""Response bodies the simulated API sends when something is wrong, and JSON mutations.

Error pages are what a Django + DRF service behind nginx/Envoy really answers: DRF
`{"detail": ...}` JSON, Django's HTML 404, a proxy's HTML 502, plain-text 5xx.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

JSON = "application/json"
HTML = "text/html; charset=utf-8"
TEXT = "text/plain; charset=utf-8"

DJANGO_404 = b"""<!doctype html>
<html lang="en">
<head>
  <title>Not Found</title>
</head>
<body>
  <h1>Not Found</h1><p>The requested resource was not found on this server.</p>
</body>
</html>
"""

_NGINX_502 = b"""<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>nginx</center>
</body>
</html>
"""

_MAINTENANCE = b"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Nekt is under maintenance</title>
<style>body{font-family:sans-serif;text-align:center;margin-top:15%}</style></head>
<body><h1>We'll be right back</h1>
<p>Nekt is undergoing scheduled maintenance. Please try again in a few minutes.</p>
</body></html>
"""

#: (status, content type, body) of the 5xx answers an error fault picks from.
SERVER_ERRORS: tuple[tuple[int, str, bytes], ...] = (
    (500, JSON, b'{"detail":"A server error occurred."}'),
    (500, TEXT, b"Internal Server Error"),
    (502, TEXT, b"upstream connect error or disconnect/reset before headers. reset reason: "
                b"connection failure"),
    (503, JSON, b'{"detail":"Service temporarily unavailable, try again later."}'),
    (504, TEXT, b"upstream request timeout"),
)  # fmt: skip

#: (status, body) of the HTML pages an html fault picks from.
HTML_PAGES: tuple[tuple[int, bytes], ...] = ((502, _NGINX_502), (200, _MAINTENANCE))


def detail(message: str) -> bytes:
    """A DRF error body."""
    return json.dumps({"detail": message}, separators=(",", ":")).encode()


def pick(options: tuple[Any, ...], u: float) -> Any:
    """The option a uniform [0, 1) value selects."""
    return options[min(len(options) - 1, int(u * len(options)))]


_UNKNOWN = {
    "status": ("retrying", "paused", "waiting_for_worker", "skipped"),
    "trigger_type": ("webhook", "backfill", "schedule_v2"),
    "pipeline_type": ("reverse_etl", "notebook", "sensor"),
    "trigger": ("webhook", "dependency"),
    "event_rule": ("all_of", "none", "sequence"),
    "credit_charge_status": ("refunded", "pending"),
}


def unknown_enum(run: dict[str, Any], u: float, v: float) -> str:
    """Put one undocumented enum value into `run`; returns which field it changed."""
    spots: list[tuple[dict[str, Any], str, str]] = [(run, "status", "status")]
    if "trigger_type" in run:
        spots.append((run, "trigger_type", "trigger_type"))
    if isinstance(run.get("credit_charge_status"), str):
        spots.append((run, "credit_charge_status", "credit_charge_status"))
    pipeline = run.get("pipeline")
    if isinstance(pipeline, dict):
        spots.append((pipeline, "type", "pipeline_type"))
        for trig in pipeline.get("triggers") or ():
            spots.append((trig, "type", "trigger"))
            if trig.get("event_rule") is not None:
                spots.append((trig, "event_rule", "event_rule"))
    target, key, kind = pick(tuple(spots), u)
    target[key] = pick(_UNKNOWN[kind], v)
    return f"{kind}={target[key]}"


def extra_fields(run: dict[str, Any]) -> None:
    """Add the undocumented fields a newer API version might send."""
    digest = hashlib.sha256(str(run.get("id")).encode()).hexdigest()
    run["workspace"] = {"id": int(digest[:6], 16), "slug": "acme-data", "region": "sa-east-1"}
    run["priority"] = int(digest[6], 16) % 4
    run["tags"] = ["prod", "sim"]
    run["retry_of"] = None
    run["_links"] = {"self": f"/api/v1/runs/{run.get('id')}/", "ui": "https://app.nekt.ai/runs/"}
    pipeline = run.get("pipeline")
    if isinstance(pipeline, dict):
        pipeline["owner_team"] = "data-platform"
        pipeline["sla_minutes"] = 60
    log = run.get("log")
    if isinstance(log, dict):
        log["size_bytes"] = len(str(log.get("parsed_log") or ""))
        log["truncated"] = False
    user = run.get("triggered_by")
    if isinstance(user, dict):
        user["timezone"] = "America/Sao_Paulo"


def truncate(body: bytes, u: float) -> bytes:
    """The body cut somewhere in the middle (always invalid JSON for an object body)."""
    if len(body) < 2:
        return b"{"
    return body[: max(1, min(len(body) - 1, int(len(body) * (0.05 + 0.9 * u))))]
