"""The app's handle on the saved watch list: what to load, and what to write back.

Wraps the engine's `WatchList` (atomic saves, an unusable file set aside, never lost);
`in_memory()` keeps the same interface without ever writing, for tests and the demo.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from nekt_tui.api.enums import RunStatus, UnknownValue
from nekt_tui.ui.status_style import as_status
from nekt_tui.watch.watchlist import WatchEntry, WatchList


@dataclass(frozen=True)
class StoredRun:
    """One saved run."""

    run_id: str
    label: str | None
    status: RunStatus | UnknownValue | None


def _text(status: RunStatus | UnknownValue | None) -> str | None:
    if status is None:
        return None
    return status.value if isinstance(status, RunStatus) else str(status)


class RunStore:
    """Ordered saved runs; `save()` writes them atomically (never, when in memory)."""

    def __init__(self, watchlist: WatchList, *, persist: bool = True) -> None:
        self.watchlist = watchlist
        self.persist = persist
        self.saves = 0

    @classmethod
    def in_memory(cls, runs: Iterable[StoredRun] = ()) -> RunStore:
        """A store that is never written to disk."""
        entries = [WatchEntry(r.run_id, r.label, _text(r.status)) for r in runs]
        return cls(WatchList(Path("nekt-tui-in-memory.json"), entries), persist=False)

    @property
    def message(self) -> str | None:
        """What went wrong loading the file (it was set aside), for the user; else None."""
        return self.watchlist.message

    def entries(self) -> list[StoredRun]:
        """The saved runs, in order."""
        return [StoredRun(e.run_id, e.label, as_status(e.last_status)) for e in self.watchlist]

    def add(
        self,
        run_id: str,
        label: str | None = None,
        status: RunStatus | UnknownValue | None = None,
        index: int | None = None,
    ) -> None:
        """Add a run (back at `index` for an undo, else at the end)."""
        if index is None:
            self.watchlist.add(run_id, label)
            if status is not None:
                entry = self.watchlist.get(run_id)
                if entry is not None and entry.last_status is None:
                    self.watchlist.insert(
                        self.watchlist.index(run_id), WatchEntry(run_id, label, _text(status))
                    )
        else:
            self.watchlist.insert(index, WatchEntry(run_id, label, _text(status)))

    def remove(self, run_id: str) -> int | None:
        """Remove a run; returns where it was (for undo)."""
        if run_id not in self.watchlist:
            return None
        index, _ = self.watchlist.remove(run_id)
        return index

    def set_label(self, run_id: str, label: str | None) -> None:
        """Set or clear (None) a run's label; `save()` writes it."""
        if run_id in self.watchlist:
            self.watchlist.set_label(run_id, label)

    def set_status(self, run_id: str, status: RunStatus | UnknownValue, at: datetime) -> None:
        """Remember a run's latest status (compared with the first fetch next start)."""
        text = _text(status)
        if text is not None and run_id in self.watchlist:
            self.watchlist.record_status(run_id, text, at)

    def save(self) -> None:
        """Write the list atomically (raises `WatchListError`/`OSError` on failure)."""
        self.saves += 1
        if self.persist:
            self.watchlist.save()
