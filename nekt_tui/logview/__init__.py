"""Pure log-viewing logic: levels, SGR colours, search, filter and a bounded line store.

Nothing here imports Textual; the log panel widget in `nekt_tui.ui.widgets` draws it.
"""
