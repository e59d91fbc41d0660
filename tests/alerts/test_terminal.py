"""Desktop notification sequences: which terminal gets which, the tmux wrapping, and text
from the server that cannot break out of a notification."""

from __future__ import annotations

import re

import pytest

from nekt_tui.alerts import Alert, Method, Notifier, TerminalNotifier, detect, sequence
from nekt_tui.alerts.terminal import BODY_LIMIT, TITLE_LIMIT

ESC, BEL, ST = "\x1b", "\x07", "\x1b\\"


@pytest.mark.parametrize(
    ("env", "method"),
    [
        ({"KITTY_WINDOW_ID": "1", "TERM": "xterm-kitty"}, Method.OSC99),
        ({"TERM": "xterm-kitty"}, Method.OSC99),
        ({"TERM_PROGRAM": "iTerm.app"}, Method.OSC9),
        ({"TERM_PROGRAM": "tmux", "LC_TERMINAL": "iTerm2"}, Method.OSC9),
        ({"TERM_PROGRAM": "ghostty", "TERM": "xterm-ghostty"}, Method.OSC9),
        ({"TERM_PROGRAM": "WezTerm"}, Method.OSC777),
        ({"TERM_PROGRAM": "tmux", "WEZTERM_PANE": "3"}, Method.OSC777),
        ({"TERM": "foot"}, Method.OSC777),
        ({"TERM": "rxvt-unicode-256color"}, Method.OSC777),
        ({"WT_SESSION": "0a1b"}, Method.OSC777),
        ({"VTE_VERSION": "7600", "TERM": "xterm-256color"}, Method.OSC777),
        ({"TERM": "xterm-256color"}, Method.BELL),
        ({"TERM_PROGRAM": "Apple_Terminal"}, Method.BELL),
        ({}, Method.BELL),
    ],
)
def test_each_terminal_gets_the_sequence_it_shows(env: dict[str, str], method: Method) -> None:
    assert detect(env) is method


def test_the_sequences_as_each_terminal_documents_them() -> None:
    assert sequence(Method.OSC9, "nekt-tui: x", "failed") == f"{ESC}]9;nekt-tui: x: failed{BEL}"
    assert sequence(Method.OSC777, "T", "B") == f"{ESC}]777;notify;T;B{BEL}"
    # kitty: the title (d=0, more follows), then the body completing the same id.
    assert sequence(Method.OSC99, "T", "B", ident=7) == (
        f"{ESC}]99;i=nekt7:d=0;T{ST}{ESC}]99;i=nekt7:d=1:p=body;B{ST}"
    )
    assert sequence(Method.BELL, "T", "B") == BEL


def test_inside_tmux_the_sequence_is_wrapped_for_passthrough() -> None:
    wrapped = sequence(Method.OSC777, "T", "B", tmux=True)
    assert wrapped == f"{ESC}Ptmux;{ESC}{ESC}]777;notify;T;B{BEL}{ST}"
    kitty = sequence(Method.OSC99, "T", "B", tmux=True, ident=1)
    inner = kitty.removeprefix(f"{ESC}Ptmux;").removesuffix(ST)
    # Every ESC inside is doubled, so tmux ends the passthrough only at the last ST.
    assert ESC not in inner.replace(ESC + ESC, "")
    assert sequence(Method.BELL, "T", "B", tmux=True) == BEL  # tmux rings it itself


HOSTILE = [
    "\x1b]0;owned\x07",  # retitle the window
    "\x1b]52;c;ZXZpbA==\x07",  # write the clipboard
    "\x9d777;notify;fake;fake\x9c",  # the same, 8-bit
    "x\x07y",  # a lone BEL ends an OSC
    "x\x1b\\y",  # a lone ST ends one too
    "a;notify;Fake title;fake body",  # ; starts a new OSC 777 field
    "4;3;100",  # OSC 9;4 is a progress bar in some terminals
    "line\nnext\rover\u2028sep\u0085nel",
    "\u202eevil\u202c",  # bidi override
    "\x00\x01\x7f\x9b2J",
]


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("method", [Method.OSC9, Method.OSC777, Method.OSC99])
def test_server_text_cannot_break_out_of_a_notification(text: str, method: Method) -> None:
    seq = sequence(method, f"pipe {text}", f"error: {text}", ident=1)
    if method is Method.OSC99:
        title, body = seq.split(ST)[:2]
        assert re.fullmatch(r"\x1b\]99;i=nekt1:d=0;[^\x00-\x1f\x7f-\x9f;]*", title)
        assert re.fullmatch(r"\x1b\]99;i=nekt1:d=1:p=body;[^\x00-\x1f\x7f-\x9f;]*", body)
        assert seq.count(ESC) == 4
    else:
        pattern = (
            r"\x1b\]9;[^\x00-\x1f\x7f-\x9f;]*\x07"
            if method is Method.OSC9
            else (r"\x1b\]777;notify;[^\x00-\x1f\x7f-\x9f;]*;[^\x00-\x1f\x7f-\x9f;]*\x07")
        )
        assert re.fullmatch(pattern, seq), repr(seq)
    assert "\u202e" not in seq and "\u2028" not in seq


def test_long_text_is_cut() -> None:
    seq = sequence(Method.OSC777, "t" * 1000, "b" * 5000)
    _, _, title, body = seq.removesuffix(BEL).split(";")
    assert len(title) == TITLE_LIMIT and title.endswith("…")
    assert len(body) == BODY_LIMIT and body.endswith("…")


def _alert(status: str = "failed", error: str = "KeyError: 'id'") -> Alert:
    return Alert(
        run_id="3c90c3cc-0d44-4b50-8888-8dd25736052a",
        status=status,
        previous="running",
        name="pipe-x #42",
        pipeline="pipe-x",
        label="",
        started_at="2026-01-15T12:00:00Z",
        ended_at="2026-01-15T12:00:10Z",
        error=error if status == "failed" else "",
    )


def _notifier(
    policy: str, env: dict[str, str], *, may_ring: bool = True
) -> tuple[Notifier, list[str]]:
    written: list[str] = []
    return Notifier(
        policy, terminal=TerminalNotifier(written.append, env), may_ring=may_ring
    ), written


def test_a_failure_notification_says_which_run_and_why() -> None:
    notifier, written = _notifier("failures", {"TERM_PROGRAM": "WezTerm"})
    notifier.changes([_alert()])
    assert written == [
        f"{ESC}]777;notify;nekt-tui: pipe-x #42 failed;running → failed — KeyError: 'id'{BEL}"
    ]


@pytest.mark.parametrize(
    ("policy", "told"), [("off", []), ("failures", ["failed"]), ("all", ["running", "failed"])]
)
def test_the_policy_picks_the_changes(policy: str, told: list[str]) -> None:
    notifier, written = _notifier(policy, {"TERM_PROGRAM": "iTerm.app"})
    changes = notifier.changes([_alert("running"), _alert("failed")])
    assert [a.status for a in changes] == told
    assert len(written) == len(told)


def test_many_changes_at_once_make_one_summary_notification() -> None:
    notifier, written = _notifier("all", {"TERM_PROGRAM": "iTerm.app"})
    notifier.changes([_alert("failed")] * 3 + [_alert("success")] * 2)
    assert written == [f"{ESC}]9;nekt-tui: 5 runs changed: 3 failed, 2 success{BEL}"]


def test_an_unknown_terminal_gets_one_bell_unless_the_bell_is_off_or_rang() -> None:
    notifier, written = _notifier("all", {"TERM": "xterm-256color"})
    notifier.changes([_alert("failed"), _alert("success")])
    assert written == [BEL]
    notifier.changes([_alert("failed")], bell_rung=True)  # the bell policy rang already
    assert written == [BEL]
    quiet, nothing = _notifier("all", {"TERM": "xterm-256color"}, may_ring=False)
    quiet.changes([_alert("failed")])
    assert nothing == []
