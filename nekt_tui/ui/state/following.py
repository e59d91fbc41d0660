"""Follow rules in the watch session: the follower's target is the session's watch list.

No Textual here. The follower (`nekt_tui.discover.follow`) looks at the run list through
the engine's current client (a key typed with K is used from then on; without a key it
sends nothing); the runs it finds are added as `a` adds them, marked as followed on their
row, and one toast says which rule added them. A followed run the user removes is not
added again for the rest of the session (the follower remembers every run it added).
"""

from __future__ import annotations

from collections.abc import Coroutine, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from nekt_tui.sanitize import sanitize

if TYPE_CHECKING:
    from nekt_tui.clock import Clock
    from nekt_tui.discover.follow import RunLister
    from nekt_tui.discover.rules import Rule
    from nekt_tui.ui.state.model import WatchModel
    from nekt_tui.ui.state.ports import SessionView


@dataclass(frozen=True)
class FollowSettings:
    """The follow rules and their pace (from the config and `--follow`)."""

    rules: tuple[str, ...] = ()
    interval: float = 30.0
    since: float = 86_400.0
    cap: int = 200


class _Engine(Protocol):
    @property
    def source(self) -> object:
        """The client the engine polls with."""
        ...


class FollowHost(Protocol):
    """What following needs of the session (`WatchSession`)."""

    following: SessionFollow | None

    @property
    def clock(self) -> Clock:
        """The injected clock."""
        ...

    @property
    def model(self) -> WatchModel:
        """The watched runs."""
        ...

    @property
    def view(self) -> SessionView:
        """Whoever shows the session."""
        ...

    @property
    def scheduler(self) -> _Engine:
        """The poll engine."""
        ...

    @property
    def polling_live(self) -> bool:
        """Whether a real engine polls."""
        ...

    @property
    def follow_settings(self) -> FollowSettings | None:
        """The rules to follow."""
        ...

    def add(self, run_ids: Sequence[str], *, note: str | None = None) -> list[str]:
        """Watch these runs; the ones added."""
        ...


class SessionFollow:
    """The follower's `FollowTarget` over a `WatchSession`."""

    def __init__(self, session: FollowHost, settings: FollowSettings) -> None:
        # Imported here: the follower reads pydantic models, which the first frame must
        # not wait for (the factory imports this module for `FollowSettings`).
        from nekt_tui.discover.follow import Follower
        from nekt_tui.discover.rules import parse_rules

        self.session = session
        self.follower = Follower(
            parse_rules(settings.rules),
            self._source,
            self,
            session.clock,
            interval=settings.interval,
            since=settings.since,
            cap=settings.cap,
        )

    def _source(self) -> RunLister | None:
        from nekt_tui.discover.follow import RunLister

        session = self.session
        if not session.polling_live:
            return None  # no key yet: nothing is sent
        source = session.scheduler.source
        return source if isinstance(source, RunLister) else None

    def watched(self, run_id: str) -> bool:
        """Whether the run is on the watch list."""
        return run_id in self.session.model

    def follow(self, run_ids: Sequence[str], rule: Rule) -> None:
        """Add the runs, mark them followed, say which rule added them."""
        shown = sanitize(rule.text, single_line=True)
        count = len(run_ids)
        note = f"following {count} run{'s' if count > 1 else ''}: {shown}"
        new = self.session.add(run_ids, note=note)
        for run_id in new:
            row = self.session.model.get(run_id)
            if row is not None:
                row.followed_by = shown
                row.touch()
        if new:
            self.session.view.list_changed()

    def say(self, text: str, warning: bool) -> None:
        """One line on the screen."""
        self.session.view.say(text, "warning" if warning else "information", 30)


def follow_task(session: FollowHost) -> Coroutine[Any, Any, None] | None:
    """What runs in the background to follow the session's rules (None: no rules)."""
    settings = session.follow_settings
    if settings is None or not settings.rules:
        return None
    following = SessionFollow(session, settings)
    session.following = following
    return following.follower.run()


__all__ = ["FollowHost", "FollowSettings", "SessionFollow", "follow_task"]
