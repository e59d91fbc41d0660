"""What a list sends is untrusted: `runs` and `pipelines` tables show server text only
through the sanitiser (no escape sequence reaches the terminal), `--json` stays valid JSON
with control characters escaped."""

from __future__ import annotations

import argparse
import asyncio
import io
import json

from nekt_tui.api.client import NektClient
from nekt_tui.headless_lists import run_list_command
from tests.api.loopback import head, serve_requests

RID = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
EVIL = "evil\x1b]52;c;cHduZWQ=\x07\x1b[2J-\u009b31m"
RUNS = {
    "count": 1,
    "next": None,
    "results": [{"id": RID, "status": "failed", "pipeline": {"slug": EVIL, "type": "extractor"}}],
}
SOURCES = {
    "count": 1,
    "next": None,
    "results": [{"pipeline_slug": EVIL, "last_run": {"id": RID, "status": "failed"}}],
}


async def run(name: str, **given: object) -> tuple[int, str, str]:
    async def answer(writer: asyncio.StreamWriter, request: bytes) -> None:
        body = json.dumps(RUNS if b"/runs/" in request.split(b"\r\n")[0] else SOURCES).encode()
        writer.write(head(content_type="application/json", content_length=str(len(body))) + body)
        await writer.drain()

    defaults: dict[str, object] = {"status": (), "json": False, "pipeline": None, "limit": 50}
    args = argparse.Namespace(**{**defaults, **given})
    out, err = io.StringIO(), io.StringIO()
    async with serve_requests(answer) as served, NektClient("k", served.url) as client:
        code = await run_list_command(name, args, client, out, err)
    return code, out.getvalue(), err.getvalue()


async def test_tables_never_pass_escape_sequences_through() -> None:
    for name in ("runs", "pipelines"):
        code, out, err = await run(name)
        assert code == 0, err
        assert "evil" in out
        assert "\x1b" not in out and "\x07" not in out and "\u009b" not in out


async def test_json_is_valid_and_escapes_control_characters() -> None:
    code, out, _ = await run("runs", json=True)
    assert code == 0
    assert "\x1b" not in out and "\u009b" not in out
    assert json.loads(out)[0]["pipeline"]["slug"] == EVIL
