"""Secrets: where the key comes from, and every place it must never show up."""

from __future__ import annotations

import argparse
import asyncio
import base64
import io
import json
import logging
import os
import ssl
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from textual.widgets import Static

from nekt_tui.api.client import NektClient, check_base_url
from nekt_tui.api.errors import NektError
from nekt_tui.cli import main
from nekt_tui.clock import FakeClock
from nekt_tui.config import ConfigError, load_config
from nekt_tui.headless import run_status
from nekt_tui.simulator import DEMO_KEY, Faults, World, app_transport
from nekt_tui.ui.app import FRAME
from nekt_tui.ui.factory import build_app
from nekt_tui.watch.events import AuthProblem, Event, PollFailed
from tests.api.loopback import head, serve
from tests.app_parts import make_app

from .conftest import SECRET, SECRET_TAIL

ROOT = Path(__file__).resolve().parents[2]
RID = "3c90c3cc-0d44-4b50-8888-8dd25736052a"


def leaks(text: str) -> bool:
    """The key, or a recognisable part of it, is in `text`."""
    return SECRET in text or SECRET_TAIL in text or SECRET[:20] in text


def write_private(path: Path, text: str, mode: int = 0o600) -> Path:
    path.write_text(text)
    path.chmod(mode)
    return path


def key_sources(tmp_path: Path) -> dict[str, tuple[dict[str, str], str]]:
    """Each way to give the key: (environment, expected key_source prefix)."""
    script = write_private(tmp_path / "pass.py", f"print({SECRET!r})\n")
    cmd_cfg = write_private(
        tmp_path / "cmd.toml", f"api_key_cmd = '{sys.executable} {script}'\n", mode=0o644
    )
    file_cfg = write_private(tmp_path / "file.toml", f'api_key = "{SECRET}"\n')
    empty_cfg = tmp_path / "none.toml"
    return {
        "env": ({"NEKT_API_KEY": SECRET, "NEKT_TUI_CONFIG": str(empty_cfg)}, "NEKT_API_KEY"),
        "config": ({"NEKT_TUI_CONFIG": str(file_cfg)}, "api_key in"),
        "command": ({"NEKT_TUI_CONFIG": str(cmd_cfg)}, "api_key_cmd in"),
    }


def two_runs(clock: FakeClock) -> World:
    world = World(seed=8, clock=clock, n_runs=0)
    world.add_run((("running", 40.0),), "failed")
    world.add_run((("queued", 5.0), ("running", 3600.0)), "success")
    return world


@pytest.mark.parametrize("source", ["env", "config", "command"])
async def test_key_from_each_source_is_used_and_never_shown_logged_or_saved(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    source: str,
) -> None:
    env, key_source = key_sources(tmp_path)[source]
    state = tmp_path / "state" / "watchlist.json"
    env["NEKT_TUI_STATE"] = str(state)
    config = load_config({}, env=env)
    assert config.key_source.startswith(key_source)
    assert config.api_key is not None and config.api_key.reveal() == SECRET

    # The app as `nekt-tui` builds it, its client talking to a simulator in-process that
    # accepts only this key (so every success below proves the key was sent).
    clock = FakeClock()
    world = two_runs(clock)
    faults = Faults(seed=2)
    transport = app_transport(world, SECRET, faults)
    made: list[NektClient] = []

    def client(key: str, url: str, **options: Any) -> NektClient:
        made.append(NektClient(key, url, transport=transport, sleep=clock.sleep, now=clock.now))
        return made[-1]

    monkeypatch.setattr("nekt_tui.api.client.NektClient", client)
    caplog.set_level(logging.DEBUG)
    app = build_app(config, demo=False, initial_text=" ".join(world.run_ids), clock=clock)
    events: list[Event] = []
    handle = app.on_engine_event

    def spy(event: Event) -> None:
        events.append(event)
        handle(event)

    app.on_engine_event = spy  # type: ignore[method-assign]
    shots: list[str] = []
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await clock.advance(10)
        await clock.advance(FRAME)  # the frame timer runs on the clock
        await pilot.pause()
        assert made and made[0].base_url == "https://api.nekt.ai"
        assert any(r.status == 200 for r in world.requests)
        shots.append(app.export_screenshot())
        # Errors of every kind, then the key is refused: all said, none with the key.
        faults.set(error_rate=0.5, timeout_rate=0.2, malformed_rate=0.2, html_rate=0.1)
        # Faults are drawn at random: go on (in fake time) until three kinds were seen.
        for _ in range(60):
            await clock.advance(5)
            kinds = {type(e.error) for e in events if isinstance(e, PollFailed)}
            if len(kinds) >= 3:
                break
        await clock.advance(FRAME)  # the frame timer runs on the clock
        await pilot.pause()
        shots.append(app.export_screenshot())
        faults.off()
        transport.app.revoke_key()
        # The next poll (a run may be backing off after the faults: fake time) meets it.
        for _ in range(24):
            await clock.advance(5)
            if app.conn.kind == "auth":
                break
        await clock.advance(FRAME)  # the frame timer runs on the clock
        await pilot.pause()
        assert app.conn.kind == "auth"
        await pilot.press("question_mark")
        shots.append(app.export_screenshot())
        await pilot.press("escape", "a")
        shots.append(app.export_screenshot())
        await pilot.press("escape")
        notice = str(app.main.query_one("#notice", Static).render())
        toasts = [n.message for n in app.toasts]

    errors: list[NektError] = [e.error for e in events if isinstance(e, PollFailed | AuthProblem)]
    assert any(isinstance(e, AuthProblem) for e in events)
    assert len({type(e) for e in errors}) >= 3, errors
    for shot in shots:
        assert not leaks(shot)
    assert "NEKT_API_KEY" in notice and not leaks(notice)
    assert not any(leaks(t) for t in toasts)
    for error in errors:
        text = "".join(traceback.format_exception(error))
        assert not leaks(str(error) + repr(error) + repr(error.args) + text)
    assert not leaks(caplog.text)
    for record in caplog.records:
        assert not leaks(record.getMessage())
        if record.exc_info:
            assert not leaks("".join(traceback.format_exception(*record.exc_info)))
    assert state.exists() and not leaks(state.read_text())
    assert not leaks(repr(config) + str(config) + repr(made[0]))


def test_the_key_is_never_taken_on_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["--api-key", SECRET], ["status", RID, "--api-key", SECRET]):
        assert _exit_code(main, argv) == 2
        err = capsys.readouterr().err
        assert "unrecognized arguments" in err


def _exit_code(func: Callable[[list[str]], int], argv: list[str]) -> int:
    try:
        return func(argv)
    except SystemExit as exc:
        return int(exc.code or 0)


@pytest.mark.parametrize("where", ["env", "config"])
@pytest.mark.parametrize("argv", [["--help"], ["status", "--help"], ["wait", "--help"]])
def test_help_never_shows_the_key(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    where: str,
    argv: list[str],
) -> None:
    cfg = write_private(tmp_path / "c.toml", f'api_key = "{SECRET}"\n')
    monkeypatch.setenv("NEKT_TUI_CONFIG", str(cfg))
    if where == "env":
        monkeypatch.setenv("NEKT_API_KEY", SECRET)
    assert _exit_code(main, argv) == 0
    out = capsys.readouterr()
    assert "usage:" in out.out and not leaks(out.out + out.err)


async def test_demo_screens_never_show_the_key_or_any_token_value() -> None:
    clock = FakeClock()
    world = World.demo(clock)
    client = NektClient(
        DEMO_KEY,
        "http://127.0.0.1:8765",
        transport=app_transport(world, DEMO_KEY),
        sleep=clock.sleep,
        now=clock.now,
    )
    from nekt_tui.ui.state.store import RunStore, StoredRun

    app = make_app(
        source=client,
        clock=clock,
        store=RunStore.in_memory(StoredRun(r, None, None) for r in world.run_ids),
        host="simulator",
        demo=True,
        on_close=client.aclose,
    )
    secrets = [DEMO_KEY, *(token.value for token in world.tokens)]
    async with app.run_test(size=(200, 60)) as pilot:
        await clock.advance(5)
        await clock.advance(FRAME)  # the frame timer runs on the clock
        await pilot.pause()
        for run_id in world.run_ids:  # every run's status panel, one after the other
            app.widgets.watch_list.select(run_id)
            await pilot.pause()
            shot = app.export_screenshot()
            assert not any(s in shot for s in secrets), run_id


SCREENSHOTS = sorted((ROOT / "screenshots").glob("*.svg"))


@pytest.mark.skipif(not SCREENSHOTS, reason="no screenshots/*.svg yet")
@pytest.mark.parametrize("shot", SCREENSHOTS, ids=[p.name for p in SCREENSHOTS])
def test_published_screenshots_hold_no_key_or_token(shot: Path) -> None:
    from nekt_tui.simulator import World as DemoWorld

    world = DemoWorld.demo(FakeClock())
    text = shot.read_text()
    assert DEMO_KEY not in text
    assert "FAKE-SIMULATOR-TOKEN-" not in text
    assert not any(token.value in text for token in world.tokens)


# ---- the config file's permissions ---------------------------------------------------------


@pytest.mark.skipif(os.name != "posix", reason="file modes")
@pytest.mark.parametrize("mode", [0o640, 0o604, 0o660, 0o620, 0o602, 0o610, 0o601])
def test_key_file_open_to_group_or_others_is_refused_with_chmod(tmp_path: Path, mode: int) -> None:
    path = write_private(tmp_path / "c.toml", f'api_key = "{SECRET}"\n', mode=mode)
    with pytest.raises(ConfigError) as err:
        load_config({}, env={"NEKT_TUI_CONFIG": str(path)})
    assert f"chmod 600 {path}" in str(err.value) and not leaks(str(err.value))


@pytest.mark.skipif(os.name != "posix", reason="file modes")
@pytest.mark.parametrize("mode", [0o600, 0o400, 0o700])
def test_private_key_file_is_accepted(tmp_path: Path, mode: int) -> None:
    path = write_private(tmp_path / "c.toml", f'api_key = "{SECRET}"\n', mode=mode)
    config = load_config({}, env={"NEKT_TUI_CONFIG": str(path)})
    assert config.api_key is not None and config.api_key.reveal() == SECRET


@pytest.mark.skipif(os.name != "posix", reason="file modes")
def test_open_key_file_refused_by_the_app_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_private(tmp_path / "c.toml", f'api_key = "{SECRET}"\n', mode=0o644)
    monkeypatch.setenv("NEKT_TUI_CONFIG", str(path))
    monkeypatch.delenv("NEKT_API_KEY", raising=False)
    monkeypatch.setattr("nekt_tui.ui.factory.build_app", _no_app)
    assert main([]) == 2
    err = capsys.readouterr().err
    assert f"chmod 600 {path}" in err and not leaks(err) and len(err.splitlines()) == 1


def _no_app(*_args: object, **_kwargs: object) -> None:
    raise AssertionError("the app must not start")


# ---- TLS and plain http ----------------------------------------------------------------------


def test_tls_verification_is_on_and_cannot_be_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "PYTHONHTTPSVERIFY": "0",
        "NEKT_INSECURE": "1",
        "NEKT_TLS_VERIFY": "0",
        "CURL_CA_BUNDLE": "",
        "REQUESTS_CA_BUNDLE": "",
    }.items():
        monkeypatch.setenv(name, value)
    client = NektClient(SECRET)
    transport = client._http._transport
    assert isinstance(transport, httpx.AsyncHTTPTransport)
    context = transport._pool._ssl_context
    assert context is not None
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    import inspect

    options = set(inspect.signature(NektClient).parameters)
    assert not options & {"verify", "insecure", "ssl", "cert", "trust_env"}
    assert client.base_url.startswith("https://")


@pytest.mark.parametrize("setting", ["verify = false", "insecure = true", "tls_verify = false"])
def test_no_config_setting_turns_tls_off(tmp_path: Path, setting: str) -> None:
    path = write_private(tmp_path / "c.toml", setting + "\n")
    with pytest.raises(ConfigError, match="unknown setting"):
        load_config({}, env={"NEKT_TUI_CONFIG": str(path)})


@pytest.mark.parametrize("flag", ["--insecure", "--no-verify", "-k"])
def test_no_flag_turns_tls_off(flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert _exit_code(main, ["status", RID, flag]) == 2
    assert _exit_code(main, [flag]) == 2
    assert "unrecognized arguments" in capsys.readouterr().err


async def test_a_redirect_is_never_followed_so_the_key_stays_home() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.host == "api.nekt.ai":
            return httpx.Response(302, headers={"location": f"http://evil.example/{RID}/"})
        return httpx.Response(200, json={"id": RID, "status": "running"})

    async with NektClient(SECRET, transport=httpx.MockTransport(handler)) as client:
        with pytest.raises(NektError):
            await client.get_run(RID)
    assert [r.url.host for r in seen] == ["api.nekt.ai"]


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com",
        "http://api.nekt.ai",
        "http://127.0.0.1.evil.example",
        "http://localhost.evil.example:8765",
        "http://localhost@evil.example",
        "http://127.0.0.1:80@evil.example/",
        "http://evil.example#@127.0.0.1",
        "http://evil.example/?@localhost",
        "http://10.0.0.5",
        "http://0.0.0.0:8765",
        "ftp://api.nekt.ai",
        "api.nekt.ai",
        "https://",
    ],
)
def test_plain_http_is_refused_unless_loopback(url: str) -> None:
    with pytest.raises(ValueError):
        check_base_url(url)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8765", "http://localhost:1", "http://[::1]:9"])
def test_plain_http_to_loopback_is_allowed(url: str) -> None:
    assert check_base_url(url) == url


@pytest.mark.parametrize(
    "argv",
    [
        ["status", RID, "--api-url", "http://example.com"],
        ["wait", RID, "--api-url", "http://example.com"],
        ["--api-url", "http://example.com"],
    ],
)
@pytest.mark.parametrize("via", ["flag", "env"])
def test_cli_refuses_plain_http_to_a_remote_host(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    via: str,
) -> None:
    monkeypatch.setenv("NEKT_TUI_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("NEKT_API_KEY", SECRET)
    monkeypatch.setattr("nekt_tui.ui.factory.build_app", _no_app)
    if via == "env":
        argv = argv[:-2]
        monkeypatch.setenv("NEKT_API_URL", "http://example.com")
    assert _exit_code(main, argv) == 2
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert "http://example.com" in lines[0] and "https://" in lines[0] and not leaks(err)


# ---- a server that echoes the key (issue 13.5) ----------------------------------------------

TOKEN = "nk_live_Zx81Qw7Lm3Np5Rt9"
ECHOES = [
    f"Invalid key {SECRET}.",
    f"key={quote(SECRET, safe='')}&token={TOKEN}",
    f"Basic {base64.b64encode(f'user:{SECRET}'.encode()).decode()}",
    f"you sent {SECRET[:24]}… and {TOKEN}",
    f"\x1b[31m{SECRET[:10]}\x1b[0m{SECRET[10:]}",  # split by an escape sanitising removes
]


@pytest.mark.parametrize("status", [401, 403, 400, 500])
async def test_a_server_echoing_the_key_never_gets_it_shown(status: int) -> None:
    async def answer(writer: asyncio.StreamWriter) -> None:
        body = json.dumps({"detail": " | ".join(ECHOES)}).encode()
        writer.write(head(f"{status} No", content_length=str(len(body))) + body)
        await writer.drain()

    async def no_sleep(_seconds: float) -> None:
        pass

    async with serve(answer) as server, NektClient(SECRET, server.url, sleep=no_sleep) as client:
        with pytest.raises(NektError) as err:
            await client.get_run(RID)
        out, errors = io.StringIO(), io.StringIO()
        args = argparse.Namespace(run_ids=[RID], json=False)
        assert await run_status(args, client, out, err=errors) == 3
    error = err.value
    assert getattr(error, "status_code", None) == status
    assert str(error).count("[redacted]") >= 7  # every echo was there, and redacted
    said = str(error) + repr(error) + repr(error.args) + str(getattr(error, "detail", ""))
    said += "".join(traceback.format_exception(error)) + errors.getvalue()
    assert not leaks(said) and TOKEN not in said
    assert (
        quote(SECRET, safe="") not in said
        and base64.b64encode(SECRET.encode()) not in said.encode()
    )
