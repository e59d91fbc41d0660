"""A 10,000-run watch list: saved and loaded whole, and a save after a few status changes
encodes those entries only, so saving once a second never costs the whole list."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nekt_tui.watch import watchlist as watchlist_module
from nekt_tui.watch.entry import WatchEntry
from nekt_tui.watch.watchlist import WatchList
from nekt_tui.watch.watchlist_io import entry_line, entry_tail

N = 10_000
SEEN = datetime(2026, 1, 15, 12, 30, tzinfo=timezone.utc)


def _ids(n: int = N) -> list[str]:
    return [str(uuid.UUID(int=i + 1, version=4)) for i in range(n)]


def _count_encodes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every entry turned into file text, by run ID."""
    encoded: list[str] = []

    def counting_tail(entry: WatchEntry) -> str:
        encoded.append(entry.run_id)
        return entry_tail(entry)

    monkeypatch.setattr(watchlist_module, "entry_tail", counting_tail)
    return encoded


def test_10000_runs_save_and_load_back_in_order_with_labels_and_statuses(tmp_path: Path) -> None:
    path = tmp_path / "watchlist.json"
    ids = _ids()
    wl = WatchList.load(path)
    for rid in ids:
        wl.add(rid)
    wl.set_label(ids[7], 'nightly "quotes" ü')
    wl.record_status(ids[9_999], "failed", SEEN)
    wl.save()

    again = WatchList.load(path)
    assert again.run_ids == ids
    assert again.get(ids[7]) == WatchEntry(ids[7], 'nightly "quotes" ü')
    assert again.get(ids[9_999]) == WatchEntry(ids[9_999], None, "failed", SEEN)
    # Still one JSON document a person can read: one run per line.
    text = path.read_text(encoding="utf-8")
    assert json.loads(text)["version"] == 1
    assert len(text.splitlines()) >= N


def test_a_save_after_a_few_status_changes_encodes_only_those_entries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "watchlist.json"
    ids = _ids()
    wl = WatchList.load(path)
    for rid in ids:
        wl.add(rid)
    wl.save()
    encoded = _count_encodes(monkeypatch)
    for rid in ids[100:103]:
        wl.record_status(rid, "success", SEEN)
    wl.save()
    assert sorted(encoded) == sorted(ids[100:103])
    assert WatchList.load(path).get(ids[101]) == WatchEntry(ids[101], None, "success", SEEN)


def test_an_empty_list_saves_as_an_empty_list(tmp_path: Path) -> None:
    path = tmp_path / "watchlist.json"
    WatchList.load(path).save()
    assert json.loads(path.read_text(encoding="utf-8")) == {"version": 1, "runs": []}
    assert len(WatchList.load(path)) == 0


@given(
    st.builds(
        WatchEntry,
        st.sampled_from(_ids(3)),
        st.none() | st.text(),
        st.none() | st.text(),
        st.none() | st.datetimes(timezones=st.just(timezone.utc)),
    )
)
def test_a_line_of_the_file_is_the_json_of_its_entry(entry: WatchEntry) -> None:
    assert json.loads(entry_line(entry)) == entry.to_json()
    assert "\n" not in entry_line(entry)


def test_saving_a_list_nobody_else_changed_since_it_was_loaded_reads_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "watchlist.json"
    first = WatchList.load(path)
    for rid in _ids():
        first.add(rid)
    first.save()
    parsed: list[int] = []
    parse = watchlist_module._parse

    def counting(raw: bytes) -> list[WatchEntry]:
        parsed.append(len(raw))
        return parse(raw)

    monkeypatch.setattr(watchlist_module, "_parse", counting)
    again = WatchList.load(path)  # the next session
    again.record_status(_ids()[0], "success", SEEN)
    again.save()
    assert len(parsed) == 1  # the load only: the save knew the file was as it read it
    assert WatchList.load(path).get(_ids()[0]) == WatchEntry(_ids()[0], None, "success", SEEN)


def test_a_list_changed_by_another_instance_after_it_was_loaded_is_merged(tmp_path: Path) -> None:
    path = tmp_path / "watchlist.json"
    ids = _ids(3)
    first = WatchList.load(path)
    first.add(ids[0])
    first.save()
    mine = WatchList.load(path)
    theirs = WatchList.load(path)
    theirs.add(ids[1])
    theirs.save()
    mine.add(ids[2])
    changes = mine.save()
    assert [e.run_id for e in changes.added] == [ids[1]]
    assert WatchList.load(path).run_ids == [ids[0], ids[1], ids[2]]
