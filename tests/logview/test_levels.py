"""Level detection on real-looking log lines, including whole Python traceback blocks."""

from __future__ import annotations

import pytest

from nekt_tui.logview.levels import Level, LevelMap, line_facts, timestamp_span, word_level

E, W, INF, D, N = Level.ERROR, Level.WARNING, Level.INFO, Level.DEBUG, Level.NONE

CORPUS = [
    ("2024-01-01T00:00:00Z ERROR could not connect to postgres", E),
    ("2024-01-01T00:00:00.123Z CRITICAL disk full", E),
    ("2024-01-01 00:00:00,123 - tap_postgres - ERROR - failed", E),
    ("[ERROR] sync failed", E),
    ("[error] sync failed", E),
    ('level=error msg="sync failed"', E),
    ('{"level": "error", "msg": "boom"}', E),
    ("time=2024-01-01T00:00:00Z level=warning msg=slow", W),
    ("ERROR:root:something broke", E),
    ("FATAL: password authentication failed", E),
    ("Error: connection refused", E),
    ("ValueError: invalid literal for int() with base 10: 'x'", E),
    ('psycopg2.errors.UndefinedTable: relation "x" does not exist', E),
    ("KeyboardInterrupt", E),
    ("2024-01-01T00:00:00Z WARNING rate limited, retrying", W),
    ("WARN slow query", W),
    ("[Warning] deprecated option", W),
    ("/app/x.py:12: DeprecationWarning: use y instead", W),
    ("WARNING:singer:stream skipped", W),
    ("2024-01-01T00:00:00Z INFO synced 10 records", INF),
    ("2024-01-01T00:00:00Z DEBUG request sent", D),
    ("level=debug msg=tick", D),
    ("TRACE entering loop", D),
    ("just a line of output", N),
    ("", N),
    ("0 errors, 0 warnings", N),
    ("ERRORS_TOTAL=0", N),
    ("processed 10 rows (error_rate=0.0)", N),
    ("The ErrorHandler was registered", N),
    ("[bold red]not markup[/]", N),
    ("2024-01-01T00:00:00Z INFO retrying after ERROR", INF),  # the first level word wins
]


@pytest.mark.parametrize(("line", "level"), CORPUS)
def test_word_level_corpus(line: str, level: Level) -> None:
    assert word_level(line) is level


def _levels(lines: list[str]) -> list[Level]:
    m = LevelMap(lambda i: line_facts(lines[i]))
    return [m.level(i) for i in range(len(lines))]


TRACEBACK = [
    "2024-01-01T00:00:00Z INFO starting sync",
    "Traceback (most recent call last):",
    '  File "/app/tap/sync.py", line 42, in sync_stream',
    "    rows = fetch(cursor)",
    "           ^^^^^^^^^^^^^",
    '  File "/app/tap/db.py", line 7, in fetch',
    "    raise ConnectionError('reset by peer')",
    "ConnectionResetError: reset by peer",
    "2024-01-01T00:00:02Z INFO shutting down",
    "    an indented line that is not a frame",
]


def test_traceback_block_is_error_start_to_exception_line() -> None:
    levels = _levels(TRACEBACK)
    assert levels[0] is INF
    assert levels[1:8] == [E] * 7
    assert levels[8] is INF
    assert levels[9] is N  # indented, but no traceback above it


def test_traceback_with_timestamp_prefix_on_every_line() -> None:
    lines = [
        "2024-01-01T00:00:00Z Traceback (most recent call last):",
        '2024-01-01T00:00:00Z   File "x.py", line 1, in <module>',
        "2024-01-01T00:00:00Z     main()",
        "2024-01-01T00:00:00Z KeyError: 'id'",
        "2024-01-01T00:00:01Z done",
    ]
    assert _levels(lines) == [E, E, E, E, N]


def test_chained_tracebacks_are_all_errors() -> None:
    lines = [
        "Traceback (most recent call last):",
        '  File "a.py", line 1, in <module>',
        "KeyError: 'x'",
        "",
        "During handling of the above exception, another exception occurred:",
        "",
        "Traceback (most recent call last):",
        '  File "a.py", line 3, in <module>',
        "RuntimeError: wrapped",
    ]
    levels = _levels(lines)
    assert [levels[i] for i in (0, 1, 2, 4, 6, 7, 8)] == [E] * 7


def test_levels_do_not_depend_on_query_order() -> None:
    """Memoised block membership gives the same answer whichever line is asked first."""
    lines = TRACEBACK * 3
    forward = _levels(lines)
    m = LevelMap(lambda i: line_facts(lines[i]))
    backward = [m.level(i) for i in reversed(range(len(lines)))][::-1]
    assert backward == forward


def test_timestamp_span() -> None:
    assert timestamp_span("2024-01-01T00:00:00Z ERROR x") == (0, 20)
    assert timestamp_span("[2024-01-01 10:00:00,123] x") == (1, 24)
    assert timestamp_span("12:30:01.5 tick") == (0, 10)
    assert timestamp_span("no time here") is None
