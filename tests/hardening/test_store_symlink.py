"""A watch list kept behind a symbolic link (dotfiles, a synced folder): saves write through
the link to its target and the link survives; a dangling or looping link is one clear line,
and is never replaced by a plain file."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from textual.widgets import Static

from nekt_tui.config import Config
from nekt_tui.ui.factory import build_app
from nekt_tui.ui.state.store import RunStore
from nekt_tui.watch.watchlist import WatchEntry, WatchList, WatchListError

RUN_A = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
RUN_B = "11111111-2222-4333-8444-555555555555"


def in_file(path: Path) -> list[str]:
    return [run["run_id"] for run in json.loads(path.read_text())["runs"]]


def test_a_save_writes_through_the_link_and_the_link_survives(tmp_path: Path) -> None:
    target = tmp_path / "dotfiles" / "nekt" / "watchlist.json"
    WatchList(target, [WatchEntry(RUN_A)]).save()
    state = tmp_path / "state"
    state.mkdir()
    link = state / "watchlist.json"
    hop = state / "hop.json"
    hop.symlink_to(os.path.relpath(target, state))  # a relative link, then a link to it
    link.symlink_to("hop.json")
    wl = WatchList.load(link)
    assert wl.run_ids == [RUN_A] and wl.message is None
    wl.add(RUN_B)
    wl.save()
    assert link.is_symlink() and os.readlink(link) == "hop.json"
    assert hop.is_symlink()
    assert in_file(target) == [RUN_A, RUN_B]
    assert WatchList.load(link).run_ids == [RUN_A, RUN_B]
    # The temp file was renamed in the target's folder; the lock sits beside the target.
    assert sorted(p.name for p in target.parent.iterdir()) == [
        "watchlist.json",
        "watchlist.json.lock",
    ]
    assert sorted(p.name for p in state.iterdir()) == ["hop.json", "watchlist.json"]


def test_a_dangling_link_is_one_line_and_never_replaced(tmp_path: Path) -> None:
    link = tmp_path / "watchlist.json"
    gone = tmp_path / "moved-away" / "watchlist.json"
    link.symlink_to(gone)
    wl = WatchList.load(link)
    assert len(wl) == 0
    assert wl.message == (
        f"watch list {link} is a symbolic link to {gone}, which does not exist; "
        "create it or remove the link; starting with an empty list"
    )
    store = RunStore(wl)
    store.add(RUN_A)
    saved = store.save()
    assert saved.failed and saved.notice == (
        f"watch list not saved to {link}: {link} is a symbolic link to {gone}, which does not "
        "exist; create it or remove the link; your changes are kept in memory until it can be"
    )
    assert link.is_symlink() and not gone.exists()
    gone.parent.mkdir()
    gone.write_text(json.dumps({"version": 1, "runs": [{"run_id": RUN_B}]}))
    assert store.save().notice == f"watch list saved to {link} again"  # once it is fixed
    assert link.is_symlink() and in_file(gone) == [RUN_B, RUN_A]


def test_a_link_loop_is_one_line_and_never_replaced(tmp_path: Path) -> None:
    link = tmp_path / "watchlist.json"
    other = tmp_path / "other.json"
    link.symlink_to(other)
    other.symlink_to(link)
    wl = WatchList.load(link)
    assert len(wl) == 0 and wl.recovered_from is None
    assert wl.message == (
        f"watch list {link} is a symbolic link that loops; fix or remove the link; "
        "starting with an empty list"
    )
    wl.add(RUN_A)
    with pytest.raises(WatchListError, match="loops"):
        wl.save()
    assert os.readlink(link) == str(other) and os.readlink(other) == str(link)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.json", "watchlist.json"]


async def test_the_app_says_a_dangling_link_at_start(tmp_path: Path) -> None:
    link = tmp_path / "watchlist.json"
    link.symlink_to(tmp_path / "nowhere.json")
    app = build_app(Config(api_key=None, state_file=link), demo=False, initial_text=None)
    async with app.run_test(size=(140, 30), notifications=True) as pilot:
        await pilot.pause()
        shown = [str(app.main.query_one("#notice", Static).render())] + [
            n.message for n in app.toasts
        ]
    said = [line for line in shown if "symbolic link" in line]
    assert len(said) == 1 and str(link) in said[0] and "nowhere.json" in said[0], shown
    assert link.is_symlink() and not (tmp_path / "nowhere.json").exists()
