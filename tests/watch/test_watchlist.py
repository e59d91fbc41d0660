"""The watch list: adding from any text, order, atomic saves, and unusable files set aside."""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

import pytest

from nekt_tui.api.errors import InvalidRunIdError
from nekt_tui.watch import watchlist as wl_module
from nekt_tui.watch.watchlist import (
    WatchEntry,
    WatchList,
    WatchListError,
    default_state_path,
    resolve_state_path,
)
from tests.watch.conftest import RUN_A, RUN_B, RUN_C

SEEN = datetime(2026, 1, 15, 12, 30, tzinfo=timezone.utc)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "watchlist.json"


def saved(path: Path, *ids: str) -> WatchList:
    wl = WatchList.load(path)
    for rid in ids:
        wl.add(rid)
    wl.save()
    return wl


def test_missing_file_is_an_empty_list(path: Path) -> None:
    wl = WatchList.load(path)
    assert len(wl) == 0 and wl.message is None and wl.recovered_from is None
    assert not path.exists()


def test_round_trip_keeps_order_labels_and_last_status(path: Path) -> None:
    wl = WatchList.load(path)
    assert wl.add_text(f"{RUN_B}\n{RUN_A}") == [RUN_B, RUN_A]
    wl.set_label(RUN_A, "nightly load")
    wl.record_status(RUN_B, "running", SEEN)
    wl.save()
    again = WatchList.load(path)
    assert again.entries == (
        WatchEntry(RUN_B, None, "running", SEEN),
        WatchEntry(RUN_A, "nightly load", None, None),
    )
    assert again.message is None


def test_add_text_extracts_every_id_from_pasted_text(path: Path) -> None:
    wl = WatchList.load(path)
    text = (
        f"see https://app.nekt.ai/runs/{RUN_A.upper()}/ and {RUN_B}, {RUN_A}\nalso {RUN_C} {RUN_B}"
    )
    assert wl.add_text(text, label="batch") == [RUN_A, RUN_B, RUN_C]
    assert wl.add_text(RUN_A) == []  # already there: nothing added, no error
    assert wl.run_ids == [RUN_A, RUN_B, RUN_C]
    assert {e.label for e in wl} == {"batch"}


def test_add_text_without_an_id_quotes_the_text(path: Path) -> None:
    wl = WatchList.load(path)
    with pytest.raises(InvalidRunIdError, match="no uuid here"):
        wl.add_text("no uuid here")
    with pytest.raises(InvalidRunIdError):
        wl.add("3c90c3cc-0d44")
    assert len(wl) == 0


def test_remove_and_insert_for_undo(path: Path) -> None:
    wl = WatchList.load(path)
    wl.add_text(f"{RUN_A} {RUN_B} {RUN_C}")
    wl.record_status(RUN_B, "failed", SEEN)
    index, entry = wl.remove(RUN_B)
    assert index == 1 and wl.run_ids == [RUN_A, RUN_C]
    wl.insert(index, entry)
    assert wl.run_ids == [RUN_A, RUN_B, RUN_C] and wl.get(RUN_B) == entry
    wl.move(RUN_C, 0)
    assert wl.run_ids == [RUN_C, RUN_A, RUN_B]
    with pytest.raises(ValueError):
        wl.remove("11111111-1111-4111-8111-111111111111")


def test_record_status_says_whether_it_changed(path: Path) -> None:
    wl = WatchList.load(path)
    wl.add(RUN_A)
    assert wl.record_status(RUN_A, "running", SEEN)
    assert not wl.record_status(RUN_A, "running", SEEN)
    assert wl.record_status(RUN_A, "success", SEEN)


def test_crash_between_write_and_rename_leaves_the_old_file(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved(path, RUN_A)
    before = path.read_bytes()
    wl = WatchList.load(path)
    wl.add(RUN_B)

    def crash(*_args: object) -> None:
        raise OSError("simulated crash before the rename")

    monkeypatch.setattr(wl_module.os, "replace", crash)
    with pytest.raises(OSError, match="simulated crash"):
        wl.save()
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert WatchList.load(path).run_ids == [RUN_A]
    # No temp file left; the lock file that orders saves of several instances stays.
    assert sorted(p.name for p in path.parent.iterdir()) == [
        "watchlist.json",
        "watchlist.json.lock",
    ]


def test_save_is_written_fsynced_and_renamed(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        calls.append("fsync")
        real_fsync(fd)

    def replace(src: str, dst: str) -> None:
        calls.append("replace")
        real_replace(src, dst)

    monkeypatch.setattr(wl_module.os, "fsync", fsync)
    monkeypatch.setattr(wl_module.os, "replace", replace)
    saved(path, RUN_A)
    # The file's data before the rename, the folder's entry after it.
    assert calls == ["fsync", "replace", "fsync"]
    assert oct(path.stat().st_mode & 0o777) == oct(0o600)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe\x00", "not UTF-8"),
        (b"[]", "no version"),
        (json.dumps({"version": 99, "runs": []}).encode(), "format version 99"),
        (json.dumps({"version": True, "runs": []}).encode(), "format version True"),
        (json.dumps({"version": 1, "runs": {}}).encode(), "no list of runs"),
        (json.dumps({"version": 1, "runs": [{"run_id": "nope"}]}).encode(), "bad entry"),
        (json.dumps({"version": 1, "runs": [{"run_id": RUN_A, "label": 3}]}).encode(), "label"),
    ],
)
def test_unusable_file_is_set_aside_and_reported(path: Path, content: bytes, problem: str) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    wl = WatchList.load(path)
    assert len(wl) == 0
    backup = path.with_name("watchlist.json.bak")
    assert wl.recovered_from == backup
    assert backup.read_bytes() == content
    assert not path.exists()
    assert wl.message is not None and problem in wl.message and str(backup) in wl.message
    wl.add(RUN_A)
    wl.save()  # the new list saves normally
    assert WatchList.load(path).run_ids == [RUN_A]


def test_existing_backups_are_never_overwritten(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.with_name("watchlist.json.bak").write_text("first")
    path.with_name("watchlist.json.bak.1").write_text("second")
    path.write_text("third, corrupt")
    wl = WatchList.load(path)
    assert wl.recovered_from == path.with_name("watchlist.json.bak.2")
    assert path.with_name("watchlist.json.bak").read_text() == "first"
    assert path.with_name("watchlist.json.bak.1").read_text() == "second"
    assert path.with_name("watchlist.json.bak.2").read_text() == "third, corrupt"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs POSIX permissions")
def test_unreadable_file_that_cannot_be_moved_is_never_saved_over(path: Path) -> None:
    saved(path, RUN_A)
    path.chmod(0o000)
    path.parent.chmod(0o500)
    try:
        wl = WatchList.load(path)
        assert len(wl) == 0 and wl.recovered_from is None
        assert wl.message is not None and "by hand" in wl.message
        with pytest.raises(WatchListError):
            wl.save()
    finally:
        path.parent.chmod(0o700)
        path.chmod(0o600)
    assert WatchList.load(path).run_ids == [RUN_A]


def test_corrupt_file_that_cannot_be_moved_is_never_saved_over(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path.parent.mkdir(parents=True)
    path.write_text("{corrupt")

    def refuse(_path: Path) -> Path:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(wl_module, "_move_aside", refuse)
    wl = WatchList.load(path)
    assert len(wl) == 0 and wl.recovered_from is None
    assert wl.message is not None and str(path) in wl.message and "Permission denied" in wl.message
    wl.add(RUN_A)
    with pytest.raises(WatchListError, match="by hand"):
        wl.save()
    assert path.read_text() == "{corrupt"


def test_state_file_never_holds_the_api_key(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = "nekt_sk_live_do_not_leak_0123456789"
    monkeypatch.setenv("NEKT_API_KEY", key)
    wl = saved(path, RUN_A, RUN_B)
    wl.record_status(RUN_A, "running", SEEN)
    wl.save()
    assert key not in path.read_text()
    assert set(json.loads(path.read_text())) == {"version", "runs"}


def test_state_path_resolution(tmp_path: Path) -> None:
    assert default_state_path().name == "watchlist.json"
    assert "nekt-tui" in str(default_state_path())
    env = {"NEKT_TUI_STATE": str(tmp_path / "env.json")}
    assert resolve_state_path(None, env) == tmp_path / "env.json"
    assert resolve_state_path(tmp_path / "cli.json", env) == tmp_path / "cli.json"
    assert resolve_state_path(None, {}) == default_state_path()
