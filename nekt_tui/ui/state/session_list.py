"""The watch session's commands on the list itself: add, remove, undo, label.

No Textual here. `WatchSession` mixes `ListCommands` in: each command changes the model,
the saved list and the engine together, saves, and says what it did in one line.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from nekt_tui.ui.state.model import Row, clean_label

if TYPE_CHECKING:
    from nekt_tui.ui.state.model import WatchModel
    from nekt_tui.ui.state.ports import NullScheduler, SessionView
    from nekt_tui.ui.state.reactions import EventReducer
    from nekt_tui.ui.state.store import RunStore
    from nekt_tui.watch.scheduler import Scheduler


class ListCommands:
    """Add, remove (one, the marked, the finished), undo and label (mixed into `WatchSession`)."""

    if TYPE_CHECKING:
        # What `WatchSession` provides: set in its __init__ or defined there.
        model: WatchModel
        store: RunStore
        scheduler: Scheduler | NullScheduler
        reducer: EventReducer
        view: SessionView
        removed: list[list[tuple[Row, int | None]]]

        def save(self, *, follow: bool = True) -> None: ...

    def add(self, run_ids: Sequence[str], *, note: str | None = None) -> list[str]:
        """Watch these runs (new ones only), save the list; the ones added (`note`: the
        toast instead of "Watching N more runs")."""
        new = [run_id for run_id in dict.fromkeys(run_ids) if run_id not in self.model]
        if not new:
            return []
        for run_id in new:
            self.model.add(run_id)
            self.store.add(run_id)
            self.scheduler.watch(run_id)
        self.save()
        self.view.say(note or f"Watching {len(new)} more run{'s' if len(new) > 1 else ''}")
        return new

    def remove(self, *run_ids: str) -> list[Row]:
        """Stop watching these runs (one undo brings them all back); the rows removed."""
        removed = []
        for run_id in run_ids:
            row = self.model.remove(run_id)
            if row is None:
                continue
            index = self.store.remove(run_id)
            if run_id in self.scheduler:
                self.scheduler.unwatch(run_id)
            self.reducer.forget(run_id)
            removed.append((row, index))
        if not removed:
            return []
        self.removed.append(removed)
        self.save()
        said = removed[0][0].title if len(removed) == 1 else f"{len(removed)} runs"
        self.view.say(f"Removed {said} (u undoes)")
        return [row for row, _ in removed]

    def remove_marked(self, cursor: str | None) -> list[Row]:
        """Remove the marked runs (hidden by the filter too), else the `cursor` run."""
        marked = self.model.marked()
        if marked:
            return self.remove(*marked)
        return self.remove(cursor) if cursor is not None else []

    def remove_finished(self) -> list[Row]:
        """Remove every run that ended (succeeded, failed or canceled): one undo."""
        finished = self.model.finished()
        if not finished:
            self.view.say("No finished runs to remove")
        return self.remove(*finished)

    def undo(self) -> Row | None:
        """Bring back the last removal, each run in its old place; its first row (None:
        nothing to undo)."""
        if not self.removed:
            self.view.say("Nothing to undo")
            return None
        # Last removed first: each saved place was taken with the ones before it gone.
        restored = [row for row, index in reversed(self.removed.pop()) if self._restore(row, index)]
        if restored:
            self.save()
            said = restored[0].title if len(restored) == 1 else f"{len(restored)} runs"
            self.view.say(f"Restored {said}")
        return min(restored, key=lambda row: row.seq, default=None)

    def _restore(self, row: Row, index: int | None) -> bool:
        if row.run_id in self.model:  # added again since (with a, or by another instance)
            return False
        self.model.restore(row)
        self.store.add(row.run_id, row.label, row.status, index)
        self.scheduler.watch(row.run_id, row.status)
        if row.paused:
            self.scheduler.pause(row.run_id)
        return True

    def label(self, run_id: str, text: str | None) -> Row | None:
        """Set (or with "" clear) a run's label and save; the row when it changed."""
        row = self.model.get(run_id)
        if text is None or row is None:  # cancelled, or removed while the dialog was open
            return None
        label = clean_label(text)
        if label == row.label:
            return None
        row.label = label
        row.touch()
        self.store.set_label(run_id, label)
        self.save()
        self.view.say(f"Labelled {row.title}" if label else f"Label cleared: {row.title}")
        return row
