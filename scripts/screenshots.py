"""Write the README's screenshots: SVGs of the frozen demo, byte-for-byte repeatable.

    python scripts/screenshots.py [OUT_DIR]      (default: screenshots/)

The demo world runs on a FakeClock that only this script moves, the scheduler's jitter is
seeded, local time is UTC and animations are off, so every run writes the same bytes.
"""

from __future__ import annotations

import asyncio
import os
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

os.environ["TZ"] = "UTC"
os.environ["TEXTUAL_ANIMATIONS"] = "none"
os.environ.pop("NO_COLOR", None)
# The README's pictures are of a truecolor terminal, whatever TERM this runs under (the
# app picks other colours for a 16-colour one).
os.environ["TEXTUAL_COLOR_SYSTEM"] = "truecolor"
time.tzset()

from nekt_tui.clock import FakeClock  # noqa: E402  (after TZ is set)
from nekt_tui.config import Config  # noqa: E402
from nekt_tui.ui.factory import build_app  # noqa: E402

#: Seconds into the demo: a run has just failed with a traceback, others moved on.
MOMENT = 45
#: The run to select: the one that failed.
SELECT = "postgres-prod-to-catalog"


@dataclass(frozen=True)
class Shot:
    """One screenshot."""

    name: str
    size: tuple[int, int]
    theme: str = "textual-dark"
    keys: tuple[str, ...] = ()


SHOTS = (
    Shot("demo-80x24", (80, 24)),
    Shot("demo-160x48", (160, 48)),
    Shot("demo-200x60", (200, 60)),
    Shot("demo-160x48-nord", (160, 48), theme="nord"),
    Shot("demo-120x40-light", (120, 40), theme="textual-light"),
    Shot("help-100x40", (100, 40), keys=("question_mark",)),
    Shot("pipelines-160x48", (160, 48), keys=("b",)),
    Shot("runs-160x48", (160, 48), keys=("h",)),
)


async def render(shot: Shot) -> str:
    """The SVG of one shot."""
    clock = FakeClock()
    app = build_app(
        Config(theme=shot.theme), demo=True, initial_text=None, clock=clock, rng=random.Random(7)
    )
    async with app.run_test(size=shot.size) as pilot:
        while not app.started:
            await pilot.pause()
        for _ in range(MOMENT):
            await clock.advance(1)
            if app.scheduler is not None:
                await app.scheduler.idle()
            await pilot.pause()
        target = next(r.run_id for r in app.model.rows.values() if r.name == SELECT)
        app.widgets.watch_list.select(target)
        app.clear_notifications()
        await pilot.pause()
        if shot.keys:
            await pilot.press(*shot.keys)
            for _ in range(20):  # a list screen reads its first page from the simulator
                await pilot.pause()
        await pilot.wait_for_scheduled_animations()
        return app.export_screenshot(title=f"nekt-tui --demo  ({shot.size[0]}x{shot.size[1]})")


def main(argv: list[str]) -> int:
    """Render every shot into the output folder."""
    out = Path(argv[0]) if argv else Path(__file__).resolve().parent.parent / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    for shot in SHOTS:
        path = out / f"{shot.name}.svg"
        path.write_text(asyncio.run(render(shot)), encoding="utf-8")
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
