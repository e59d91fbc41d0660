"""Saving a run's log to a file: plain text unless raw is asked for, a sensible default
name, and never a silent overwrite."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from nekt_tui.sanitize import sanitize

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def default_log_name(name: str | None, number: int | None, short_id: str) -> str:
    """`<pipeline-slug>-<run number or short id>.log`, reduced to filename-safe characters."""
    slug = _UNSAFE.sub("-", name or "").strip("-.")[:80] or "run"
    suffix = str(number) if number is not None else _UNSAFE.sub("-", short_id).strip("-.")
    return f"{slug}-{suffix or 'log'}.log"


def plain_log(text: str) -> str:
    """The log as plain text, safe to `cat`: every escape sequence removed whole (colours,
    titles, clipboard writes, screen clears, in 7- and 8-bit forms), CRLF endings made LF,
    any other control character but tab shown as a visible symbol (␍, ␇, <U+009B>)."""
    return sanitize(text.replace("\r\n", "\n"))


def write_log(path: Path, text: str, *, overwrite: bool = False) -> None:
    """Write `text` exactly (no newline translation) to `path`.

    Without `overwrite`, an existing file raises `FileExistsError` (checked atomically
    by the create). With it, the old file is replaced in one step, never half-written.
    """
    data = text.encode("utf-8", errors="replace")
    if not overwrite:
        with path.open("xb") as fh:
            fh.write(data)
        return
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
