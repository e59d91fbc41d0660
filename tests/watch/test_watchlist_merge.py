"""Two instances on one watch list: each save lays its own changes over the file as it is."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from nekt_tui.watch.watchlist import WatchEntry, WatchList
from tests.watch.conftest import RUN_A, RUN_B, RUN_C

RUN_D = "dddddddd-1111-4222-8333-444444444444"
RUN_E = "eeeeeeee-1111-4222-8333-444444444444"
SEEN = datetime(2026, 1, 15, 12, 30, tzinfo=timezone.utc)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    path = tmp_path / "watchlist.json"
    WatchList(path, [WatchEntry(RUN_A), WatchEntry(RUN_B)]).save()
    return path


def in_file(path: Path) -> list[str]:
    return [run["run_id"] for run in json.loads(path.read_text())["runs"]]


def test_adds_of_both_instances_survive_and_a_removal_stays(path: Path) -> None:
    a, b = WatchList.load(path), WatchList.load(path)
    a.add(RUN_C)
    a.save()
    b.add(RUN_D)
    b.save()
    assert in_file(path) == [RUN_A, RUN_B, RUN_C, RUN_D]
    a.remove(RUN_C)
    a.save()
    assert in_file(path) == [RUN_A, RUN_B, RUN_D]
    # B never touched C: its next save (a status update) does not bring C back.
    b.record_status(RUN_A, "running", SEEN)
    b.save()
    assert in_file(path) == [RUN_A, RUN_B, RUN_D]
    assert b.run_ids == [RUN_A, RUN_B, RUN_D]


def test_a_save_takes_in_what_the_other_instance_changed(path: Path) -> None:
    a, b = WatchList.load(path), WatchList.load(path)
    b.add(RUN_C)
    b.remove(RUN_A)
    b.set_label(RUN_B, "from b")
    b.save()
    a.add(RUN_D)
    changes = a.save()
    assert a.run_ids == [RUN_B, RUN_C, RUN_D]
    assert [e.run_id for e in changes.added] == [RUN_C]
    assert changes.removed == (RUN_A,)
    assert [(e.run_id, e.label) for e in changes.relabelled] == [(RUN_B, "from b")]
    assert a.get(RUN_B) == WatchEntry(RUN_B, "from b")
    assert not a.save()  # nothing new the second time


def test_labels_last_change_wins_per_run(path: Path) -> None:
    a, b = WatchList.load(path), WatchList.load(path)
    a.set_label(RUN_A, "a's label")
    a.set_label(RUN_B, "a's other")
    a.save()
    b.set_label(RUN_A, "b's label")
    b.save()
    again = WatchList.load(path)
    assert again.get(RUN_A) == WatchEntry(RUN_A, "b's label")
    assert again.get(RUN_B) == WatchEntry(RUN_B, "a's other")  # B left it alone
    a.record_status(RUN_B, "running", SEEN)  # A saves again without touching A's label
    a.save()
    assert WatchList.load(path).get(RUN_A) == WatchEntry(RUN_A, "b's label")
    assert a.get(RUN_A) == WatchEntry(RUN_A, "b's label")


def test_the_status_seen_last_is_kept(path: Path) -> None:
    a, b = WatchList.load(path), WatchList.load(path)
    b.record_status(RUN_A, "success", SEEN + timedelta(minutes=5))
    b.save()
    a.record_status(RUN_A, "running", SEEN)  # older news, saved later
    a.save()
    assert WatchList.load(path).get(RUN_A) == WatchEntry(
        RUN_A, None, "success", SEEN + timedelta(minutes=5)
    )


def test_a_run_added_elsewhere_keeps_its_place(path: Path) -> None:
    a, b = WatchList.load(path), WatchList.load(path)
    b.insert(1, WatchEntry(RUN_C))
    b.save()
    a.add(RUN_D)
    a.move(RUN_B, 0)
    a.save()
    assert in_file(path) == [RUN_B, RUN_A, RUN_C, RUN_D]


def test_both_adding_the_same_run_keeps_one_with_the_label(path: Path) -> None:
    a, b = WatchList.load(path), WatchList.load(path)
    b.add(RUN_E, "b")
    b.save()
    a.add(RUN_E)
    a.save()
    assert in_file(path) == [RUN_A, RUN_B, RUN_E]
    assert WatchList.load(path).get(RUN_E) == WatchEntry(RUN_E, "b")


def test_unsaved_changes_are_counted_against_the_file(path: Path) -> None:
    a = WatchList.load(path)
    assert a.unsaved_changes() == 0
    a.add(RUN_C)
    a.remove(RUN_A)
    a.set_label(RUN_B, "x")
    assert a.unsaved_changes() == 3
    a.save()
    assert a.unsaved_changes() == 0


def test_a_file_deleted_by_hand_gets_this_list(path: Path) -> None:
    a = WatchList.load(path)
    path.unlink()
    a.add(RUN_C)
    a.save()
    assert in_file(path) == [RUN_A, RUN_B, RUN_C]


def test_a_file_broken_meanwhile_is_set_aside_and_said(path: Path) -> None:
    a = WatchList.load(path)
    path.write_text("{broken")
    a.add(RUN_C)
    changes = a.save()
    assert in_file(path) == [RUN_A, RUN_B, RUN_C]
    backup = path.with_name("watchlist.json.bak")
    assert backup.read_text() == "{broken"
    assert changes.note is not None and str(backup) in changes.note
