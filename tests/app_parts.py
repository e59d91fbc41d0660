"""Build the app in tests from one set of keywords, split into its parts.

The app takes a `WatchSession` (backend, clock, list, poll settings) and `AppOptions`;
test helpers pass their options through, so this sorts each keyword to its part.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from nekt_tui.ui.app import AppOptions, NektApp
from nekt_tui.ui.state.ports import PollSettings
from nekt_tui.ui.state.session import WatchSession

_OPTIONS = {f.name for f in dataclasses.fields(AppOptions)}
_SETTINGS = {f.name for f in dataclasses.fields(PollSettings)}


def make_app(**keywords: Any) -> NektApp:
    """`NektApp(WatchSession(...), AppOptions(...))` from the keywords of both (and of the
    session's `PollSettings`)."""
    options = {k: keywords.pop(k) for k in list(keywords) if k in _OPTIONS}
    settings = {k: keywords.pop(k) for k in list(keywords) if k in _SETTINGS}
    session = WatchSession(settings=PollSettings(**settings), **keywords)
    return NektApp(session, AppOptions(**options))
