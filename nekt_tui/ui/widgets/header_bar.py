"""The header line (profile, host, read-only, connection, polling, pause) and the notice
under it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from textual.content import Content
from textual.widgets import Static

from nekt_tui.sanitize import sanitize
from nekt_tui.ui import timefmt
from nekt_tui.ui.state.connection import Connection, ConnKind, Polling


def connection_part(conn: Connection, now: datetime) -> tuple[str, str]:
    """The connection state as (text, style); a time on another day shows its date."""
    if conn.kind is ConnKind.LIVE:
        return ("● live", "$text-success")
    if conn.kind is ConnKind.RATE_LIMITED and conn.until is not None:
        return (f"◐ rate limited until {timefmt.moment(conn.until, now)}", "$text-warning")
    if conn.kind is ConnKind.UNREACHABLE and conn.until is not None:
        retry = timefmt.moment(conn.until, now)
        return (f"✖ unreachable: retrying at {retry}", "$text-error")
    if conn.kind is ConnKind.AUTH:
        return ("✖ authentication failed", "$text-error bold")
    if conn.kind is ConnKind.NO_KEY:
        return ("✖ no API key", "$text-error bold")
    if conn.kind is ConnKind.UNREACHABLE and conn.since is not None:
        return (f"✖ unreachable since {timefmt.clock_minutes(conn.since)}", "$text-error")
    return ("◌ connecting…", "$text-muted")


def _seconds(value: float) -> str:
    return f"{value:g}s"


def header_content(
    host: str,
    conn: Connection,
    polling: Polling,
    *,
    demo: bool,
    now: datetime,
    read_only: bool = False,
    profile: str | None = None,
) -> Content:
    """The one header line."""
    sep = (" │ ", "$text-muted")
    parts: list[str | tuple[str, str]] = [("nekt-tui", "bold"), sep]
    if profile:
        parts += [(f"profile {sanitize(profile, single_line=True)}", "$text-accent bold"), sep]
    parts.append((sanitize(host, single_line=True) + (" (demo)" if demo else ""), ""))
    if read_only:
        parts += [sep, ("read-only", "$text-warning bold")]
    if conn.kind is ConnKind.CONNECTING and polling.runs == 0:
        parts += [sep, ("no runs yet: press a to add some", "$text-muted"), sep]
    else:
        parts += [sep, connection_part(conn, now), sep]
    parts.append((f"every {_seconds(polling.interval)}/{_seconds(polling.waiting_interval)}", ""))
    if polling.all_paused:
        parts += [sep, ("⏸ PAUSED (P resumes)", "$text-warning bold")]
    elif polling.paused_runs:
        parts += [sep, (f"⏸ {polling.paused_runs} paused", "$text-warning")]
    return Content.assemble(*parts)


def notice_content(conn: Connection) -> Content | None:
    """A longer explanation under the header when the user must act; None otherwise."""
    if conn.kind in (ConnKind.AUTH, ConnKind.NO_KEY):
        return Content.assemble(
            ("✖ ", "$text-error bold"), sanitize(conn.message, single_line=True)
        )
    return None


class HeaderBar(Static):
    """One line of state at the top of the screen."""

    def __init__(
        self,
        host: str,
        conn: Callable[[], Connection],
        polling: Callable[[], Polling],
        *,
        demo: bool,
        now: Callable[[], datetime],
        read_only: bool = False,
        profile: str | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self._now = now
        self._host = host
        self._conn = conn
        self._polling = polling
        self._demo = demo
        self._read_only = read_only
        self._profile = profile
        self._shown = ""

    def on_mount(self) -> None:
        """First draw."""
        self.redraw()

    def redraw(self) -> None:
        """Redraw if anything shown changed."""
        content = header_content(
            self._host,
            self._conn(),
            self._polling(),
            demo=self._demo,
            now=self._now(),
            read_only=self._read_only,
            profile=self._profile,
        )
        if content.plain != self._shown:
            self._shown = content.plain
            self.update(content)

    def set_place(self, host: str, profile: str | None, *, read_only: bool) -> None:
        """Show another host and profile (the app switched profile), and redraw."""
        self._host, self._profile, self._read_only = host, profile, read_only
        self.redraw()
