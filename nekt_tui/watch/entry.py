"""One entry of the watch list, as the file stores it (shared by the list and its file I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from nekt_tui.api.ids import validate_run_id


@dataclass(frozen=True, slots=True)
class WatchEntry:
    """One watched run: its ID, an optional label, and the last status seen (and when)."""

    run_id: str
    label: str | None = None
    last_status: str | None = None
    last_seen: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        """The entry as stored in the file."""
        return {
            "run_id": self.run_id,
            "label": self.label,
            "last_status": self.last_status,
            "last_seen": self.last_seen.isoformat() if self.last_seen else None,
        }

    @classmethod
    def from_json(cls, data: Any) -> WatchEntry:
        """Parse one stored entry; ValueError says what is wrong."""
        if not isinstance(data, dict):
            raise ValueError("an entry is not an object")
        run_id = validate_run_id(data.get("run_id", ""))
        label, status, seen = data.get("label"), data.get("last_status"), data.get("last_seen")
        for name, value in (("label", label), ("last_status", status), ("last_seen", seen)):
            if value is not None and not isinstance(value, str):
                raise ValueError(f"{name} of {run_id} is not a string")
        when = datetime.fromisoformat(seen) if seen else None
        if when is not None and when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        return cls(run_id, label, status, when)
