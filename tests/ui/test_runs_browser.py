"""The recent-runs browser (h): against the in-process simulator, on a FakeClock."""

from __future__ import annotations

from nekt_tui.clock import FakeClock
from nekt_tui.simulator import World
from nekt_tui.ui.screens.main import MainScreen
from nekt_tui.ui.screens.runs_browser import PAGE_SIZE, RunsBrowserScreen

from .conftest import HOSTILE_SLUG, Sim, make_sim
from .test_pipelines_board import EVIL_SLUG, hostile_world, lines, open_list, until_read


def busy_world(clock: FakeClock) -> World:
    """The demo with enough older runs for three pages of the run list."""
    return World.demo(clock, background_runs=2 * PAGE_SIZE + 10)


def run_list_requests(sim: Sim) -> list[str]:
    """The paths of the run list's requests (not a run's own)."""
    return [r.path for r in sim.world.requests if r.path.rstrip("/") == "/api/v1/runs"]


async def test_browser_pages_on_when_the_cursor_reaches_the_end() -> None:
    sim = make_sim(busy_world, runs=[])
    async with sim.app.run_test(size=(120, 30)) as pilot:
        browser = await open_list(pilot, "h")
        assert isinstance(browser, RunsBrowserScreen)
        assert len(browser.listing.rows) == PAGE_SIZE and browser.more
        assert "more below" in browser.title_text()
        await pilot.press("end")
        browser = await until_read(pilot, 2)
        assert len(browser.listing.rows) == 2 * PAGE_SIZE
        assert len(run_list_requests(sim)) == 2
        # The cursor stayed where it was: the page came in below it.
        assert browser.table.cursor == PAGE_SIZE - 1
        await pilot.press("end")
        browser = await until_read(pilot, 3)
        assert not browser.more and "all read" in browser.title_text()
        count = len(browser.listing.rows)
        await pilot.press("up", "end")  # at the end again: nothing more to read
        await pilot.pause()
        assert len(run_list_requests(sim)) == 3 and len(browser.listing.rows) == count
        assert len({row.key for row in browser.listing.rows}) == count


async def test_space_selects_three_runs_and_a_watches_them_with_one_toast() -> None:
    sim = make_sim(runs=[])
    app = sim.app
    async with app.run_test(size=(120, 30)) as pilot:
        await sim.advance(pilot, 1)
        browser = await open_list(pilot, "h")
        keys = [row.key for row in browser.listing.view[:3]]
        app.clear_notifications()
        await pilot.press("space", "space", "space")
        await pilot.pause()
        assert browser.selection == set(keys)
        assert "3 selected" in browser.title_text()
        assert sum("▌" in line for line in lines(browser)) == 3
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, RunsBrowserScreen)  # a stays on the browser
        assert sorted(app.model.rows) == sorted(keys)
        assert [t.message for t in app.toasts] == ["Watching 3 more runs"]
        assert not browser.selection
        watched = [line for line in lines(browser) if line.endswith("watched")]
        assert len(watched) == 3


async def test_runs_already_watched_are_marked_and_enter_shows_one() -> None:
    sim = make_sim()  # every demo run is watched
    app = sim.app
    async with app.run_test(size=(120, 30)) as pilot:
        await sim.advance(pilot, 1)
        browser = await open_list(pilot, "h")
        rows = lines(browser)[1:]
        assert rows and all(line.endswith("watched") for line in rows)
        await pilot.press("slash", *"status:failed", "enter")
        await pilot.pause()
        row = browser.table.selected
        assert row is not None and row.run_id is not None
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert app.widgets.watch_list.selected == row.run_id
        assert len(app.model) == len(sim.world.run_ids)  # nothing added twice


async def test_enter_watches_a_run_not_watched_yet() -> None:
    sim = make_sim(runs=[])
    app = sim.app
    async with app.run_test(size=(120, 30)) as pilot:
        await open_list(pilot, "h")
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert len(app.model) == 1
        assert app.widgets.watch_list.selected == next(iter(app.model.rows))


async def test_a_403_run_list_is_one_line_and_the_watch_list_is_unchanged() -> None:
    sim = make_sim()
    sim.transport.app.list_errors["list"] = 403
    app = sim.app
    async with app.run_test(size=(120, 30)) as pilot:
        await sim.advance(pilot, 1)
        watched = list(app.model.rows)
        statuses = {run_id: app.model.rows[run_id].status for run_id in watched}
        browser = await open_list(pilot, "h")
        assert browser.problem == (
            "the runs list: the API key may not read it (HTTP 403); the watch list is unaffected"
        )
        assert not browser.listing.rows
        await pilot.press("a", "enter", "space")  # nothing to act on: nothing happens
        await pilot.press("escape")
        await sim.advance(pilot, 1)
        assert isinstance(app.screen, MainScreen)
        assert list(app.model.rows) == watched
        assert {r: app.model.rows[r].status for r in watched} == statuses
        assert not any(t.severity == "error" for t in app.toasts)


async def test_a_404_run_list_says_the_api_has_none() -> None:
    sim = make_sim(runs=[])
    sim.transport.app.list_errors["list"] = 404
    async with sim.app.run_test(size=(120, 30)) as pilot:
        browser = await open_list(pilot, "h")
        assert browser.problem == "the runs list is not available on this API (HTTP 404)"


async def test_hostile_pipeline_names_in_the_run_list_are_text() -> None:
    sim = make_sim(hostile_world, runs=[])
    app = sim.app
    async with app.run_test(size=(120, 30)) as pilot:
        await sim.advance(pilot, 10)
        browser = await open_list(pilot, "h")
        shown = "\n".join(lines(browser))
        assert HOSTILE_SLUG in shown
        assert "\x1b" not in shown and "\x07" not in shown
        assert EVIL_SLUG not in shown
        assert app.is_running


async def test_an_empty_run_list_says_so() -> None:
    sim = make_sim(lambda clock: World(seed=3, clock=clock, n_runs=0), runs=[])
    async with sim.app.run_test(size=(120, 30)) as pilot:
        browser = await open_list(pilot, "h")
        assert browser.problem == "The runs list is empty: no run to show yet"
        assert "more below" not in browser.title_text()
