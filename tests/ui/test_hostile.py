"""Server text is never markup and never escapes: a hostile run shown literally and inert."""

from __future__ import annotations

import re
from typing import Any

from nekt_tui.api.models import RunStatus
from nekt_tui.ui.widgets.watch_list import WatchList

from .conftest import HOSTILE_SLUG, RUN_A, ScriptedSource, advance, run_json, scripted_app

EVIL = "\x1b]0;pwned\x07\x1b[2J\x9b31m\x1bc\u202e[b]bold[/b]"


def _hostile(status: str, log: str = f"{EVIL}\n[@click=app.quit]log[/]\n") -> Any:
    return run_json(
        RUN_A,
        status,
        pipeline={
            "slug": HOSTILE_SLUG,
            "description": f"desc {EVIL}",
            "current_status": f"[red]{EVIL}",
            "type": "[link=https://x]t[/link]",
            "triggers": [
                {"type": "cron", "cron_expression": f"0 * * * * {EVIL}", "cron_timezone": EVIL},
                {"type": "event", "events": [f"[@click=app.quit]{EVIL}"], "event_rule": EVIL},
            ],
        },
        triggered_by={"first_name": "[b]Mallory", "last_name": EVIL, "email": "[i]m@x"},
        triggered_by_token={"id": "t1", "description": EVIL, "token": "s3cr3t-token-value"},
        trigger_type="[blink]api",
        log={"parsed_log": log},
    )


def _terminal_output(app: Any) -> str:
    """What the app would write to the terminal for a full repaint of the screen."""
    update = app.screen._compositor.render_update(full=True)
    return str(update.render_segments(app.console))


_OWN_SEQUENCES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


async def test_hostile_run_is_shown_literally_and_inert() -> None:
    # The log panel's own hostile-text tests are in test_log_panel*.py; here every other
    # field is hostile, and the log is checked end to end in the test below.
    source = ScriptedSource({RUN_A: _hostile("running", log="plain\n")})
    app, clock = scripted_app(source, [RUN_A])
    async with app.run_test(size=(200, 60)) as pilot:
        await advance(pilot, clock, 1)
        row = app.model.rows[RUN_A]
        assert row.status is RunStatus.RUNNING
        line = app.main.query_one(WatchList).render_line(1).text
        assert HOSTILE_SLUG in line
        status = app.widgets.status.content.plain
        pipeline = app.widgets.pipeline.content.plain
        assert HOSTILE_SLUG in status and HOSTILE_SLUG in pipeline
        assert "[b]Mallory" in status and "[i]m@x" in status
        assert "s3cr3t-token-value" not in status + pipeline
        for text in (line, status, pipeline):
            assert "\x1b" not in text and "\x9b" not in text and "\x07" not in text
            assert "\u202e" not in text
        assert "<U+202E>" in status  # a bidi override is made visible, not obeyed

        # A transition: the toast names the hostile slug literally.
        source.answers[RUN_A] = _hostile("failed", log="plain\n")
        await advance(pilot, clock, 3)
        toasts = [n for n in app.toasts if "→" in n.message]
        assert toasts and toasts[-1].message.startswith(HOSTILE_SLUG)
        assert not toasts[-1].markup

        # Clicking the slug does nothing but select the row: the app is still running.
        await pilot.click(WatchList, offset=(5, 1))
        await pilot.pause()
        assert app.is_running

        # What reaches the terminal: only the app's own CSI sequences, the text literal.
        out = _terminal_output(app)
        assert HOSTILE_SLUG in out
        leftover = _OWN_SEQUENCES.sub("", out)
        assert "\x1b" not in leftover
        assert not re.search("[\x80-\x9f\x07]", leftover)
        assert "pwned" not in out  # the title-setting OSC was dropped whole


async def test_unknown_status_is_shown_as_unknown_not_markup() -> None:
    source = ScriptedSource({RUN_A: run_json(RUN_A, "[b]paused_by_ops\x1b[5m")})
    app, clock = scripted_app(source, [RUN_A])
    async with app.run_test(size=(80, 24)) as pilot:
        await advance(pilot, clock, 1)
        line = app.main.query_one(WatchList).render_line(1).text
        assert line.lstrip().startswith("?")
        assert "[b]paused_" in line
        assert "\x1b" not in line
        status = app.widgets.status.content.plain
        assert "? [b]paused_by_ops" in status


async def test_hostile_log_reaches_the_terminal_inert() -> None:
    source = ScriptedSource({RUN_A: _hostile("running")})
    app, clock = scripted_app(source, [RUN_A])
    async with app.run_test(size=(200, 60)) as pilot:
        await advance(pilot, clock, 1)
        out = _terminal_output(app)
        leftover = _OWN_SEQUENCES.sub("", out)
        assert "[@click=app.quit]log[/]" in leftover
        assert "\x1b" not in leftover
        assert not re.search("[\x80-\x9f\x07]", leftover)
