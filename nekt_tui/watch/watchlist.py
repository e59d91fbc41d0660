"""The watch list: ordered run IDs with a label and the last status seen, saved atomically.

The file is versioned JSON in the user's state directory. Saving writes a temp file in
the same folder, fsyncs it, renames it over the old one and fsyncs the folder, so a crash
or `kill -9` at any moment leaves the old list or the new one, never a broken file. A file
that cannot be used is moved aside to `<name>.bak` (never over an older backup) and the
list starts empty; `WatchList.message` says where it went. Nothing is dropped silently.
It never holds the API key: it is never given it.

Several instances may share the file: a loaded list remembers the file as it read it, and
each save, under a lock, lays this instance's own changes over the file as it is then
(`watchlist_io.merge`), so a run another instance added or removed is neither lost nor
brought back. A symbolic link is written through to its target (`watchlist_io`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from nekt_tui.api.ids import parse_run_ids, validate_run_id
from nekt_tui.watch.entry import WatchEntry
from nekt_tui.watch.watchlist_io import (
    STATE_ENV,
    LockBusy,
    WatchListError,
    atomic_write,
    default_state_path,
    entry_head,
    entry_tail,
    identity,
    locked,
    merge,
    resolve_state_path,
    write_target,
)

FORMAT_VERSION = 1


@dataclass(frozen=True, slots=True)
class WatchListChanges:
    """What a save took in from other instances sharing the file (all empty: nothing)."""

    added: tuple[WatchEntry, ...] = ()
    removed: tuple[str, ...] = ()
    relabelled: tuple[WatchEntry, ...] = ()
    #: Something to tell the user (the file was unusable and was set aside), or None.
    note: str | None = None

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.relabelled)


class WatchList:
    """Ordered watch list entries, bound to a state file. Changes are saved by `save()`.

    Lookups by run ID (`in`, `get`, `index`, `record_status`, `set_label`) are O(1): a
    dict maps each ID to its entry, and a position map, dropped when entries move and
    rebuilt at the next lookup, gives its index. The UI calls them once per status
    change, for thousands of runs per poll cycle. Duplicate IDs among the `entries`
    given are dropped (the first one stays).
    """

    def __init__(
        self,
        path: Path,
        entries: list[WatchEntry] | None = None,
        *,
        recovered_from: Path | None = None,
        message: str | None = None,
    ) -> None:
        self.path = path
        self._entries: list[WatchEntry] = []
        self._by_id: dict[str, WatchEntry] = {}
        #: run_id -> index in `_entries`; None when entries moved since it was built.
        self._pos: dict[str, int] | None = {}
        for entry in entries or ():
            if entry.run_id not in self._by_id:
                self._append(entry)
        #: Where an unusable state file was moved to (None when it loaded fine).
        self.recovered_from = recovered_from
        #: What went wrong loading, for the user (None when it loaded fine).
        self.message = message
        self._save_refused: WatchListError | None = None
        #: The file as last read or written, by run ID: what this instance's own changes
        #: are measured against when a save merges.
        self._base: dict[str, WatchEntry] = {}
        #: Loaded lists merge with the file on save; a list made in memory replaces it.
        self._merging = False
        #: (inode, size, mtime) of the file as this list last read or wrote it: unchanged
        #: since, there is nothing to merge and the file is not read again.
        self._written: tuple[int, int, int] | None = None
        #: The last save found the lock held past the wait: try without waiting until one
        #: succeeds, so a stuck holder does not stall every save (the app's UI) in turn.
        self._lock_busy = False
        #: Each entry's line of file text as last written, and its start, by run ID (see
        #: `_text`).
        self._lines: dict[str, tuple[WatchEntry, str, str]] = {}

    # ---- loading and saving ------------------------------------------------------------

    @classmethod
    def load(cls, path: Path | None = None) -> WatchList:
        """Load the list (missing file: empty). An unusable file is set aside, never lost."""
        wl = cls._read(path or default_state_path())
        wl._merging = True
        wl._base = dict(wl._by_id)
        return wl

    @classmethod
    def _read(cls, path: Path) -> WatchList:
        try:
            write_target(path)
        except WatchListError as exc:  # a dangling or looping link: said, never replaced
            return cls(path, message=f"{exc}; starting with an empty list")
        # Taken before reading: a change made after it shows as another identity at the
        # first save, which then merges; unchanged, that save need not read 10,000 runs.
        seen = identity(path)
        try:
            raw = path.read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return cls(path)  # nothing there yet (a save says why it cannot write)
        except OSError as exc:
            return cls._set_aside(path, f"cannot be read ({exc.strerror or exc})")
        try:
            entries = _parse(raw)
        except ValueError as exc:
            return cls._set_aside(path, str(exc))
        wl = cls(path, entries)
        wl._written = seen
        return wl

    @classmethod
    def _set_aside(cls, path: Path, problem: str) -> WatchList:
        try:
            backup = _move_aside(path)
        except OSError as exc:
            why = exc.strerror or str(exc)
            wl = cls(
                path,
                message=f"watch list {path} {problem}, and moving it aside failed ({why}): "
                f"starting empty and not saving over it; move or fix it by hand",
            )
            reason = f"it {problem} and could not be moved aside ({why}); move or fix it by hand"
            wl._save_refused = WatchListError(wl.message or reason, reason)
            return wl
        return cls(
            path,
            recovered_from=backup,
            message=f"watch list {path} {problem}: moved it to {backup} and started with an "
            "empty list",
        )

    def save(self) -> WatchListChanges:
        """Write the list atomically (old or new file after any crash, never a broken one).

        A loaded list is merged, under the lock, with the file as it is now, and takes in
        what other instances changed: returned, so a view can follow. Raises
        `WatchListError` or `OSError` when it cannot be written (the list is kept).
        """
        if self._save_refused:
            raise self._save_refused
        target = write_target(self.path)
        note = None
        try:
            with locked(target, wait=0 if self._lock_busy else None):
                self._lock_busy = False
                entries = self._entries
                if self._merging:
                    theirs, note = self._read_now(target)
                    if theirs is not None:
                        entries = merge(self._base, self._entries, theirs)
                atomic_write(target, self._text(entries).encode("utf-8"))
                self._written = identity(target)
        except LockBusy:
            self._lock_busy = True
            raise
        changes = self._adopt(entries)
        self._base = dict(self._by_id)
        return replace(changes, note=note) if note else changes

    def _text(self, entries: list[WatchEntry]) -> str:
        """The file's text: one JSON document, one run per line.

        Entries are immutable, so a line is encoded again only for an entry replaced since
        the last save: with 10,000 runs and a save a second while statuses change, a save
        costs the entries that changed plus one join, not the whole list (an indented
        dump of 10,000 runs took 50 ms, on the UI's event loop).
        """
        old, lines = self._lines, {}
        for e in entries:
            cached = old.get(e.run_id)
            if cached is not None and cached[0] is e:
                lines[e.run_id] = cached
                continue
            # A new status keeps the start of the line (ID and label) as it was.
            head = cached[2] if cached is not None and cached[0].label == e.label else None
            if head is None:
                head = entry_head(e)
            lines[e.run_id] = (e, head + entry_tail(e), head)
        self._lines = lines
        if not lines:
            return f'{{"version": {FORMAT_VERSION}, "runs": []}}\n'
        body = ",\n".join(line for _, line, _ in lines.values())
        return f'{{"version": {FORMAT_VERSION}, "runs": [\n{body}\n]}}\n'

    def _read_now(self, target: Path) -> tuple[list[WatchEntry] | None, str | None]:
        """The file as it is (None: nothing to merge), and what was done about it."""
        if self._written is not None and identity(target) == self._written:
            return None, None  # as this list wrote it: nobody else changed it
        try:
            raw = target.read_bytes()
        except FileNotFoundError:
            return None, None  # deleted by hand: this list is all there is
        try:
            return _parse(raw), None
        except ValueError as exc:
            backup = _move_aside(target)
            return None, f"watch list {target} {exc}: moved it to {backup}, saved this list"

    def _adopt(self, entries: list[WatchEntry]) -> WatchListChanges:
        """Make `entries` (the merged list) this list's; say what came from elsewhere."""
        if entries is self._entries or entries == self._entries:
            return WatchListChanges()
        old = self._by_id
        new = {e.run_id: e for e in entries}
        changes = WatchListChanges(
            added=tuple(e for e in entries if e.run_id not in old),
            removed=tuple(rid for rid in old if rid not in new),
            relabelled=tuple(
                e for e in entries if e.run_id in old and old[e.run_id].label != e.label
            ),
        )
        self._entries, self._by_id, self._pos = list(entries), new, None
        return changes

    def unsaved_changes(self) -> int:
        """How many runs differ from the file as last read or written (added, removed,
        relabelled or with a newer status)."""
        base, mine = self._base, self._by_id
        return sum(base.get(rid) != e for rid, e in mine.items()) + sum(
            rid not in mine for rid in base
        )

    # ---- reading -------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[WatchEntry]:
        return iter(list(self._entries))

    def __contains__(self, run_id: object) -> bool:
        return isinstance(run_id, str) and run_id in self._by_id

    @property
    def entries(self) -> tuple[WatchEntry, ...]:
        """The entries, in order."""
        return tuple(self._entries)

    @property
    def run_ids(self) -> list[str]:
        """The run IDs, in order."""
        return [e.run_id for e in self._entries]

    def get(self, run_id: str) -> WatchEntry | None:
        """The entry for a run, or None."""
        return self._by_id.get(run_id)

    def index(self, run_id: str) -> int:
        """The position of a run; ValueError if it is not in the list."""
        if run_id not in self._by_id:
            raise ValueError(f"{run_id} is not in the watch list")
        pos = self._pos
        if pos is None:
            # Rebuilt once after entries moved, then O(1) for every lookup until they move.
            pos = self._pos = {e.run_id: i for i, e in enumerate(self._entries)}
        return pos[run_id]

    # ---- changing ------------------------------------------------------------------------

    def add_text(self, text: str, label: str | None = None) -> list[str]:
        """Add every run ID found in `text` (IDs, lines, URLs); return those newly added.

        Raises `InvalidRunIdError` (quoting the text) when it holds no run ID.
        """
        added: list[str] = []
        for rid in parse_run_ids(text):
            if rid not in self._by_id:
                self._append(WatchEntry(rid, label))
                added.append(rid)
        return added

    def add(self, run_id: str, label: str | None = None) -> bool:
        """Append one run (validated); False if it was already there."""
        rid = validate_run_id(run_id)
        if rid in self._by_id:
            return False
        self._append(WatchEntry(rid, label))
        return True

    def insert(self, index: int, entry: WatchEntry) -> None:
        """Put an entry back at `index` (undo of `remove`); replaces one with the same ID.

        `index` counts positions without the replaced entry, as `list.insert` does.
        """
        if entry.run_id in self._by_id:
            old = self.index(entry.run_id)
            if old == _clamp(index, len(self._entries) - 1):
                self._replace(old, entry)  # same place: nothing moves
                return
            self.remove(entry.run_id)
        if _clamp(index, len(self._entries)) == len(self._entries):
            self._append(entry)
            return
        self._entries.insert(index, entry)
        self._by_id[entry.run_id] = entry
        self._pos = None

    def remove(self, run_id: str) -> tuple[int, WatchEntry]:
        """Remove a run; return where it was and the entry, for undo."""
        i = self.index(run_id)
        entry = self._entries.pop(i)
        del self._by_id[run_id]
        if self._pos is not None:
            del self._pos[run_id]
            if i != len(self._entries):
                self._pos = None  # the entries after it moved up
        return i, entry

    def move(self, run_id: str, index: int) -> None:
        """Move a run to another position."""
        _, entry = self.remove(run_id)
        self.insert(index, entry)

    def set_label(self, run_id: str, label: str | None) -> None:
        """Set or clear a run's label."""
        i = self.index(run_id)
        self._replace(i, replace(self._entries[i], label=label or None))

    def record_status(self, run_id: str, status: str, seen: datetime) -> bool:
        """Remember the status seen for a run and when; True if the status changed."""
        i = self.index(run_id)
        entry = self._entries[i]
        text = str(status)
        # Whole seconds: the file needs no more, and a cycle's thousands of changes then
        # share one encoded time (see `entry_tail`).
        seen = seen.replace(microsecond=0)
        # Built directly, not with `dataclasses.replace` (3x slower): the app records
        # every status change of a 10,000-run poll cycle in one frame.
        self._replace(i, WatchEntry(run_id, entry.label, text, seen))
        return entry.last_status != text

    def _append(self, entry: WatchEntry) -> None:
        if self._pos is not None:
            self._pos[entry.run_id] = len(self._entries)
        self._entries.append(entry)
        self._by_id[entry.run_id] = entry

    def _replace(self, i: int, entry: WatchEntry) -> None:
        """Put `entry` at position `i`, over the entry with the same ID."""
        self._entries[i] = entry
        self._by_id[entry.run_id] = entry


def _clamp(index: int, length: int) -> int:
    """Where `list.insert(index, x)` puts x in a list of `length` items."""
    if index < 0:
        index += length
    return min(max(index, 0), length)


def _parse(raw: bytes) -> list[WatchEntry]:
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ValueError("is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"is not valid JSON (line {exc.lineno}: {exc.msg})") from None
    if not isinstance(data, dict) or "version" not in data:
        raise ValueError("is not a nekt-tui watch list (no version)")
    if type(data["version"]) is not int or data["version"] != FORMAT_VERSION:
        raise ValueError(
            f"has format version {data['version']!r}, this nekt-tui reads {FORMAT_VERSION}"
        )
    runs = data.get("runs")
    if not isinstance(runs, list):
        raise ValueError("has no list of runs")
    entries: list[WatchEntry] = []
    seen: set[str] = set()
    for item in runs:
        try:
            entry = WatchEntry.from_json(item)
        except ValueError as exc:
            raise ValueError(f"has a bad entry: {exc}") from None
        if entry.run_id not in seen:
            seen.add(entry.run_id)
            entries.append(entry)
    return entries


def _move_aside(path: Path) -> Path:
    """Rename `path` to `<name>.bak` (or `.bak.1`, `.bak.2`, …: never over a backup)."""
    for n in range(1000):
        backup = path.with_name(path.name + (".bak" if n == 0 else f".bak.{n}"))
        try:
            os.link(path, backup)  # fails if `backup` exists: no clobbering, no race
        except FileExistsError:
            continue
        except OSError:
            if backup.exists():
                continue
            os.rename(path, backup)  # no hard links here (some filesystems)
            return backup
        os.unlink(path)
        return backup
    raise OSError(f"too many backups next to {path}")


__all__ = [
    "FORMAT_VERSION",
    "STATE_ENV",
    "WatchEntry",
    "WatchList",
    "WatchListChanges",
    "WatchListError",
    "atomic_write",
    "default_state_path",
    "resolve_state_path",
]
