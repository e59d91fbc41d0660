"""Run IDs: validate one, or pull every UUID out of pasted text."""

from __future__ import annotations

import re
import uuid

from nekt_tui.api.errors import InvalidRunIdError

_UUID_RE = re.compile(
    r"(?<![0-9a-fA-F])[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    r"(?![0-9a-fA-F])"
)

#: The canonical form itself: what a saved list holds and what this function returns.
_CANONICAL = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def validate_run_id(run_id: str) -> str:
    """Return the canonical (lower-case) form of a run ID, or raise `InvalidRunIdError`."""
    if isinstance(run_id, str) and _CANONICAL.fullmatch(run_id):
        return run_id  # already canonical: a 10,000-run list loads without parsing each
    text = run_id.strip() if isinstance(run_id, str) else ""
    try:
        parsed = uuid.UUID(text)
    except ValueError:
        raise InvalidRunIdError(str(run_id)) from None
    if len(text.replace("-", "")) != 32 or not _UUID_RE.fullmatch(text):
        raise InvalidRunIdError(str(run_id))
    return str(parsed)


def parse_run_ids(text: str) -> list[str]:
    """Every UUID in `text` (IDs, several per line, pasted URLs), lower-cased, de-duplicated,
    in order. Raises `InvalidRunIdError` quoting the text when there is none."""
    seen: dict[str, None] = {}
    for match in _UUID_RE.finditer(text):
        seen.setdefault(match.group().lower(), None)
    if not seen:
        raise InvalidRunIdError(text.strip())
    return list(seen)
