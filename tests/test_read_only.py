"""Read-only mode (`--read-only`, `read_only = true`, `NEKT_TUI_READ_ONLY=1`): the client
refuses any request but a GET before it reaches the transport, and every way of asking
for the mode reaches it."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from nekt_tui.api.client import NektClient
from nekt_tui.api.errors import ReadOnlyError
from nekt_tui.cli import main, split_subcommand
from nekt_tui.config import ConfigError, load_config
from nekt_tui.ui.factory import build_app
from tests.conftest import SimServer

KEY = "sk-live-SECRET-readonly-1"
RID = "3c90c3cc-0d44-4b50-8888-8dd25736052a"


def _run(run_id: str, status: str) -> dict[str, object]:
    return {"id": run_id, "status": status, "created_at": "2026-01-15T11:58:00Z"}


def _counting(seen: list[httpx.Request]) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        status = "cancelling" if request.method == "POST" else "running"
        return httpx.Response(200, json=_run(RID, status))

    return httpx.MockTransport(handle)


async def test_a_read_only_client_sends_gets_and_refuses_a_cancel_before_the_transport() -> None:
    seen: list[httpx.Request] = []
    async with NektClient(
        KEY, "https://api.example", transport=_counting(seen), read_only=True
    ) as client:
        run = await client.get_run(RID)
        assert run.id == RID
        with pytest.raises(ReadOnlyError) as refused:
            await client.cancel_run(RID)
    assert [r.method for r in seen] == ["GET"]  # the POST never reached the transport
    message = str(refused.value)
    assert message.startswith("read-only mode: POST /api/v1/runs/")
    assert KEY not in message and "\n" not in message
    assert refused.value.short == "read-only"


async def test_without_read_only_the_same_cancel_is_sent() -> None:
    """The control: the transport above does see a POST when the mode is off."""
    seen: list[httpx.Request] = []
    async with NektClient(KEY, "https://api.example", transport=_counting(seen)) as client:
        await client.cancel_run(RID)
    assert [r.method for r in seen] == ["POST"]


class CountingTransport(httpx.AsyncBaseTransport):
    """Wraps the real transport and records every request handed to it."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.methods: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.methods.append(request.method)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def test_against_a_real_server_only_gets_leave_a_read_only_client(
    sim_server: SimServer,
) -> None:
    transport = CountingTransport(httpx.AsyncHTTPTransport())
    rid = sim_server.run_ids[0]
    async with NektClient(
        sim_server.key, sim_server.url, transport=transport, read_only=True
    ) as client:
        assert (await client.get_run(rid)).id == rid
        with pytest.raises(ReadOnlyError):
            await client.cancel_run(rid)
        assert (await client.list_runs()).results
    assert transport.methods == ["GET", "GET"]


# ---- asking for the mode -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "env", "flag", "expected"),
    [
        ("", {}, None, False),
        ("read_only = true\n", {}, None, True),
        ("read_only = false\n", {}, True, True),
        ("", {"NEKT_TUI_READ_ONLY": "1"}, None, True),
        ("", {"NEKT_TUI_READ_ONLY": "true"}, None, True),
        ("read_only = true\n", {"NEKT_TUI_READ_ONLY": "0"}, None, False),
        ("", {"NEKT_TUI_READ_ONLY": "no"}, True, True),
    ],
    ids=["default", "file", "flag-over-file", "env-1", "env-true", "env-over-file", "flag"],
)
def test_the_mode_comes_from_the_flag_the_environment_or_the_file(
    tmp_path: Path, file: str, env: dict[str, str], flag: bool | None, expected: bool
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(file)
    overrides = {"config_file": str(path), "read_only": flag}
    assert load_config(overrides, env, need_key=False).read_only is expected


def test_a_wrong_value_in_the_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('read_only = "yes"\n')
    with pytest.raises(ConfigError, match="'read_only' has the wrong type"):
        load_config({"config_file": str(path)}, {}, need_key=False)


def test_a_wrong_environment_value_exits_2_with_one_line(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NEKT_TUI_READ_ONLY", "maybe")
    for argv in (["status", RID], ["--demo"]):
        assert main(argv) == 2
        lines = capsys.readouterr().err.strip().splitlines()
        assert lines == [
            "nekt-tui: NEKT_TUI_READ_ONLY must be 1 or 0 (or true/false, yes/no, on/off), "
            "got 'maybe'"
        ]


def test_the_flag_is_global_like_the_others() -> None:
    assert split_subcommand(["--read-only", "status", RID]) == ("status", [RID, "--read-only"])
    assert split_subcommand(["--read-only", "--api-url", "U", "wait", RID]) == (
        "wait",
        [RID, "--read-only", "--api-url", "U"],
    )
    assert split_subcommand(["--read-only", RID]) == (None, ["--read-only", RID])


@pytest.mark.parametrize("where", ["before", "after"])
@pytest.mark.parametrize("command", ["status", "wait"])
def test_status_and_wait_take_the_flag_before_or_after(
    sim_server: SimServer,
    isolated: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
    where: str,
) -> None:
    monkeypatch.setenv("NEKT_API_KEY", sim_server.key)
    # A run already over: `wait` returns at once.
    rid = next(r.id for r in sim_server.runs.values() if r.status == "success")
    extra = ["--timeout", "120"] if command == "wait" else []
    flags = ["--read-only", "--api-url", sim_server.url]
    argv = [*flags, command, rid, *extra] if where == "before" else [command, *flags, rid, *extra]
    code = main(argv)
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert rid in captured.out


def test_the_app_is_built_read_only(isolated: Path) -> None:
    config = load_config({"read_only": True}, {"NEKT_API_KEY": KEY}, need_key=True)
    app = build_app(config, demo=False, initial_text=None)
    assert app.session.read_only
    assert app.session.make_source is not None
    typed = app.session.make_source(KEY)  # a key typed with K is read-only too
    assert isinstance(typed, NektClient) and typed.read_only
