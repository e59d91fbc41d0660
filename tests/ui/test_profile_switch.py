"""Switching profile in the running app: the palette offers each other profile; switching
saves the old list, opens the profile's own, and polls it with that profile's URL and key."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from nekt_tui.clock import FakeClock
from nekt_tui.config import load_config
from nekt_tui.ui.factory import build_app
from nekt_tui.watch.watchlist import WatchList
from tests.conftest import SimServer, isolate, start_sim_server

from .conftest import advance, until_started


@pytest.fixture(scope="module")
def workspaces() -> Iterator[tuple[SimServer, SimServer]]:
    """Two simulators, each accepting only its own key, with different runs."""
    staging = start_sim_server("--key", "staging-key-1")
    production = start_sim_server("--key", "production-key-2", "--seed", "7", "--runs", "3")
    yield staging, production
    staging.stop()
    production.stop()


def saved_ids(path: Path) -> list[str]:
    return [entry.run_id for entry in WatchList.load(path).entries]


async def palette(pilot: Pilot[Any], text: str) -> list[str]:
    """Open the palette, type `text`; the titles offered."""
    await pilot.press("ctrl+p")
    await pilot.press(*text)
    await pilot.app.workers.wait_for_complete()  # the palette searches in a worker
    await pilot.pause()
    from textual.command import CommandList

    options = pilot.app.screen.query_one(CommandList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_switching_profile_changes_the_list_the_url_and_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workspaces: tuple[SimServer, SimServer]
) -> None:
    staging, production = workspaces
    isolate(tmp_path, monkeypatch)  # NEKT_TUI_STATE: state.json, so state-NAME.json each
    config_file = tmp_path / "config.toml"
    config_file.write_text(
        f'default_profile = "staging"\n'
        f'[profiles.staging]\napi_url = "{staging.url}"\napi_key = "{staging.key}"\n'
        f'[profiles.prod]\napi_url = "{production.url}"\napi_key = "{production.key}"\n'
    )
    config_file.chmod(0o600)
    prod_list = WatchList.load(tmp_path / "state-prod.json")
    for run_id in production.run_ids[:2]:
        prod_list.add(run_id)
    prod_list.save()
    staging_run = staging.run_ids[0]

    config = load_config()
    assert config.profile == "staging"
    clock = FakeClock()
    app = build_app(
        config,
        demo=False,
        initial_text=staging_run,
        clock=clock,
        load_profile=lambda name: load_config({"profile": name}),
    )
    async with app.run_test(size=(140, 30)) as pilot:
        await until_started(pilot)
        await advance(pilot, clock, 1)
        assert app.model.get(staging_run) is not None
        assert app.model.rows[staging_run].run is not None  # fetched with staging's key
        assert "profile staging" in app.widgets.header.content.plain
        titles = await palette(pilot, "Switch profile")
        assert any("Switch profile: prod" in t for t in titles)
        assert not any("Switch profile: staging" in t for t in titles)  # the one in use
        await pilot.press("enter")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

        assert app.profiles is not None and app.profiles.current == "prod"
        assert set(app.model.rows) == set(production.run_ids[:2])
        assert app.scheduler is not None
        assert getattr(app.scheduler.source, "base_url", "").startswith(production.url)
        header = app.widgets.header.content.plain
        assert "profile prod" in header and production.url.split("//")[1] in header
        # The old list was saved before the switch, in staging's own file.
        assert saved_ids(tmp_path / "state-staging.json") == [staging_run]
        await advance(pilot, clock, 3)
        # Prod's runs are fetched: its key reached its URL (the other key is refused there).
        assert all(row.run is not None for row in app.model.rows.values())
        assert app.conn.kind.name == "LIVE"
    # Quitting saves prod's list in prod's file; staging's is untouched.
    assert saved_ids(tmp_path / "state-prod.json") == production.run_ids[:2]
    assert saved_ids(tmp_path / "state-staging.json") == [staging_run]


async def test_a_profile_without_a_key_is_refused_and_nothing_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workspaces: tuple[SimServer, SimServer]
) -> None:
    staging, _ = workspaces
    isolate(tmp_path, monkeypatch)
    config_file = tmp_path / "config.toml"
    config_file.write_text(
        f'[profiles.staging]\napi_url = "{staging.url}"\napi_key = "{staging.key}"\n'
        '[profiles.nokey]\napi_url = "http://127.0.0.1:9"\n'
    )
    config_file.chmod(0o600)
    clock = FakeClock()
    app = build_app(
        load_config({"profile": "staging"}),
        demo=False,
        initial_text=staging.run_ids[0],
        clock=clock,
        load_profile=lambda name: load_config({"profile": name}),
    )
    async with app.run_test(size=(140, 30)) as pilot:
        await until_started(pilot)
        app.switch_profile("nokey")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert app.profiles is not None and app.profiles.current == "staging"
        assert list(app.model.rows) == [staging.run_ids[0]]
        assert any("Profile nokey has no API key" in str(t.message) for t in app.toasts)
        assert "profile staging" in app.widgets.header.content.plain


async def test_a_list_that_cannot_be_saved_keeps_the_profile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workspaces: tuple[SimServer, SimServer]
) -> None:
    staging, production = workspaces
    isolate(tmp_path, monkeypatch)
    config_file = tmp_path / "config.toml"
    config_file.write_text(
        f'[profiles.staging]\napi_url = "{staging.url}"\napi_key = "{staging.key}"\n'
        'state_file = "' + str(tmp_path / "ro" / "list.json") + '"\n'
        f'[profiles.prod]\napi_url = "{production.url}"\napi_key = "{production.key}"\n'
    )
    config_file.chmod(0o600)
    (tmp_path / "ro").write_text("a file where the list's folder should be\n")
    clock = FakeClock()
    app = build_app(
        load_config({"profile": "staging"}),
        demo=False,
        initial_text=None,
        clock=clock,
        load_profile=lambda name: load_config({"profile": name}),
    )
    async with app.run_test(size=(140, 30)) as pilot:
        await until_started(pilot)
        app.add_runs([staging.run_ids[0]])  # kept in memory: its file cannot be written
        app.switch_profile("prod")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert app.profiles is not None and app.profiles.current == "staging"
        assert list(app.model.rows) == [staging.run_ids[0]]
        assert any("Not switching to profile prod" in str(t.message) for t in app.toasts)


async def test_a_served_page_offers_no_profile_switch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workspaces: tuple[SimServer, SimServer]
) -> None:
    staging, production = workspaces
    isolate(tmp_path, monkeypatch)
    config_file = tmp_path / "config.toml"
    config_file.write_text(
        f'[profiles.staging]\napi_url = "{staging.url}"\napi_key = "{staging.key}"\n'
        f'[profiles.prod]\napi_url = "{production.url}"\napi_key = "{production.key}"\n'
    )
    config_file.chmod(0o600)
    app = build_app(
        load_config({"profile": "staging"}),
        demo=False,
        initial_text=None,
        clock=FakeClock(),
        load_profile=lambda name: load_config({"profile": name}),
    )
    async with app.run_test(size=(140, 30)) as pilot:
        await until_started(pilot)
        titles = [c.title for c in app.get_system_commands(app.main)]
        assert "Switch profile: prod" in titles
        # In a browser (nekt-tui serve), the page stays on the profile it was served with.
        monkeypatch.setattr(type(app), "is_web", property(lambda _self: True))
        titles = [c.title for c in app.get_system_commands(app.main)]
        assert not any(t.startswith("Switch profile") for t in titles)
