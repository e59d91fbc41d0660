"""The pipelines board (b): against the in-process simulator, on a FakeClock."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from textual.pilot import Pilot

from nekt_tui.clock import FakeClock
from nekt_tui.simulator import Faults, World
from nekt_tui.simulator.catalog import TriggerTemplate
from nekt_tui.ui.screens.list_screen import ListScreen
from nekt_tui.ui.screens.main import MainScreen
from nekt_tui.ui.screens.pipelines import PipelinesScreen

from .conftest import HOSTILE_SLUG, Sim, make_sim, until_started
from .test_logpanel_screen import screen_lines


async def open_list(pilot: Pilot[Any], key: str, reads: int = 1) -> ListScreen:
    """Press `key` on the dashboard and wait until its list has been read `reads` times."""
    await until_started(pilot)
    await pilot.press(key)
    return await until_read(pilot, reads)


async def until_read(pilot: Pilot[Any], reads: int) -> ListScreen:
    """Wait until the list screen on top has finished `reads` reads of its list."""
    for _ in range(500):
        screen = pilot.app.screen
        if isinstance(screen, ListScreen) and screen.reads >= reads and not screen.reading:
            await pilot.pause()
            return screen
        await pilot.pause()
    raise AssertionError(f"the list was not read {reads} times")


def lines(screen: ListScreen) -> list[str]:
    """The table's lines as drawn (header first), trailing blanks cut."""
    table = screen.table
    out = []
    for y in range(table.scrollable_content_region.height):
        text = "".join(segment.text for segment in table.render_line(y)).rstrip()
        if text:
            out.append(text)
    return out


def list_requests(sim: Sim) -> int:
    """Requests for the two pipeline lists."""
    return sum(
        1 for r in sim.world.requests if r.path.startswith(("/api/v1/sources", "/api/v1/trans"))
    )


async def test_board_shows_failed_and_running_pipelines_with_their_last_run() -> None:
    sim = make_sim(runs=[])
    async with sim.app.run_test(size=(120, 30)) as pilot:
        await sim.advance(pilot, 41)  # postgres-prod-to-catalog has failed
        board = await open_list(pilot, "b")
        shown = lines(board)
        assert shown[0].split()[:2] == ["pipeline", "type"]
        failed = next(line for line in shown if "postgres-prod-to-catalog" in line)
        assert failed.startswith("✖") and "failed" in failed and "1m ago" in failed
        running = next(line for line in shown if "hubspot-to-catalog" in line)
        assert running.startswith("●") and "running" in running and "source" in running
        # Failures first (the default sort), a cron trigger's next fire, an event trigger.
        assert shown[1].startswith("✖")
        assert "in 29m" in failed
        assert any(line.endswith("on event") for line in shown)
        assert board.problem == ""


async def test_board_filters_by_status_and_text_and_sorts_by_last_start() -> None:
    sim = make_sim(runs=[])
    async with sim.app.run_test(size=(120, 30)) as pilot:
        await sim.advance(pilot, 41)
        board = await open_list(pilot, "b")
        total = len(board.listing.rows)
        await pilot.press("slash", *"status:failed", "enter")
        await pilot.pause()
        rows = lines(board)[1:]
        assert rows and all(line.startswith("✖") for line in rows)
        assert f"{len(rows)} of {total}" in board.title_text()
        await pilot.press("slash", "ctrl+u", *"status:running hubspot", "enter")
        await pilot.pause()
        assert [line.split()[1] for line in lines(board)[1:]] == ["hubspot-to-catalog"]
        await pilot.press("slash", "ctrl+u", *"status:borked")
        await pilot.pause()
        assert board.problem.startswith("Unknown status borked")
        await pilot.press("escape")  # clears the filter
        await pilot.pause()
        assert len(lines(board)) == total + 1
        await pilot.press("s")
        await pilot.pause()
        assert "sorted by last start" in board.title_text()
        started = [row.started for row in board.listing.view if row.started is not None]
        assert started == sorted(started, reverse=True)
        assert lines(board)[1].split()[1] == board.listing.view[0].name


async def test_enter_watches_the_last_run_and_shows_it_in_the_watch_list() -> None:
    sim = make_sim(runs=[])
    app = sim.app
    async with app.run_test(size=(120, 30)) as pilot:
        await sim.advance(pilot, 41)
        board = await open_list(pilot, "b")
        await pilot.press("slash", *"postgres-prod", "enter")
        await pilot.pause()
        row = board.table.selected
        assert row is not None and row.run_id is not None
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert row.run_id in app.model
        assert app.widgets.watch_list.selected == row.run_id
        assert [e.run_id for e in app.store.entries()] == [row.run_id]
        assert any("Watching 1 more run" in t.message for t in app.toasts)


async def test_board_reads_the_lists_again_at_the_list_pace_only() -> None:
    sim = make_sim(runs=[], list_interval=30.0)
    async with sim.app.run_test(size=(120, 30)) as pilot:
        board = await open_list(pilot, "b")
        first = list_requests(sim)
        assert first == 2  # one page of each list
        await sim.advance(pilot, 29)
        assert list_requests(sim) == first
        await sim.advance(pilot, 1.5)
        await until_read(pilot, 2)
        assert list_requests(sim) == 2 * first
        assert board.read_at == sim.clock.now() or board.reads == 2


async def test_the_board_is_never_read_more_often_than_the_watch_list_is_polled() -> None:
    sim = make_sim(runs=[], list_interval=5.0, interval=20.0)
    async with sim.app.run_test(size=(120, 30)) as pilot:
        board = await open_list(pilot, "b")
        assert board.pace == 20.0
        await sim.advance(pilot, 19)
        assert board.reads == 1


async def test_a_list_the_key_may_not_read_is_one_line_and_the_other_list_is_shown() -> None:
    sim = make_sim()
    sim.transport.app.list_errors["sources"] = 403
    app = sim.app
    async with app.run_test(size=(120, 30)) as pilot:
        await sim.advance(pilot, 1)
        watched = list(app.model.rows)
        board = await open_list(pilot, "b")
        assert board.problem == (
            "the sources list: the API key may not read it (HTTP 403); the watch list is unaffected"
        )
        assert board.listing.rows and {r.detail for r in board.listing.rows} == {"transformation"}
        await pilot.press("escape")
        await sim.advance(pilot, 1)
        assert list(app.model.rows) == watched
        assert not any(t.severity == "error" for t in app.toasts)


async def test_rate_limited_board_says_so_once_and_waits_for_the_window() -> None:
    sim = make_sim(runs=[], faults=Faults(rate_limit_rate=1.0, rate_limit_seconds=90))
    async with sim.app.run_test(size=(120, 30)) as pilot:
        board = await open_list(pilot, "b")
        assert "rate limited by the API; trying again" in board.problem
        assert "\n" not in board.problem
        sent = list_requests(sim)
        await sim.advance(pilot, 60)  # past the list pace, inside the 429's window
        assert list_requests(sim) == sent
        sim.transport.app.faults = Faults()
        await sim.advance(pilot, 31)
        await until_read(pilot, 2)
        assert list_requests(sim) > sent
        assert board.problem == ""


EVIL_SLUG = "evil-\x1b]52;c;aGk=\x07-\x1b[2Jpipe"


def hostile_world(clock: FakeClock) -> World:
    """Two pipelines whose slugs are markup and escape sequences, each with a run."""
    world = World(seed=3, clock=clock, n_runs=0)
    for slug, evil, outcome in (
        ("hubspot-to-catalog", HOSTILE_SLUG, "success"),
        ("stripe-to-catalog", EVIL_SLUG, "failed"),
    ):
        world.add_run((("running", 5.0),), outcome, pipeline=slug)
        pipe = world.pipelines[slug]
        pipe.template = replace(pipe.template, slug=evil)
    return world


async def test_hostile_slugs_are_shown_as_text() -> None:
    sim = make_sim(hostile_world, runs=[])
    app = sim.app
    async with app.run_test(size=(120, 30)) as pilot:
        await sim.advance(pilot, 10)
        board = await open_list(pilot, "b")
        shown = "\n".join(lines(board))
        assert HOSTILE_SLUG in shown
        assert "evil--pipe" in shown and "\x1b" not in shown
        on_screen = "\n".join(screen_lines(app))
        assert HOSTILE_SLUG in on_screen and "evil--pipe" in on_screen
        board.table.focus()
        await pilot.click("#board-table", offset=(4, 3))  # a click on the slug does nothing
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, PipelinesScreen)


async def test_times_on_the_board_move_with_the_app_clock() -> None:
    sim = make_sim(runs=[])
    async with sim.app.run_test(size=(120, 30)) as pilot:
        await sim.advance(pilot, 41)
        await open_list(pilot, "b")
        before = [line for line in screen_lines(sim.app) if "zendesk-to-catalog" in line]
        await sim.advance(pilot, 5)  # no read of the lists in between (30 s pace)
        await pilot.pause()
        after = [line for line in screen_lines(sim.app) if "zendesk-to-catalog" in line]
        assert len(before) == len(after) == 1
        assert "51s ago" in before[0] and "56s ago" in after[0]


def switched_off_world(clock: FakeClock) -> World:
    """The demo's world with a switched-off pipeline that still has a cron trigger."""
    world = World(seed=3, clock=clock, n_runs=0)
    pipe = world.pipelines["mysql-erp-to-catalog"]
    cron = TriggerTemplate("cron", cron_expression="*/30 * * * *", cron_timezone="UTC")
    pipe.template = replace(pipe.template, triggers=(cron,))
    assert not pipe.template.active
    return world


async def test_a_switched_off_pipeline_says_inactive_not_when_its_cron_would_fire() -> None:
    sim = make_sim(switched_off_world, runs=[])
    async with sim.app.run_test(size=(120, 30)) as pilot:
        await sim.advance(pilot, 10)
        board = await open_list(pilot, "b")
        off = next(line for line in lines(board) if "mysql-erp-to-catalog" in line)
        assert off.endswith("inactive") and " in " not in off
        await pilot.press("slash", *"inactive", "enter")
        await pilot.pause()
        assert [line.split()[1] for line in lines(board)[1:]] == ["mysql-erp-to-catalog"]
