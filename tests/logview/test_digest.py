"""The failure digest: why a run failed, in one safe line, found from the log's end."""

from __future__ import annotations

import random

import pytest

from nekt_tui.logview.digest import LIMIT, failure_digest
from nekt_tui.simulator.tracebacks import make_failure

CHAINED = """\
2026-01-15T12:00:00Z INFO tap-postgres | Syncing public.orders
2026-01-15T12:00:03Z ERROR tap-postgres | Stream 'public-orders' failed while reading public.orders
Traceback (most recent call last):
  File "/opt/venv/sqlalchemy/engine/default.py", line 924, in do_execute
    cursor.execute(statement, parameters)
psycopg2.errors.OperationalError: server closed the connection unexpectedly
\tThis probably means the server terminated abnormally

The above exception was the direct cause of the following exception:

Traceback (most recent call last):
  File "/opt/nekt/runner/extract.py", line 88, in run_extraction
    tap.sync_all()
  File "/opt/venv/singer_sdk/tap_base.py", line 502, in sync_all
    raise StreamSyncError(stream.name) from exc
singer_sdk.exceptions.StreamSyncError: public.orders: connection lost
2026-01-15T12:00:04Z INFO runner | cleaning up
"""


def test_the_last_traceback_of_a_chain_gives_its_exception_line() -> None:
    assert (
        failure_digest(CHAINED)
        == "singer_sdk.exceptions.StreamSyncError: public.orders: connection lost"
    )


def test_a_single_traceback() -> None:
    log = CHAINED.split("\nThe above exception")[0] + "\n"
    assert failure_digest(log) == (
        "psycopg2.errors.OperationalError: server closed the connection unexpectedly"
    )


def test_timestamped_traceback_lines() -> None:
    log = (
        "2026-01-15 12:00:00 tap | Traceback (most recent call last):\n"
        '2026-01-15 12:00:00 tap |   File "x.py", line 1, in <module>\n'
        "2026-01-15 12:00:00 tap |     main()\n"
        "2026-01-15 12:00:00 tap | KeyError: 'customer_id'\n"
    )
    assert failure_digest(log) == "KeyError: 'customer_id'"


@pytest.mark.parametrize(
    ("kind", "tool"),
    [
        ("singer", "tap-postgres"),
        ("singer", "tap-hubspot"),
        ("dbt", "dbt"),
        ("spark", "spark"),
        ("sql", "sql"),
        ("reverse", "census"),
    ],
)
def test_the_simulators_failures(kind: str, tool: str) -> None:
    failure = make_failure(kind, tool, "public-orders", random.Random(3))
    log = "INFO starting\n" + f"ERROR {failure.message}\n" + "\n".join(failure.traceback) + "\n"
    digest = failure_digest(log)
    assert digest is not None
    tracebacks = [i for i, line in enumerate(failure.traceback) if line.startswith("Traceback")]
    if tracebacks:
        last = failure.traceback[tracebacks[-1] :]
        expected = next(line for line in last[1:] if line and not line[0].isspace())
        assert digest == expected[: LIMIT - 1] + "…" if len(expected) > LIMIT else expected
    else:
        assert failure.message in digest


def test_error_lines_only_gives_the_last_one() -> None:
    log = (
        "2026-01-15T12:00:00Z ERROR dbt | first problem\n"
        "2026-01-15T12:00:01Z INFO dbt | retrying\n"
        "2026-01-15T12:00:02Z CRITICAL dbt | model orders failed: relation does not exist\n"
        "2026-01-15T12:00:03Z INFO dbt | Done. PASS=3 ERROR=0 SKIP=0\n"
        "2026-01-15T12:00:04Z INFO dbt | exit\n"
    )
    assert failure_digest(log) == "CRITICAL dbt | model orders failed: relation does not exist"


@pytest.mark.parametrize("word", ["FATAL", "level=error", "[error]"])
def test_other_error_spellings(word: str) -> None:
    log = f"12:00:00 INFO ok\n12:00:01 {word} disk full\n12:00:02 INFO bye\n"
    assert failure_digest(log) == f"{word} disk full"


@pytest.mark.parametrize(
    "log", [None, "", "\n\n", "INFO all good\nWARNING slow\nDEBUG done\n", "no levels at all"]
)
def test_no_error_gives_none(log: str | None) -> None:
    assert failure_digest(log) is None


def test_a_traceback_cut_off_before_its_exception_line_falls_back_to_error_lines() -> None:
    log = 'ERROR job died\nTraceback (most recent call last):\n  File "x.py", line 1\n'
    assert failure_digest(log) == "ERROR job died"


def test_hostile_text_is_sanitised_and_stays_one_line() -> None:
    evil = "ValueError: bad \x1b]0;pwned\x07title \x1b[2Jclear \x9b31m [@click=app.quit]x[/] \x07\r"
    log = 'Traceback (most recent call last):\n  File "x.py", line 1\n' + evil + "\nINFO after\n"
    digest = failure_digest(log)
    assert digest is not None
    assert "\x1b" not in digest and "\x9b" not in digest and "\x07" not in digest
    assert "\n" not in digest and "\r" not in digest
    assert digest.startswith("ValueError: bad title clear")
    assert "[@click=app.quit]x[/]" in digest  # markup is plain text: the caller never renders it


def test_a_long_error_line_is_cut_to_one_short_line() -> None:
    log = "ERROR " + "x" * 5000 + "\n"
    digest = failure_digest(log)
    assert digest is not None and len(digest) == LIMIT and digest.endswith("…")
    assert digest.startswith("ERROR xxx")


def test_crlf_log() -> None:
    log = "INFO a\r\nERROR broken pipe\r\nINFO b\r\n"
    assert failure_digest(log) == "ERROR broken pipe"


def test_a_200000_line_log() -> None:
    lines = [f"2026-01-15T12:00:00Z INFO tap | record {i} ok" for i in range(200_000)]
    lines[1234] = "2026-01-15T12:00:00Z ERROR tap | early and recovered"
    lines[150_000] = "2026-01-15T12:00:00Z ERROR tap | the real one"
    assert failure_digest("\n".join(lines)) == "ERROR tap | the real one"
    lines[10] = "Traceback (most recent call last):"
    lines[11] = '  File "x.py", line 1'
    lines[12] = "RuntimeError: from the traceback"
    assert failure_digest("\n".join(lines)) == "RuntimeError: from the traceback"
    lines[199_990] = "Traceback (most recent call last):"
    lines[199_991] = "    frame"
    lines[199_992] = "OSError: near the end"
    assert failure_digest("\n".join(lines)) == "OSError: near the end"
