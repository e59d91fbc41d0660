"""The watch list's run-ID index: the same answers as a plain scan, in O(1) per lookup."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from nekt_tui.watch.watchlist import WatchEntry, WatchList

SEEN = datetime(2026, 1, 15, 12, 30, tzinfo=timezone.utc)
IDS = [f"{i:08x}-0000-4000-8000-000000000000" for i in range(6)]
PATH = Path("unused-watchlist.json")

# One operation: (name, run ID, position, text). Positions include negative and past-the-end.
ops = st.lists(
    st.tuples(
        st.sampled_from(["add", "insert", "remove", "move", "label", "status", "add_text"]),
        st.sampled_from(IDS),
        st.integers(-8, 8),
        st.sampled_from(["a", "b", ""]),
    ),
    max_size=40,
)


class Reference:
    """The watch list as it was before the index: a list scanned on every lookup."""

    def __init__(self, entries: list[WatchEntry]) -> None:
        self.entries: list[WatchEntry] = []
        for e in entries:
            if all(x.run_id != e.run_id for x in self.entries):
                self.entries.append(e)

    def index(self, rid: str) -> int:
        return [e.run_id for e in self.entries].index(rid)

    def apply(self, op: str, rid: str, pos: int, text: str) -> None:
        present = any(e.run_id == rid for e in self.entries)
        if op in ("add", "add_text"):
            if not present:
                self.entries.append(WatchEntry(rid, text or None))
        elif op == "insert":
            self.entries = [e for e in self.entries if e.run_id != rid]
            self.entries.insert(pos, WatchEntry(rid, text or None, "queued"))
        elif not present:
            return
        elif op == "remove":
            self.entries.pop(self.index(rid))
        elif op == "move":
            entry = self.entries.pop(self.index(rid))
            self.entries.insert(pos, entry)
        elif op == "label":
            i = self.index(rid)
            self.entries[i] = WatchEntry(rid, text or None, *self._rest(i))
        elif op == "status":
            i = self.index(rid)
            self.entries[i] = WatchEntry(rid, self.entries[i].label, text or "running", SEEN)

    def _rest(self, i: int) -> tuple[str | None, datetime | None]:
        return self.entries[i].last_status, self.entries[i].last_seen


def apply(wl: WatchList, op: str, rid: str, pos: int, text: str) -> None:
    if op == "add":
        wl.add(rid, text or None)
    elif op == "add_text":
        wl.add_text(f"see {rid}.", text or None)
    elif op == "insert":
        wl.insert(pos, WatchEntry(rid, text or None, "queued"))
    elif rid not in wl:
        return
    elif op == "remove":
        wl.remove(rid)
    elif op == "move":
        wl.move(rid, pos)
    elif op == "label":
        wl.set_label(rid, text or None)
    elif op == "status":
        wl.record_status(rid, text or "running", SEEN)


@settings(max_examples=300, deadline=None)
@given(
    start=st.lists(st.sampled_from(IDS), max_size=8),
    ops=ops,
)
def test_index_agrees_with_a_scan_after_any_changes(
    start: list[str], ops: list[tuple[str, str, int, str]]
) -> None:
    entries = [WatchEntry(rid) for rid in start]
    wl, ref = WatchList(PATH, entries), Reference(entries)
    for op in ops:
        apply(wl, *op)
        ref.apply(*op)
        # Look up after every step: a position map left stale by any change shows here.
        assert wl.entries == tuple(ref.entries)
        for rid in IDS:
            expected = next((e for e in ref.entries if e.run_id == rid), None)
            assert (rid in wl) == (expected is not None)
            assert wl.get(rid) == expected
            if expected is not None:
                assert wl.index(rid) == ref.index(rid)
    assert wl.run_ids == [e.run_id for e in ref.entries]


class CountingId(str):
    """A run ID that counts how often it is compared for equality."""

    compared = 0

    def __eq__(self, other: object) -> bool:
        CountingId.compared += 1
        return str.__eq__(self, other)

    __hash__ = str.__hash__


def test_lookups_do_not_scan_the_list() -> None:
    n = 2000
    ids = [f"{i:08x}-0000-4000-8000-000000000000" for i in range(n)]
    wl = WatchList(PATH, [WatchEntry(CountingId(rid)) for rid in ids])
    wl.remove(ids[0])  # positions move: the next lookup rebuilds them once
    CountingId.compared = 0
    for rid in ids[1:]:
        # What the UI does per status change: membership, then record (an index lookup).
        assert rid in wl
        assert wl.get(rid) is not None
        wl.record_status(rid, "running", SEEN)
        assert wl.index(rid) == int(rid[:8], 16) - 1
    # A scan compares about n/2 IDs per lookup (millions here); the index a few at most.
    assert CountingId.compared <= 8 * n


def test_duplicate_ids_given_to_the_constructor_keep_the_first() -> None:
    a, b = IDS[0], IDS[1]
    wl = WatchList(PATH, [WatchEntry(a, "first"), WatchEntry(b), WatchEntry(a, "second")])
    assert wl.run_ids == [a, b]
    assert wl.get(a) == WatchEntry(a, "first")


def test_non_string_is_never_contained() -> None:
    wl = WatchList(PATH, [WatchEntry(IDS[0])])
    assert [] not in wl and None not in wl and 1 not in wl
