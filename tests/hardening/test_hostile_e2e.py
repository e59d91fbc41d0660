"""Hostile text end to end: runs whose every string field is hostile, served by a simulator
world, rendered by the real app; checked on the bytes the app writes to the terminal."""

from __future__ import annotations

import json
import re
from typing import Any

from textual.widgets._toast import Toast

from nekt_tui.api.models import Run
from nekt_tui.clock import FakeClock
from nekt_tui.simulator import World
from nekt_tui.ui.widgets.watch_list import WatchList

from .conftest import CapturingDriver, make_rig

# Every kind of terminal escape, each carrying a payload that must never reach the
# terminal; control characters that must be shown, not obeyed; markup that must be text.
ESCAPES = {
    "osc-title": "\x1b]0;pwned-title\x07",
    "osc-title-st": "\x1b]2;pwned-title2\x1b\\",
    "osc-hyperlink": "\x1b]8;;https://osc8.evil/\x1b\\click\x1b]8;;\x1b\\",
    "osc-clipboard": "\x1b]52;c;ZWNobyBwd25lZA==\x07",
    "osc-8bit": "\x9d0;eightbit-title\x9c",
    "dcs": "\x1bP+q544e\x1b\\",
    "dcs-8bit": "\x90dcs-eightbit\x9c",
    "sos": "\x1bXsos-payload\x1b\\",
    "pm": "\x1b^pm-payload\x1b\\",
    "apc": "\x1b_apc-payload\x1b\\",
    "csi": "\x1b[2J\x1b[H\x1b[31;1m\x1b[?1049h\x1b[6n\x1b[5;5r",
    "csi-8bit": "\x9b2J\x9b31m",
    "reset": "\x1bc",
    "two-byte": "\x1b7\x1b8\x1b#8\x1b(0\x1bM\x1bD",
    "c1": "\x84\x85\x8d\x8e\x8f",
    "c0": "bell\x07back\x08cr\rvt\x0bff\x0cnul\x00del\x7f",
    "bidi": "\u202aa\u202bb\u202cc\u202dd\u202ee\u2066f\u2067g\u2068h\u2069i",
    "markup": "[@click=app.quit]x[/] [red]red[/red] [/] [link=https://markup.link]l[/link] "
    "[b]$accent[/b] [$error]v[/]",
}
PAYLOAD = "".join(ESCAPES.values())
#: Text that lives only inside escape sequences: it must never reach the terminal.
NEVER_SHOWN = [
    "pwned-title",
    "pwned-title2",
    "osc8.evil",
    "ZWNobyBwd25lZA==",
    "eightbit-title",
    "+q544e",
    "dcs-eightbit",
    "sos-payload",
    "pm-payload",
    "apc-payload",
]
#: String fields that are text (enum-like ones become unknown values, also shown).
TEXT_FIELDS = {
    "slug",
    "description",
    "cron_expression",
    "cron_timezone",
    "event_rule",
    "type",
    "trigger_type",
    "current_status",
    "latest_run_status",
    "first_name",
    "last_name",
    "email",
    "role",
    "picture",
    "source",
    "destination",
    "transformation",
    "credit_charge_status",
}
SLUG = "[@click=app.quit]x[/]\x1b]0;pwned-title\x07\u202eevil"
LONG = "L" * 5_000


def poison(value: Any, key: str = "") -> Any:
    """Every text field hostile (named, so a test can find it); ids and times left alone."""
    if isinstance(value, dict):
        out = {k: poison(v, k) for k, v in value.items()}
        for k in ("description", "cron_expression", "cron_timezone", "event_rule"):
            if k in out and out[k] is None:
                out[k] = f"{k}:{PAYLOAD}"
        if isinstance(out.get("events"), list):
            out["events"] = [f"event:{PAYLOAD}", LONG]
        return out
    if isinstance(value, list):
        return [poison(v, key) for v in value]
    if key == "slug":
        return SLUG
    if key == "parsed_log" and isinstance(value, str):
        lines = [f"log line {i}: {text}" for i, text in enumerate(ESCAPES.values())]
        return value + "\n" + "\n".join(lines) + "\n" + LONG + "\n"
    if key == "description" and isinstance(value, str):
        return f"description:{PAYLOAD}{LONG}"
    if key in TEXT_FIELDS:
        return f"{key}:{PAYLOAD}"
    return value


class HostileWorld(World):
    """A simulator world whose runs come back with every text field hostile."""

    hostile_status: set[str]

    def run_json(self, run_id: str, shape: str | None = None) -> dict[str, Any] | None:
        """The run, poisoned (and its status too, for the runs in `hostile_status`)."""
        data = super().run_json(run_id, shape)
        if data is None:
            return None
        data = poison(data)
        if "number" in data:  # the flat shape: its null text fields made hostile too
            for k in ("source", "destination", "transformation"):
                data[k] = f"{k}:{PAYLOAD}"
        if run_id in getattr(self, "hostile_status", set()):
            data["status"] = f"status:{PAYLOAD}"
        result: dict[str, Any] = data
        return result

    def run_body(self, run_id: str, shape: str | None = None) -> bytes | None:
        """The poisoned run, encoded."""
        data = self.run_json(run_id, shape)
        return None if data is None else json.dumps(data).encode()


def hostile_world(clock: FakeClock) -> HostileWorld:
    world = HostileWorld(seed=11, clock=clock, n_runs=0)
    world.add_run((("running", 20.0),), "failed", trigger_type="api")
    world.add_run((("running", 3600.0),), "success", trigger_type="manual")
    world.add_run((("running", 3600.0),), "success", trigger_type="event", shape="flat")
    odd = world.add_run((("queued", 3600.0),), "success", trigger_type="cron")
    world.hostile_status = {odd}
    return world


# What Textual itself writes: SGR, cursor positioning, private modes (synchronised output,
# cursor visibility) and OSC 22 (the pointer's shape, a plain name). Anything else came
# from the server.
APP_SEQUENCE = re.compile(
    r"\x1b\[[0-9;:]*m|\x1b\[[0-9]+;[0-9]+H|\x1b\[\?[0-9;]+[hl]|\x1b\]22;[a-z-]+\x07"
)
FORBIDDEN = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def test_the_hostile_world_really_is_hostile() -> None:
    world = hostile_world(FakeClock())
    for run_id in world.run_ids:
        body = world.run_json(run_id)
        assert body is not None
        Run.model_validate(body)  # hostile, but a valid run: the app must show it
        text = json.dumps(body)
        assert "pwned-title" in text and "\\u001b" in text


async def test_hostile_runs_reach_the_terminal_inert() -> None:
    rig = make_rig(hostile_world)
    rig.app.driver_class = CapturingDriver
    runs = rig.world.run_ids
    async with rig.app.run_test(size=(140, 40), headless=False, notifications=True) as pilot:
        await rig.advance(pilot, 2)
        for run_id in runs:  # every run's panels, one after the other
            rig.app.widgets.watch_list.select(run_id)
            await pilot.pause()
        await pilot.press("tab", "tab", "tab", "tab")
        # The first run fails: a toast names the hostile slug.
        rig.app.widgets.watch_list.select(runs[0])
        await rig.advance(pilot, 25)
        toasts = [t for t in rig.app.screen.query(Toast) if "→" in str(t.render())]
        assert toasts, "no toast for the transition"
        shown = str(toasts[-1].render())
        assert shown.startswith("[@click=app.quit]x[/]<U+202E>evil"), shown
        # Clicking the slug in the toast (where markup would have put a link), in the list
        # and in the panels does nothing but dismiss or select.
        await pilot.click(toasts[-1], offset=(2, 1))
        await pilot.click(WatchList, offset=(4, 1))
        await pilot.click(WatchList, offset=(30, 2))
        await pilot.click("#status", offset=(20, 3))
        await pilot.click("#pipeline", offset=(20, 3))
        await pilot.pause()
        assert rig.app.is_running
        assert rig.app._failures_reported == set()
        driver = rig.app._driver
        assert isinstance(driver, CapturingDriver)
        output = "".join(driver.written)
    await rig.client.aclose()

    assert output, "the capturing driver saw nothing"
    leftover = APP_SEQUENCE.sub("", output)
    i = leftover.find("\x1b")
    assert i < 0, f"an escape the app did not make: {leftover[max(0, i - 30) : i + 30]!r}"
    bad = FORBIDDEN.search(leftover)
    assert bad is None, f"raw control or bidi character {bad.group()!r}" if bad else ""
    for payload in NEVER_SHOWN:
        assert payload not in output, payload
    # What remains is shown in its sanitised form: visible, and literal.
    assert "[@click=app.quit]x[/]" in leftover
    assert "<U+202E>" in leftover and "␇" in leftover
    assert "status:" in leftover  # the unknown, hostile status is shown as text
    assert rig.app.return_code in (None, 0)
