"""`status` and `wait` against hostile answers from a real loopback server: one line and
exit 3, never a traceback, whatever the server sends or the local time zone is."""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from nekt_tui.cli import main
from tests.conftest import isolate

FIXTURES = Path(__file__).parent / "fixtures"
RID = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
KEY = "sk-test-hostile-71"
#: Zones far west and far east of UTC (POSIX TZ strings: no tz database needed).
WEST, EAST = "XXX+11", "YYY-14"

Answer = tuple[int, dict[str, str], bytes]


class Server:
    """A tiny HTTP/1.1 server on 127.0.0.1 in its own thread: every request gets `answer`."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.url = ""
        self.requests = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Server:
        self._thread.start()
        assert self._ready.wait(10), "the test server did not start"
        return self

    def __exit__(self, *_exc: object) -> None:
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)

    def _run(self) -> None:
        self._loop.run_until_complete(self._serve())
        self._loop.close()

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        self._ready.set()
        async with server:
            await self._stop.wait()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                if not head:
                    break
                self.requests += 1
                code, headers, body = self.answer
                lines = [f"HTTP/1.1 {code} X", f"content-length: {len(body)}"]
                lines += [f"{k}: {v}" for k, v in headers.items()]
                writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


def run_json(**changes: object) -> bytes:
    data = json.loads((FIXTURES / "seed_run.json").read_text())
    data.update(status="success")  # `wait` ends at once: only the dates are tested
    data.update(changes)
    return json.dumps(data).encode()


JSON = {"content-type": "application/json"}
DEEP = 1_200_000  # nested arrays: over 1 MiB
HOSTILE: dict[str, tuple[Answer, str | None]] = {
    "deep-json": ((200, JSON, b"[" * DEEP + b"]" * DEEP), None),
    "year-1-west": ((200, JSON, run_json(started_at="0001-01-01T00:00:00Z")), WEST),
    "year-9999-east": ((200, JSON, run_json(ended_at="9999-12-31T23:59:59Z")), EAST),
    "offset-2359": ((200, JSON, run_json(started_at="0001-01-01T00:00:00+23:59")), WEST),
    "offset-2359-end": ((200, JSON, run_json(ended_at="9999-12-31T23:59:59-23:59")), EAST),
    "retry-after-huge": ((429, {"retry-after": "999999999999"}, b"{}"), None),
}


@pytest.fixture
def in_zone() -> Iterator[Callable[[str | None], None]]:
    """Set the local time zone for this test; restored after it."""
    before = os.environ.get("TZ")

    def set_zone(zone: str | None) -> None:
        if zone is not None:
            os.environ["TZ"] = zone
            time.tzset()

    yield set_zone
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    isolate(tmp_path, monkeypatch)
    monkeypatch.setenv("NEKT_API_KEY", KEY)
    return tmp_path


@pytest.mark.parametrize(
    ("case", "command"),
    [
        (case, command)
        for case in HOSTILE
        for command in ("status", "wait")
        # `wait` honours a Retry-After (clamped): it waits, as it says; `status` does not.
        if not (case == "retry-after-huge" and command == "wait")
    ],
)
def test_hostile_answer_is_one_line_and_exit_3_never_a_traceback(
    isolated: Path,
    in_zone: Callable[[str | None], None],
    capsys: pytest.CaptureFixture[str],
    case: str,
    command: str,
) -> None:
    answer, zone = HOSTILE[case]
    in_zone(zone)
    extra = ["--timeout", "20"] if command == "wait" else []
    with Server(answer) as server:
        code = main([command, "--api-url", server.url, RID, *extra])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and "Error:" not in err, err
    if code == 0:  # a date that cannot be shown in UTC is still shown (as sent, or "-")
        assert RID in out and "success" in out
    else:
        assert code == 3, (code, err)
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("nekt-tui: "), err


def test_times_and_durations_are_total() -> None:
    from datetime import datetime, timedelta, timezone

    from nekt_tui.watch.plain import format_duration, format_time

    year_1 = datetime(1, 1, 1, tzinfo=timezone.utc)
    assert format_time(year_1) == "0001-01-01T00:00:00Z"
    early = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=23, minutes=59)))
    assert format_time(early) == "0001-01-01T00:00:00+23:59 (odd)"
    late = datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=-5)))
    assert format_time(late) == "9999-12-31T23:59:59-05:00 (odd)"
    assert format_duration(float("inf")) == "-" and format_duration(float("nan")) == "-"
    assert format_duration(65) == "1m05s"
