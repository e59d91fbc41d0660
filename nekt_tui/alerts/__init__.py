"""Alerts beyond the screen: desktop notifications through the terminal and the user's
notify command, for the status changes the `notify` policy allows (no Textual)."""

from nekt_tui.alerts.alert import Alert, alert_for, one_line, wants
from nekt_tui.alerts.command import CommandRunner, child_env
from nekt_tui.alerts.notifier import Notifier
from nekt_tui.alerts.terminal import Method, TerminalNotifier, detect, sequence

__all__ = [
    "Alert",
    "CommandRunner",
    "Method",
    "Notifier",
    "TerminalNotifier",
    "alert_for",
    "child_env",
    "detect",
    "one_line",
    "sequence",
    "wants",
]
