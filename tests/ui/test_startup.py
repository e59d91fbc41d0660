"""Start-up: the screen is drawn first; the HTTP stack, the models and polling come after."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from nekt_tui.clock import FakeClock
from nekt_tui.config import Config
from nekt_tui.ui.factory import build_app
from nekt_tui.ui.state.store import RunStore, StoredRun
from nekt_tui.watch.engine import RunSource
from tests.app_parts import make_app

from .conftest import RUN_A, advance, until_started

#: What the first frame must not wait for: each costs 10-60 ms to import.
HEAVY = ("httpx", "pydantic", "croniter", "cron_descriptor")


@pytest.mark.parametrize("mode", ["demo", "real"])
def test_checking_the_config_and_building_the_app_load_neither_http_nor_the_models(
    mode: str, tmp_path: Path
) -> None:
    code = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from nekt_tui.config import Config, Secret
        from nekt_tui.ui.app import check_keys
        from nekt_tui.ui.factory import build_app, check_theme

        config = Config(api_key=Secret("k"), state_file=Path(sys.argv[1], "runs.json"))
        # What the command line checks first, then builds.
        check_theme(config.theme)
        check_keys(config.keys)
        build_app(config, demo={mode == "demo"}, initial_text={RUN_A!r})
        print(",".join(m for m in {HEAVY!r} if m in sys.modules) or "none")
        """
    )
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=60,
    )
    assert done.stdout.strip() == "none"


async def test_the_demo_connects_after_its_first_frame_and_polls() -> None:
    clock = FakeClock()
    app = build_app(Config(), demo=True, initial_text=None, clock=clock)
    async with app.run_test(size=(120, 30)) as pilot:
        await until_started(pilot)
        assert app.scheduler is not None
        await advance(pilot, clock, 3)
        assert all(row.run is not None for row in app.model.rows.values())


async def test_a_client_that_cannot_be_built_is_one_message_and_the_list_stays() -> None:
    def connect() -> RunSource:
        raise OSError("no certificates")

    app = make_app(
        connect=connect,
        clock=FakeClock(),
        store=RunStore.in_memory([StoredRun(RUN_A, "nightly", None)]),
        tick_interval=None,
    )
    async with app.run_test(size=(120, 30)) as pilot:
        await until_started(pilot)
        await pilot.pause()
        messages = [n.message for n in app.toasts]
        assert any("starting to poll" in m and "keeps running" in m for m in messages)
        assert RUN_A in app.model
        assert app.scheduler is None
        await pilot.press("question_mark")  # still answers keys
        await pilot.press("escape")
        assert app.is_running


async def test_the_collector_held_off_for_start_up_is_back_on_once_polling_starts() -> None:
    app = make_app(clock=FakeClock(), tick_interval=None)
    gc.disable()  # what `nekt-tui` does before the first frame
    try:
        async with app.run_test(size=(120, 30)) as pilot:
            await until_started(pilot)
            assert gc.isenabled()
    finally:
        gc.enable()
