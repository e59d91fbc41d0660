"""The `notify` policy applied: a desktop notification and the notify command for each
change it allows (no Textual; the app and `nekt-tui wait` each hand it their output)."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping, Sequence

from nekt_tui.alerts.alert import Alert, wants
from nekt_tui.alerts.command import CommandRunner
from nekt_tui.alerts.terminal import Method, TerminalNotifier
from nekt_tui.clock import Clock

#: More changes than this at once make one summary notification (each still runs the
#: notify command).
SHOWN = 3
#: How many written notifications `Notifier.shown` keeps (a long session writes many).
SHOWN_KEPT = 50
TITLE = "nekt-tui"


class Notifier:
    """Tells about the status changes the `notify` policy allows.

    `terminal`: where desktop notifications go (None: none, as in `wait`); `command`: the
    user's notify command (None without `notify_cmd`).
    """

    def __init__(
        self,
        policy: str,
        *,
        terminal: TerminalNotifier | None = None,
        command: CommandRunner | None = None,
        may_ring: bool = True,
    ) -> None:
        self.policy = policy
        #: Whether an unknown terminal gets the bell instead (not when `bell = "off"`).
        self.may_ring = may_ring
        self.terminal = terminal
        self.command = command
        #: The last notifications written to the terminal, oldest first.
        self.shown: deque[str] = deque(maxlen=SHOWN_KEPT)

    @classmethod
    def build(
        cls,
        policy: str,
        argv: Sequence[str],
        *,
        clock: Clock,
        report: Callable[[str], None],
        write: Callable[[str], object] | None = None,
        env: Mapping[str, str] | None = None,
        may_ring: bool = True,
    ) -> Notifier:
        """A notifier for the settings: `write` to the terminal (None: no desktop
        notifications), `env` the environment that tells the terminal apart (and is
        handed, without its `NEKT_*` variables, to the command); `may_ring`: an unknown
        terminal gets the bell instead of a notification."""
        terminal = TerminalNotifier(write, env or {}) if write is not None else None
        command = None
        if argv and policy != "off":
            command = CommandRunner(argv, clock=clock, report=report, base_env=env)
        return cls(policy, terminal=terminal, command=command, may_ring=may_ring)

    def changes(self, alerts: Sequence[Alert], *, bell_rung: bool = False) -> list[Alert]:
        """Tell about the `alerts` the policy allows (a frame's worth); returns those.
        `bell_rung`: the bell policy already rang for them (no second bell instead of a
        notification)."""
        chosen = [a for a in alerts if wants(self.policy, a.status)]
        if not chosen:
            return chosen
        terminal = self.terminal
        ringing = terminal is not None and terminal.method is Method.BELL
        if terminal is not None and not (ringing and (bell_rung or not self.may_ring)):
            self._show(chosen, terminal)
        if self.command is not None:
            for alert in chosen:
                self.command.submit(alert)
        return chosen

    def _show(self, chosen: Sequence[Alert], terminal: TerminalNotifier) -> None:
        if terminal.method is Method.BELL:
            self.shown.append(terminal.show(TITLE, ""))  # one bell for a frame, not one each
        elif len(chosen) > SHOWN:
            counts: dict[str, int] = {}
            for alert in chosen:
                counts[alert.status] = counts.get(alert.status, 0) + 1
            body = ", ".join(f"{n} {status}" for status, n in counts.items())
            self.shown.append(terminal.show(f"{TITLE}: {len(chosen)} runs changed", body))
        else:
            for alert in chosen:
                title = f"{TITLE}: {alert.headline()}"
                self.shown.append(terminal.show(title, alert.change()))

    async def drain(self) -> None:
        """Wait for the notify commands still running (each stops by its timeout)."""
        if self.command is not None:
            await self.command.drain()

    async def aclose(self) -> None:
        """Stop the notify commands still running."""
        if self.command is not None:
            await self.command.aclose()


__all__ = ["SHOWN", "TITLE", "Notifier"]
