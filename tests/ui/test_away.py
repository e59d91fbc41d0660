""" "While you were away" names the runs, and J goes to the failed ones."""

from __future__ import annotations

from nekt_tui.api.enums import RunStatus
from nekt_tui.ui.state.store import RunStore, StoredRun

from .conftest import ScriptedSource, advance, run_json, scripted_app

IDS = [f"{n:08d}-0000-4000-8000-000000000000" for n in range(1, 7)]


def _away_message(app: object) -> str:
    messages = [n.message for n in app.toasts]  # type: ignore[attr-defined]
    (message,) = [m for m in messages if m.startswith("While you were away")]
    return message


async def test_the_away_summary_names_a_few_runs_then_counts_the_rest() -> None:
    # Six runs were running when the app closed: five succeeded meanwhile, one failed.
    outcomes = ["success", "success", "success", "failed", "success", "success"]
    answers = {
        run_id: run_json(run_id, status, pipeline={"slug": f"pipe-{i}", "triggers": []})
        for i, (run_id, status) in enumerate(zip(IDS, outcomes, strict=True))
    }
    source = ScriptedSource(dict(answers))  # type: ignore[arg-type]
    store = RunStore.in_memory(StoredRun(r, None, RunStatus.RUNNING) for r in IDS)
    app, clock = scripted_app(source, IDS, store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        await advance(pilot, clock, 1)
        message = _away_message(app)
        assert message.startswith("While you were away: 5 succeeded, 1 failed:")
        # The failure is named first, then two more; the rest are counted.
        assert "pipe-3 " in message and message.index("pipe-3 ") < message.index("pipe-0 ")
        assert "pipe-0 " in message and "pipe-1 " in message
        assert "pipe-5 " not in message and "and 3 more" in message
        assert "Press J" in message
        assert app.widgets.watch_list.selected == IDS[0]
        await pilot.press("J")
        assert app.widgets.watch_list.selected == IDS[3]
        await pilot.press("J")  # the only failed run: J stays on it
        assert app.widgets.watch_list.selected == IDS[3]


async def test_j_without_a_failed_run_says_so() -> None:
    source = ScriptedSource({IDS[0]: run_json(IDS[0], "running")})
    app, clock = scripted_app(source, IDS[:1])
    async with app.run_test(size=(120, 40)) as pilot:
        await advance(pilot, clock, 1)
        await pilot.press("J")
        assert any("No failed run" in n.message for n in app.toasts)
        assert app.widgets.watch_list.selected == IDS[0]
