"""Names from the server, made safe to show once and remembered."""

from __future__ import annotations

import functools

from nekt_tui.sanitize import sanitize

#: Longest name `clean_name` remembers (a longer one is sanitised every time).
NAME_CACHED_MAX = 200


@functools.lru_cache(maxsize=4096)
def _cached_name(raw: str) -> str:
    return sanitize(raw, single_line=True)


def clean_name(raw: str) -> str:
    """A pipeline name from the server, sanitised for one line.

    Remembered per name: 10,000 runs share a few hundred pipelines, and every poll brings
    a new `Run` whose name would otherwise be sanitised again for the next sort or filter.
    """
    if len(raw) > NAME_CACHED_MAX:
        return sanitize(raw, single_line=True)
    return _cached_name(raw)
