"""DRF page-number pagination for the simulator's list endpoints.

`page` (a number or `last`) and `page_size` (capped by the server, as DRF's
`max_page_size` does: a bigger `page_size` silently gets the cap and a `next` link).
`next`/`previous` repeat the request's own query with `page` replaced (dropped for page 1).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode


class InvalidPage(Exception):
    """The page asked for does not exist (DRF answers 404 `{"detail": "Invalid page."}`)."""


@dataclass(frozen=True)
class Page:
    """Which slice of the items a request gets, and the DRF page's head."""

    start: int
    stop: int
    head: dict[str, Any]


def page_of(
    count: int,
    pairs: Sequence[tuple[str, str]],
    base: str,
    *,
    default_size: int,
    cap: int,
) -> Page:
    """The page that the query `pairs` ask for, among `count` items; `base` is the URL
    without its query. Raises `InvalidPage`."""
    query = dict(pairs)
    size = default_size
    raw_size = query.get("page_size", "")
    if raw_size.isdigit() and int(raw_size) > 0:
        size = int(raw_size)
    size = max(1, min(size, cap))
    pages = max(1, math.ceil(count / size))
    raw_page = query.get("page", "1")
    page = pages if raw_page == "last" else int(raw_page) if raw_page.isdigit() else 0
    if not 1 <= page <= pages:
        raise InvalidPage(raw_page)

    def link(n: int) -> str:
        kept = [(k, v) for k, v in pairs if k != "page"]
        if n != 1:
            kept.append(("page", str(n)))
        qs = urlencode(sorted(kept))
        return f"{base}?{qs}" if qs else base

    head = {
        "count": count,
        "next": link(page + 1) if page < pages else None,
        "previous": link(page - 1) if page > 1 else None,
    }
    return Page((page - 1) * size, page * size, head)
