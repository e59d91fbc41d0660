"""Where the watch list lives, and how it reaches its file: through symbolic links, under a
lock, atomically.

Several nekt-tui instances may share one watch list. A save takes an exclusive `flock` on
a sidecar `<name>.lock` next to the file (waiting at most `LOCK_WAIT` seconds), re-reads
the file, lays this instance's own changes over it (`merge`) and replaces it atomically.
A symbolic link is written through: the temp file goes next to the link's target and is
renamed over the target, so the link survives. Failures become one line (`failure_reason`).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: saves are atomic but not locked
    fcntl = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from nekt_tui.watch.entry import WatchEntry

#: How long a save waits for another instance's save to finish (seconds). A save takes
#: milliseconds; only a process stopped while holding the lock makes this run out.
LOCK_WAIT = 5.0
_LOCK_POLL = 0.01

STATE_FILE_NAME = "watchlist.json"
STATE_ENV = "NEKT_TUI_STATE"


def default_state_path() -> Path:
    """Where the watch list lives by default (platformdirs' user state directory)."""
    return Path(platformdirs.user_state_dir("nekt-tui", appauthor=False)) / STATE_FILE_NAME


def resolve_state_path(
    cli_value: str | os.PathLike[str] | None = None, environ: Mapping[str, str] | None = None
) -> Path:
    """The state file to use: `--state-file`, else `NEKT_TUI_STATE`, else the default."""
    env = os.environ if environ is None else environ
    if cli_value:
        return Path(cli_value).expanduser()
    if env.get(STATE_ENV):
        return Path(env[STATE_ENV]).expanduser()
    return default_state_path()


class WatchListError(Exception):
    """The watch list cannot be loaded or saved; the message says what to do.

    `reason` is the same thing said after "not saved to PATH: ".
    """

    def __init__(self, message: str, reason: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason or message


class LockBusy(WatchListError):
    """Another process held the lock for longer than a save may wait."""


def write_target(path: Path) -> Path:
    """The file a save replaces: `path`, or the file its symbolic link(s) finally name.

    A dangling link or a loop raises `WatchListError` saying so (never replaced by a file).
    """
    if not path.is_symlink():
        return path
    try:
        return path.resolve(strict=True)
    except (OSError, RuntimeError) as exc:  # 3.11 says a loop with RuntimeError
        if isinstance(exc, RuntimeError) or exc.errno == errno.ELOOP:
            reason = f"{path} is a symbolic link that loops; fix or remove the link"
        else:
            target = "?"
            with contextlib.suppress(OSError):
                target = os.readlink(path)
            reason = (
                f"{path} is a symbolic link to {target}, which does not exist; "
                "create it or remove the link"
            )
        raise WatchListError(f"watch list {reason}", reason) from None


@contextlib.contextmanager
def locked(target: Path, wait: float | None = None) -> Iterator[None]:
    """Hold the exclusive lock on `<target>.lock` (made next to `target`) while inside.

    The kernel drops an `flock` when its holder dies, so a killed save never blocks the
    next; a live holder past `wait` seconds (default `LOCK_WAIT`) raises `WatchListError`.
    """
    wait = LOCK_WAIT if wait is None else wait
    folder = target.parent
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    lock_path = target.with_name(target.name + ".lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
    try:
        if fcntl is not None:
            deadline = time.monotonic() + wait
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        reason = (
                            f"another nekt-tui holds {lock_path} (stopped mid-save?); "
                            "tried again at the next change"
                        )
                        raise LockBusy(f"watch list not saved: {reason}", reason) from None
                    time.sleep(_LOCK_POLL)
        yield
    finally:
        os.close(fd)  # closing drops the lock


def merge(
    base: Mapping[str, WatchEntry], mine: Sequence[WatchEntry], theirs: Sequence[WatchEntry]
) -> list[WatchEntry]:
    """Lay this instance's changes (`mine` against `base`, the file as last read or written)
    over the file as it is now (`theirs`).

    A run I removed stays removed; one another instance removed (and I kept) goes; one it
    added is kept, placed after the run it follows there. A label is mine if I changed it,
    else theirs; the status is whichever was seen last. The order is mine.
    """
    theirs_by_id = {e.run_id: e for e in theirs}
    result: list[WatchEntry] = []
    for m in mine:
        t = theirs_by_id.get(m.run_id)
        b = base.get(m.run_id)
        if t is None:
            if b is None:
                result.append(m)  # I added it
            continue  # in base, not there now: another instance removed it
        result.append(_merge_entry(b, m, t))
    mine_ids = {e.run_id for e in mine}
    placed = {e.run_id for e in result}
    after: str | None = None
    for t in theirs:
        rid = t.run_id
        if rid not in placed and rid not in mine_ids and rid not in base:
            at = 0 if after is None else _position(result, after) + 1
            result.insert(at, t)  # another instance added it
            placed.add(rid)
        if rid in placed:
            after = rid
    return result


def _position(entries: list[WatchEntry], run_id: str) -> int:
    return next(i for i, e in enumerate(entries) if e.run_id == run_id)


def _merge_entry(b: WatchEntry | None, m: WatchEntry, t: WatchEntry) -> WatchEntry:
    if b is None:  # both added it
        label = m.label if m.label is not None else t.label
    else:
        label = m.label if m.label != b.label else t.label
    newest = m
    if t.last_seen is not None and (m.last_seen is None or t.last_seen > m.last_seen):
        newest = t
    if newest is m and label == m.label:
        return m  # the same entry: its line of the file is not encoded again
    return replace(m, label=label, last_status=newest.last_status, last_seen=newest.last_seen)


_STATUS_JSON: dict[str | None, str] = {None: "null"}
#: The JSON of recent `last_seen` times (whole seconds: see `WatchList.record_status`).
_SEEN_TEXT: dict[datetime, str] = {}
#: One encoder for every line (`json.dumps` with an option builds a new one per call).
_ENCODE = json.JSONEncoder(ensure_ascii=False).encode


def entry_line(entry: WatchEntry) -> str:
    """One entry as a line of the file: the JSON of `entry.to_json()`, built faster."""
    return entry_head(entry) + entry_tail(entry)


def entry_head(entry: WatchEntry) -> str:
    """The start of an entry's line, up to its status: the run ID and the label (which
    rarely change, so a list keeps it from one save to the next)."""
    label = "null" if entry.label is None else _ENCODE(entry.label)
    return f'{{"run_id": {_ENCODE(entry.run_id)}, "label": {label}, '


def entry_tail(entry: WatchEntry) -> str:
    """The rest of an entry's line: the status (encoded once per value) and when it was
    seen (ISO text needs no escaping)."""
    status = _STATUS_JSON.get(entry.last_status)
    if status is None:
        status = _ENCODE(entry.last_status)
        if len(_STATUS_JSON) < 64:  # a server inventing statuses must not grow it for ever
            _STATUS_JSON[entry.last_status] = status
    at = entry.last_seen
    seen = "null" if at is None else _SEEN_TEXT.get(at)
    if seen is None and at is not None:
        # A poll cycle records thousands of runs in the same second: one encoding.
        if len(_SEEN_TEXT) >= 256:
            _SEEN_TEXT.clear()
        seen = _SEEN_TEXT[at] = f'"{at.isoformat()}"'
    return f'"last_status": {status}, "last_seen": {seen}}}'


def atomic_write(path: Path, data: bytes) -> None:
    """Replace `path` with `data` so that a crash leaves either the old or the new file."""
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def failure_reason(exc: BaseException, path: Path) -> str:
    """Why saving to `path` failed, in a few words a user can act on."""
    if isinstance(exc, WatchListError):
        return exc.reason
    if not isinstance(exc, OSError):
        return f"{type(exc).__name__}: {exc}"
    in_the_way = _file_in_the_way(path.parent)
    if in_the_way is not None:
        return f"{in_the_way} is a file, not a folder"
    text = exc.strerror or str(exc)
    if exc.errno == errno.EFBIG:
        return f"{text} (the file-size limit, see ulimit -f)"
    if exc.filename and os.fspath(exc.filename) != os.fspath(path):
        return f"{text} ({exc.filename})"
    return text


def _file_in_the_way(folder: Path) -> Path | None:
    """The nearest of `folder` and its parents that exists and is not a folder, if any."""
    for candidate in (folder, *folder.parents):
        if os.path.lexists(candidate):
            return None if candidate.is_dir() else candidate
    return None


def identity(path: Path) -> tuple[int, int, int] | None:
    """What tells one version of the file from another (a save makes a new inode)."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns
