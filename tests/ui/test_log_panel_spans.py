"""`render_spans` draws a log line exactly as `rich.text.Text.render` would, and a long log
followed at its tail repaints its scrollbar only when the thumb moves."""

from __future__ import annotations

import random
from dataclasses import dataclass

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Region

from nekt_tui.ui.widgets.content_view import QuietScrollBar
from nekt_tui.ui.widgets.log_render import _stylize, render_spans
from tests.logview.host import LogHost, numbered


@dataclass(frozen=True)
class _Delta:
    lines: tuple[str, ...]
    reset: bool = False
    replace_last: bool = False


_STYLES = [
    Style(),
    Style(color="red"),
    Style(bgcolor="blue"),
    Style(bold=True),
    Style(dim=True, color="#808080"),
    Style(color="green", bgcolor="#102030", italic=True),
]


def test_render_spans_is_text_render() -> None:
    console = Console()
    rnd = random.Random(7)
    combined: dict[tuple[Style, ...], Style] = {}
    for _ in range(2_000):
        text = "".join(rnd.choice("ab :-") for _ in range(rnd.randrange(0, 12)))
        reference = Text(text, no_wrap=True, end="")
        spans: list[tuple[int, int, Style]] = []
        for _ in range(rnd.randrange(0, 6)):
            style = rnd.choice(_STYLES)
            if rnd.random() < 0.4:  # over the whole line, as most are
                start, end = 0, len(text)
            else:
                start = rnd.randrange(0, 14)
                end = start + rnd.randrange(0, 10)
            reference.stylize(style, start, end)
            _stylize(spans, style, start, end, len(text))
        # An unstyled line carries the null style (Textual's NO_COLOR filter needs one):
        # drawn exactly as rich's style-less segment.
        expected = [
            Segment(seg.text, seg.style or Style.null()) for seg in reference.render(console)
        ]
        assert render_spans(text, spans, combined) == expected


async def test_scrollbar_repaints_only_when_the_thumb_moves() -> None:
    app = LogHost()
    async with app.run_test(size=(80, 12)) as pilot:
        view = app.panel.view
        view.load(numbered(5_000))
        await pilot.pause()
        bar = view.vertical_scrollbar
        assert isinstance(bar, QuietScrollBar) and view.show_vertical_scrollbar
        repaints = 0
        set_dirty = bar._set_dirty  # what a repaint that is not held does

        def counted(*regions: Region) -> None:
            nonlocal repaints
            repaints += 1
            set_dirty(*regions)

        bar._set_dirty = counted  # type: ignore[method-assign]
        view.apply(_Delta(("one more", "and another")))
        await pilot.pause()
        assert view.follow and view.store.end == 5_002
        assert repaints == 0  # 5,000 lines in 11 rows: the thumb stays in its last cell
        view.scroll_top()  # the thumb moves: the bar is repainted as usual
        await pilot.pause()
        assert repaints > 0
