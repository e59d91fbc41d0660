"""Switching profile in the running app: the watch list, the client and the key together.

No Textual here. `ProfileSwitcher.switch(name)` reads the profile's settings off the
event loop (its `api_key_cmd` may take seconds), then, in one step on the loop: saves the
current list, takes its runs off the engine, opens the profile's own list and points the
engine at a client with the profile's URL and key (the path a key typed with K takes).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from nekt_tui.api.errors import InvalidRunIdError
from nekt_tui.config import Config, ConfigError
from nekt_tui.ui.state.connection import ConnKind

if TYPE_CHECKING:
    from nekt_tui.ui.state.session import WatchSession
    from nekt_tui.ui.state.store import RunStore
    from nekt_tui.watch.engine import RunSource

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Place:
    """Where the app is connected, for the header: the host, the profile, read-only."""

    host: str
    profile: str | None
    read_only: bool


def host_of(url: str) -> str:
    """The host (and port) of an API URL, as the header shows it."""
    return urlsplit(url).netloc or url


class ProfileSwitcher:
    """The profiles of the config file, the one in use, and the switch between them.

    `load(name)` is the config with that profile chosen (the command line's flags still
    apply; it may raise ConfigError); `open_store(config)` opens its watch list;
    `make_source(config)` makes a client for a key with its URL and settings.
    """

    def __init__(
        self,
        session: WatchSession,
        config: Config,
        *,
        load: Callable[[str], Config],
        open_store: Callable[[Config], RunStore],
        make_source: Callable[[Config], Callable[[str], RunSource]],
    ) -> None:
        self.session = session
        self.names = config.profiles
        self.current = config.profile
        self.place = Place(host_of(config.api_url), config.profile, config.read_only)
        self._load = load
        self._open_store = open_store
        self._make_source = make_source

    def others(self) -> list[str]:
        """The profiles one can switch to (all but the one in use)."""
        return [name for name in self.names if name != self.current]

    async def switch(self, name: str) -> Config | None:
        """Switch to profile `name`; its config, or None after saying why not."""
        try:
            # Off the loop: an api_key_cmd (a password manager) may take seconds.
            config = await asyncio.to_thread(self._load, name)
        except ConfigError as exc:
            self.session.view.say(f"Cannot switch to profile {name}: {exc}", "error", 30)
            return None
        return config if self.apply(config) else None

    def apply(self, config: Config) -> bool:
        """Switch to `config` (a profile's): whether it was done (a profile without a
        key is refused, as polling its runs with the current key would send that key to
        another workspace)."""
        session, name = self.session, config.profile
        if config.api_key is None:
            session.view.say(
                f"Profile {name} has no API key: set api_key or api_key_cmd in its "
                f"[profiles.{name}] table (or NEKT_API_KEY); still on "
                f"{self.current or 'the top-level settings'}",
                "error",
                30,
            )
            return False
        session.save(follow=False)  # the old list first: nothing of it is lost
        unsaved = session.store.unsaved()
        if unsaved:  # its changes live only in memory: leaving would lose them
            session.view.say(f"Not switching to profile {name}: {unsaved}", "error", 30)
            return False
        self._drop_runs()
        session.store = self._open_store(config)
        self._load_runs()
        polling = session.polling()
        polling.interval, polling.waiting_interval = config.interval, config.waiting_interval
        session.scheduler.interval = config.interval
        session.scheduler.waiting_interval = config.waiting_interval
        session.read_only = config.read_only
        session.make_source = self._make_source(config)
        # The same path as a key typed with K: a new client, polling (re)started with it.
        session.set_key(config.api_key.reveal())
        self.current = name
        self.place = Place(host_of(config.api_url), name, config.read_only)
        log.info("switched to profile %s (%s)", name, self.place.host)
        if session.store.message:
            session.view.say(session.store.message, "warning", 30)
        session.view.say(f"Profile {name}: {len(session.model)} runs on {self.place.host}")
        return True

    def _drop_runs(self) -> None:
        """Take every run off the model and the engine; undo and pending cancels go too
        (they belong to the other profile's list)."""
        session = self.session
        for run_id in list(session.model.rows):
            session.model.remove(run_id)
            if run_id in session.scheduler:
                session.scheduler.unwatch(run_id)
            session.reducer.forget(run_id)
        session.reducer.take()  # what the engine said about them is not drawn
        session.removed.clear()
        session.cancels_sent.clear()
        session.conn.kind, session.conn.message = ConnKind.CONNECTING, ""

    def _load_runs(self) -> None:
        """The new list's runs on the model (and on the engine, when it polls)."""
        session, saved = self.session, []
        for entry in session.store.entries():
            row = session.model.add(entry.run_id, entry.label, entry.status)
            if entry.status is not None:
                saved.append(row.run_id)
            if session.polling_live:
                try:
                    session.scheduler.watch(row.run_id, row.saved_status)
                except ValueError as exc:  # a hand-edited list with a bad ID
                    row.error = InvalidRunIdError(row.run_id)
                    log.warning("not watching %s: %s", row.run_id, exc)
        session.reducer.expect_away(saved)
