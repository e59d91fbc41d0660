"""Build the app from the configuration: the real API, or the in-process simulator (demo).

The UI never imports httpx: `NektClient` and `app_transport` keep it behind them, and
they are imported only when the app connects, after its first frame.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from textual.theme import BUILTIN_THEMES

from nekt_tui.api.ids import parse_run_ids
from nekt_tui.clock import Clock, SystemClock
from nekt_tui.config import Config
from nekt_tui.ui.app import AppOptions, NektApp
from nekt_tui.ui.state.following import FollowSettings
from nekt_tui.ui.state.ports import PollSettings
from nekt_tui.ui.state.session import WatchSession
from nekt_tui.ui.state.store import RunStore, StoredRun
from nekt_tui.watch.watchlist import WatchList

if TYPE_CHECKING:
    from nekt_tui.api.client import NektClient
    from nekt_tui.simulator import World

#: Where the demo's in-process client "connects" (nothing leaves the process).
DEMO_URL = "http://127.0.0.1:8765"


def check_theme(name: str) -> None:
    """Raise ValueError naming the known themes when `name` is not a Textual theme."""
    if name not in BUILTIN_THEMES:
        known = ", ".join(sorted(BUILTIN_THEMES))
        raise ValueError(f"unknown theme {name!r}; use one of: {known}")


def missing_key_message(config: Config) -> str:
    """What to do when there is no API key (shown in the app, not a traceback)."""
    where = config.config_file or "the config file"
    return (
        f"No API key: press K to enter one for this session, or set NEKT_API_KEY (or "
        f"api_key / api_key_cmd in {where}, chmod 600) and restart. "
        "To look around without an account: nekt-tui --demo"
    )


def build_app(
    config: Config,
    *,
    demo: bool,
    initial_text: str | None,
    clock: Clock | None = None,
    rng: random.Random | None = None,
    world: World | None = None,
    load_profile: Callable[[str], Config] | None = None,
) -> NektApp:
    """The app for `config`: the simulator's demo world when `demo`, else the real API.

    `initial_text` is any text holding run IDs (the command line's arguments): they are
    added to the watch list first. In demo mode the user's saved list is not touched.
    `clock` and `rng` (the scheduler's jitter) make a frozen, repeatable demo; `world`
    replaces the demo's world (tests count the requests it answered). `load_profile(name)`
    (the config with another profile chosen) lets the palette switch profile. `config.read_only`
    reaches the session (X says cancelling is off) and every client it makes (nothing
    but GETs is sent, whatever asks).
    """
    clock = clock or SystemClock()
    initial_ids = parse_run_ids(initial_text) if initial_text else []
    settings = PollSettings(
        config.interval,
        config.waiting_interval,
        config.concurrency,
        config.run_list,
        max_bandwidth=config.max_bandwidth,
    )
    follow = FollowSettings(
        config.follow, config.list_interval, config.follow_since, config.follow_max
    )

    def make(*, host: str, demo: bool = False, **backend: Any) -> NektApp:
        session = WatchSession(
            clock=clock,
            rng=rng,
            initial_ids=initial_ids,
            settings=settings,
            config_hint=str(config.config_file or "the config file"),
            read_only=config.read_only,
            follow=follow,
            **backend,
        )
        options = AppOptions(
            host=host,
            demo=demo,
            bell=config.bell,
            notify=config.notify,
            notify_cmd=config.notify_cmd,
            theme=config.theme,
            log_max_lines=config.log_max_lines,
            profile=None if demo else config.profile,
            list_interval=config.list_interval,
        )
        return NektApp(session, options)

    # The client (httpx, pydantic) is built by the app once its first frame is drawn.
    if demo:
        from nekt_tui.simulator import DEMO_KEY, World

        # With follow rules the demo starts with an empty list and older runs to find.
        if world is None:
            world = World.demo(clock, background_runs=40 if config.follow else 0)
        demo_clock, demo_world = clock, world

        def connect_demo() -> NektClient:
            from nekt_tui.api.client import NektClient
            from nekt_tui.simulator import app_transport

            transport = app_transport(demo_world, DEMO_KEY)
            return NektClient(
                DEMO_KEY,
                DEMO_URL,
                transport=transport,
                sleep=demo_clock.sleep,
                now=demo_clock.now,
                read_only=config.read_only,
            )

        demo_ids = () if config.follow else world.run_ids
        store = RunStore.in_memory(StoredRun(run_id, None, None) for run_id in demo_ids)
        return make(connect=connect_demo, store=store, host="simulator (in-process)", demo=True)
    store = open_store(config)
    host = urlsplit(config.api_url).netloc or config.api_url
    make_source = client_maker(config, clock)
    if config.api_key is None:
        app = make(
            store=store, host=host, problem=missing_key_message(config), make_source=make_source
        )
    else:
        key = config.api_key
        app = make(
            connect=lambda: make_source(key.reveal()),
            store=store,
            host=host,
            make_source=make_source,
        )
    if config.profiles and load_profile is not None:
        from nekt_tui.ui.state.profiles import ProfileSwitcher

        real_clock = clock
        app.profiles = ProfileSwitcher(
            app.session,
            config,
            load=load_profile,
            open_store=open_store,
            make_source=lambda other: client_maker(other, real_clock),
        )
    return app


def open_store(config: Config) -> RunStore:
    """The saved watch list of `config` (its profile's own file)."""
    return RunStore(WatchList.load(config.state_file))


def client_maker(config: Config, clock: Clock) -> Callable[[str], NektClient]:
    """Makes a client for a key, with `config`'s URL and limits (httpx imported then)."""

    def make_source(key: str) -> NektClient:
        from nekt_tui.api.client import NektClient

        return NektClient(
            key,
            config.api_url,
            sleep=clock.sleep,
            now=clock.now,
            max_response_bytes=config.max_response_mb << 20,
            read_only=config.read_only,
        )

    return make_source
