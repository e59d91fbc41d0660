"""10,000 watched runs: the list opens, filters, sorts and scrolls to the right rows, and
watching more runs makes no more widgets, timers or tasks (speed is in the benchmarks,
figure 9)."""

from __future__ import annotations

import asyncio
import random
import uuid
from typing import Any

import pytest

from nekt_tui.api.models import RunStatus
from nekt_tui.ui.app import NektApp
from nekt_tui.ui.state import model as model_module
from nekt_tui.ui.state import names as names_module
from nekt_tui.ui.state import row as row_module
from nekt_tui.ui.status_style import look
from nekt_tui.ui.widgets.watch_list import WatchList

from .conftest import ScriptedSource, advance, run_json, scripted_app

N = 10_000
#: Every 100th run failed, every 7th succeeded, the others run; 50 pipelines.
PIPELINES = 50


def _ids(n: int) -> list[str]:
    rng = random.Random(18)
    return [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(n)]


def _status(i: int) -> str:
    return "failed" if i % 100 == 0 else "success" if i % 7 == 0 else "running"


def _source(ids: list[str]) -> ScriptedSource:
    return ScriptedSource(
        {
            rid: run_json(
                rid,
                _status(i),
                number=i + 1,
                pipeline={"slug": f"pipe-{i % PIPELINES:02d}", "triggers": []},
            )
            for i, rid in enumerate(ids)
        }
    )


async def _open(app: NektApp, pilot: Any, clock: Any) -> None:
    """Until every run has its first answer (the engine spreads first polls out)."""
    for _ in range(6):
        await advance(pilot, clock, 1)
        if all(row.run is not None for row in app.model.rows.values()):
            return
    raise AssertionError("not every run was fetched")


def _line(watch_list: WatchList, index: int) -> str:
    """The text drawn for view position `index` (which must be on screen)."""
    return watch_list.render_line(index - round(watch_list.scroll_y) + 1).text


def _count_sanitize(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """From now on, every text the list's model (and its name cache) sanitises."""
    sanitized: list[str] = []
    sanitize = model_module.sanitize

    def counting(text: str, **kwargs: Any) -> str:
        sanitized.append(text)
        return sanitize(text, **kwargs)

    monkeypatch.setattr(model_module, "sanitize", counting)
    monkeypatch.setattr(names_module, "sanitize", counting)
    names_module._cached_name.cache_clear()  # names seen by earlier tests count again
    return sanitized


def _census(app: NektApp) -> tuple[int, int, int, int]:
    """(widgets, the app's clock timers, asyncio tasks, sleepers on the fake clock)."""
    widgets = sum(1 for _ in app.screen.walk_children(with_self=True))
    clock = app.session.clock
    sleepers = len(getattr(clock, "_sleepers", ()))
    return widgets, app.timers.active, len(asyncio.all_tasks()), sleepers


async def _census_of(n: int) -> tuple[int, int, int, int]:
    ids = _ids(n)
    app, clock = scripted_app(_source(ids), ids, tick_interval=1.0)
    async with app.run_test(size=(120, 40)) as pilot:
        await _open(app, pilot, clock)
        await advance(pilot, clock, 2.5)  # a whole poll cycle since
        return _census(app)


async def test_10000_runs_make_no_more_widgets_timers_or_tasks_than_20() -> None:
    few = await _census_of(20)
    many = await _census_of(N)
    assert many == few, f"20 runs: {few}; {N} runs: {many} (widgets, timers, tasks, sleepers)"


async def test_a_10000_run_list_opens_filters_sorts_and_scrolls_to_the_right_rows() -> None:
    ids = _ids(N)
    app, clock = scripted_app(_source(ids), ids)
    async with app.run_test(size=(120, 40)) as pilot:
        await _open(app, pilot, clock)
        watch_list = app.main.query_one(WatchList)
        assert watch_list.border_title == f"Runs {N}"
        assert app.model.view == ids
        assert _line(watch_list, 0).startswith(look(RunStatus.FAILED).symbol)  # run #1

        # Scroll: the last run, then a page up, then the first again.
        await pilot.press("end")
        assert watch_list.selected == ids[-1]
        assert f"#{N}" in _line(watch_list, N - 1)
        await pilot.press("pageup")
        assert watch_list.selected is not None
        assert ids.index(watch_list.selected) < N - 1
        await pilot.press("home")
        assert watch_list.selected == ids[0]

        # Filter on a status: exactly the failed runs, in the order added.
        app.set_filter("status:failed")
        await pilot.pause()
        failed = [rid for i, rid in enumerate(ids) if _status(i) == "failed"]
        assert app.model.view == failed
        assert watch_list.border_title == f"Runs {len(failed)}/{N}"
        assert "#101" in _line(watch_list, 1)

        # Filter on a word: one pipeline's runs.
        app.set_filter("pipe-07")
        await pilot.pause()
        assert app.model.view == [rid for i, rid in enumerate(ids) if i % PIPELINES == 7]
        assert "pipe-07" in _line(watch_list, 0)

        # Sort by status with the filter cleared: every failure first, in the order added.
        app.set_filter("")
        await pilot.press("s")
        assert app.model.view[: len(failed)] == failed
        assert all(_line(watch_list, i).startswith(look(RunStatus.FAILED).symbol) for i in (0, 1))
        # Then by pipeline: pipe-00's runs first, by run number.
        await pilot.press("s")
        pipe_00 = [rid for i, rid in enumerate(ids) if i % PIPELINES == 0]
        assert app.model.view[: len(pipe_00)] == pipe_00
        await pilot.press("end")
        assert "pipe-49" in _line(watch_list, N - 1)


async def test_sorting_again_reads_no_pipeline_name_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    ids = _ids(300)
    app, clock = scripted_app(_source(ids), ids)
    async with app.run_test(size=(120, 40)) as pilot:
        await _open(app, pilot, clock)
        await pilot.press("s", "s")  # by pipeline
        sanitized = _count_sanitize(monkeypatch)
        await pilot.press("s", "s", "s", "s")  # round to the pipeline order again
        assert sanitized == []
        assert app.model.rows[app.model.view[0]].pipeline_name == "pipe-00"


async def test_a_run_moved_to_another_pipeline_sorts_and_filters_under_its_new_name() -> None:
    ids = _ids(60)
    source = _source(ids)
    app, clock = scripted_app(source, ids)
    async with app.run_test(size=(120, 40)) as pilot:
        await _open(app, pilot, clock)
        await pilot.press("s", "s")  # by pipeline
        moved = ids[5]  # pipe-05
        source.answers[moved] = run_json(
            moved, "running", number=6, pipeline={"slug": "aaa-first", "triggers": []}
        )
        await pilot.press("R")
        await advance(pilot, clock, 0)
        assert app.model.view[0] == moved
        app.set_filter("aaa-first")
        await pilot.pause()
        assert app.model.view == [moved]


async def test_a_status_filter_builds_no_search_text(monkeypatch: pytest.MonkeyPatch) -> None:
    ids = _ids(300)
    app, clock = scripted_app(_source(ids), ids)
    async with app.run_test(size=(120, 40)) as pilot:
        await _open(app, pilot, clock)
        built: list[str] = []
        search_text = model_module.Row.search_text

        def counting(row: model_module.Row) -> str:
            built.append(row.run_id)
            return search_text.fget(row)  # type: ignore[attr-defined,no-any-return]

        monkeypatch.setattr(model_module.Row, "search_text", property(counting))
        app.set_filter("status:failed")
        await pilot.pause()
        assert app.model.view == [ids[0], ids[100], ids[200]]
        assert built == []
        app.set_filter("status:failed pipe-00")  # a word: now the text is needed
        await pilot.pause()
        assert app.model.view == [ids[0], ids[100], ids[200]]
        assert built


async def test_a_poll_cycle_of_new_answers_sanitises_each_pipeline_name_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ids = _ids(500)
    source = _source(ids)
    app, clock = scripted_app(source, ids)
    async with app.run_test(size=(120, 40)) as pilot:
        await _open(app, pilot, clock)
        await pilot.press("s", "s")  # by pipeline
        for i, rid in enumerate(ids):  # every run answers anew, same 50 pipelines
            source.answers[rid] = run_json(
                rid,
                "success",
                number=i + 1,
                pipeline={"slug": f"pipe-{i % PIPELINES:02d}", "triggers": []},
            )
        sanitized = _count_sanitize(monkeypatch)
        await pilot.press("R")
        await advance(pilot, clock, 0)
        app.set_filter("pipe-07")
        await pilot.pause()
        assert len(sanitized) <= PIPELINES  # not once per run, per sort and per filter
        assert app.model.view == [rid for i, rid in enumerate(ids) if i % PIPELINES == 7]


async def test_a_word_filter_finds_a_run_by_the_status_it_changed_to() -> None:
    ids = _ids(60)
    source = _source(ids)
    app, clock = scripted_app(source, ids)
    async with app.run_test(size=(120, 40)) as pilot:
        await _open(app, pilot, clock)
        app.set_filter("pipe-03")  # each row's search text made with its status then
        await pilot.pause()
        assert ids[3] in app.model.view
        source.answers[ids[3]] = run_json(
            ids[3], "canceled", number=4, pipeline={"slug": "pipe-03", "triggers": []}
        )
        await pilot.press("R")
        await advance(pilot, clock, 0)
        app.set_filter("pipe-03 canceled")
        await pilot.pause()
        assert app.model.view == [ids[3]]


async def test_filtering_after_a_poll_that_renamed_nothing_makes_no_search_text_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ids = _ids(300)
    source = _source(ids)
    app, clock = scripted_app(source, ids)
    async with app.run_test(size=(120, 40)) as pilot:
        await _open(app, pilot, clock)
        app.set_filter("pipe-07")
        await pilot.pause()
        shown = list(app.model.view)
        app.set_filter("")
        await pilot.pause()
        # Every run answers again: a new answer (a longer log), the same name and status.
        for i, rid in enumerate(ids):
            source.answers[rid] = run_json(
                rid,
                _status(i),
                number=i + 1,
                pipeline={"slug": f"pipe-{i % PIPELINES:02d}", "triggers": []},
                log={"parsed_log": "line one\nline two\nline three\n"},
            )
        await pilot.press("R")
        await advance(pilot, clock, 0)
        assert all(app.model.rows[rid].run is source.answers[rid] for rid in ids)
        made: list[object] = []
        look = row_module.look

        def counting(status: Any) -> Any:
            made.append(status)
            return look(status)

        monkeypatch.setattr(row_module, "look", counting)
        app.set_filter("pipe-0")
        await pilot.pause()
        assert made == []
        assert set(shown) < set(app.model.view)
