"""The app's handle on the saved watch list: what to load, and what to write back.

Wraps the engine's `WatchList` (atomic saves merged with other instances' changes, an
unusable file set aside, never lost); `in_memory()` keeps the same interface without ever
writing, for tests and the demo. A save that fails is not raised: `save()` returns what to
tell the user (a line when the reason is new, another when saving works again), the
changes stay in memory, and `unsaved()` is the line to print when the app quits with them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from nekt_tui.api.enums import RunStatus, UnknownValue
from nekt_tui.ui.state.status import as_status
from nekt_tui.watch.watchlist import WatchEntry, WatchList, WatchListChanges, WatchListError
from nekt_tui.watch.watchlist_io import failure_reason

if TYPE_CHECKING:
    from nekt_tui.ui.state.model import WatchModel

#: The exit status of the app when it quits with watch-list changes it could not save.
EXIT_UNSAVED = 1


#: Seconds between saves of statuses alone, per watched run, between one second and
#: `STATUS_SAVE_MAX`: each save writes the whole file (10,000 runs: a megabyte and 30 ms
#: of the event loop), so a big list saves every ten seconds, not every second. Losing a
#: few seconds of statuses to a crash only makes the next start fetch them again.
STATUS_SAVE_PER_RUN = 0.001
STATUS_SAVE_MAX = 30.0


def status_save_every(runs: int) -> float:
    """Seconds between saves of statuses alone for a list of `runs` runs."""
    return min(STATUS_SAVE_MAX, max(1.0, STATUS_SAVE_PER_RUN * runs))


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


@dataclass(frozen=True)
class Saved:
    """What a save means for the app: runs other instances added, removed or relabelled
    (to show), and `notice`, a line to show now (None: nothing new to say)."""

    added: tuple[StoredRun, ...] = ()
    removed: tuple[str, ...] = ()
    relabelled: tuple[StoredRun, ...] = ()
    notice: str | None = None
    #: True when `notice` says the save failed (an error), False for good news.
    failed: bool = False


class RunStore:
    """Ordered saved runs; `save()` writes them atomically (never, when in memory)."""

    def __init__(self, watchlist: WatchList, *, persist: bool = True) -> None:
        self.watchlist = watchlist
        self.persist = persist
        self.saves = 0
        #: Why the last save failed (None: it worked, or none was tried).
        self.problem: str | None = None

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

    def save(self) -> Saved:
        """Write the list atomically, merged with the file as other instances left it.

        Never raises for a list that cannot be written: the changes stay in memory, and
        the returned `notice` says where and why, once per new reason.
        """
        self.saves += 1
        if not self.persist:
            return Saved()
        path = self.watchlist.path
        try:
            changes = self.watchlist.save()
        except (OSError, WatchListError) as exc:
            reason = failure_reason(exc, path)
            if reason == self.problem:
                return Saved(failed=True)
            self.problem = reason
            return Saved(notice=self.problem_line(), failed=True)
        was, self.problem = self.problem, None
        notice = changes.note or (f"watch list saved to {path} again" if was else None)
        return self._saved(changes, notice)

    def problem_line(self) -> str | None:
        """The failure as shown in the app (None: the last save worked)."""
        if self.problem is None:
            return None
        return (
            f"watch list not saved to {self.watchlist.path}: {self.problem}; "
            "your changes are kept in memory until it can be"
        )

    def unsaved(self) -> str | None:
        """What to print when the app has closed with changes not saved (None: all saved)."""
        if not self.persist or self.problem is None:
            return None
        count = self.watchlist.unsaved_changes()
        if count == 0:
            return None
        changes = "1 change" if count == 1 else f"{count} changes"
        verb = "was" if count == 1 else "were"
        where = self.watchlist.path
        return f"{changes} to the watch list {verb} not saved to {where}: {self.problem}"

    @staticmethod
    def _saved(changes: WatchListChanges, notice: str | None) -> Saved:
        def stored(e: WatchEntry) -> StoredRun:
            return StoredRun(e.run_id, e.label, as_status(e.last_status))

        return Saved(
            tuple(stored(e) for e in changes.added),
            changes.removed,
            tuple(stored(e) for e in changes.relabelled),
            notice,
        )


class Watcher(Protocol):
    """The engine's commands `follow_elsewhere` uses (`Scheduler`, `NullScheduler`)."""

    def watch(self, run_id: str, last_status: RunStatus | UnknownValue | None = None) -> None:
        """Poll this run (its last known status given)."""
        ...

    def unwatch(self, run_id: str) -> None:
        """Stop polling this run."""
        ...

    def __contains__(self, run_id: object) -> bool: ...


def follow_elsewhere(
    saved: Saved,
    model: WatchModel,
    scheduler: Watcher,
    forget: Callable[[str], None],
) -> bool:
    """Show (and poll) the runs other instances added, drop those they removed, take their
    labels; True when the list on screen changed."""
    changed = False
    for run in saved.added:
        if run.run_id not in model:
            model.add(run.run_id, run.label, run.status)
            scheduler.watch(run.run_id, run.status)
            changed = True
    for run_id in saved.removed:
        if model.remove(run_id) is not None:
            if run_id in scheduler:
                scheduler.unwatch(run_id)
            forget(run_id)
            changed = True
    for run in saved.relabelled:
        row = model.get(run.run_id)
        if row is not None and row.label != run.label:
            row.label = run.label
            row.touch()
            changed = True
    return changed
