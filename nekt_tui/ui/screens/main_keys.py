"""The main screen's keys: one table, read by the screen, the help and the palette."""

from __future__ import annotations

from textual.binding import Binding, BindingType

# The footer is one line and cuts what does not fit: Quit and Help come first, the
# everyday keys next; the occasional ones are in the help (?) and the palette.
# Each has an id: `[keys]` in the config file remaps it, and the help and the command
# palette are generated from these (the tooltip is the palette's help line).
MAIN_BINDINGS: tuple[BindingType, ...] = (
    Binding("q", "app.quit", "Quit", tooltip="Save the list and leave", id="quit"),
    Binding("question_mark", "app.help", "Help", tooltip="List every key", id="help"),
    Binding("a", "app.add", "Add", tooltip="Watch more runs: IDs, URLs or pasted text", id="add"),
    Binding(
        "b",
        "app.pipelines",
        "Pipelines",
        tooltip="Every pipeline with its last run: enter watches it",
        id="pipelines",
    ),
    Binding(
        "d",
        "app.remove",
        "Remove",
        tooltip="Stop watching the marked runs, or the selected one",
        id="remove",
    ),
    Binding(
        "slash",
        "filter",
        "Filter",
        tooltip="Show only runs matching text or status:failed",
        id="filter",
    ),
    Binding(
        "h",
        "app.recent_runs",
        "Recent runs",
        tooltip="Browse the newest runs: space selects, a watches the selection",
        id="recent-runs",
    ),
    Binding("s", "app.sort", "Sort", tooltip="Sort by added, status, pipeline, started", id="sort"),
    Binding("r", "app.refresh", "Refresh", tooltip="Poll the selected run now", id="refresh"),
    Binding(
        "p",
        "app.pause",
        "Pause run",
        tooltip="Stop or restart polling the selected run",
        id="pause",
    ),
    Binding("tab", "next_panel", "Next panel", tooltip="Move to the next panel", id="next-panel"),
    Binding(
        "u",
        "app.undo",
        "Undo remove",
        show=False,
        tooltip="Bring back the last removed run",
        id="undo",
    ),
    Binding(
        "D",
        "app.remove_finished",
        "Remove finished",
        show=False,
        tooltip="Stop watching every succeeded, failed or canceled run",
        id="remove-finished",
    ),
    Binding(
        "J",
        "app.next_failed",
        "Next failed run",
        show=False,
        tooltip="Move to the next failed run in the list",
        id="next-failed",
    ),
    Binding(
        "L",
        "app.label",
        "Label",
        show=False,
        tooltip="Name the selected run in the watch list; empty clears",
        id="label",
    ),
    Binding(
        "X",
        "app.cancel_run",
        "Cancel run",
        show=False,
        tooltip="Ask the API to cancel the selected run; asks first",
        id="cancel-run",
    ),
    Binding(
        "R",
        "app.refresh_all",
        "Refresh all",
        show=False,
        tooltip="Poll every run now; retries a refused key",
        id="refresh-all",
    ),
    Binding(
        "P",
        "app.pause_all",
        "Pause all",
        show=False,
        tooltip="Stop or restart all polling",
        id="pause-all",
    ),
    Binding(
        "plus,equals_sign",
        "app.faster",
        "Faster",
        show=False,
        tooltip="Shorter poll interval",
        id="faster",
    ),
    Binding(
        "minus", "app.slower", "Slower", show=False, tooltip="Longer poll interval", id="slower"
    ),
    Binding(
        "shift+tab",
        "previous_panel",
        "Previous panel",
        show=False,
        tooltip="Move to the previous panel",
        id="previous-panel",
    ),
    Binding(
        "K",
        "app.set_key",
        "API key",
        show=False,
        tooltip="Use another API key for this session",
        id="set-key",
    ),
)
