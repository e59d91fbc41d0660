"""The proxy the environment names is used as httpx would use it, without httpx's private
API (issue 14.3)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import nekt_tui
from nekt_tui.api.proxy import environment_proxy

API = "https://api.nekt.ai"
PROXY = "http://proxy.local:3128"
NAMES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "REQUEST_METHOD")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.mark.parametrize(
    ("env", "url", "expected"),
    [
        ({}, API, None),
        ({"HTTPS_PROXY": PROXY}, API, PROXY),
        ({"HTTPS_PROXY": "proxy.local:3128"}, API, PROXY),  # no scheme: http://
        ({"HTTP_PROXY": PROXY}, API, None),  # only for http:// URLs
        ({"HTTP_PROXY": PROXY}, "http://api.example.test", PROXY),
        ({"ALL_PROXY": PROXY}, API, PROXY),
        ({"ALL_PROXY": "http://all:1", "HTTPS_PROXY": PROXY}, API, PROXY),
        ({"HTTPS_PROXY": PROXY, "NO_PROXY": "*"}, API, None),
        ({"HTTPS_PROXY": PROXY, "NO_PROXY": "nekt.ai"}, API, None),  # and its subdomains
        ({"HTTPS_PROXY": PROXY, "NO_PROXY": "other.ai, api.nekt.ai"}, API, None),
        ({"HTTPS_PROXY": PROXY, "NO_PROXY": ".nekt.ai"}, API, None),
        ({"HTTPS_PROXY": PROXY, "NO_PROXY": ".nekt.ai"}, "https://nekt.ai", PROXY),
        ({"HTTPS_PROXY": PROXY, "NO_PROXY": "ekt.ai"}, API, PROXY),  # not a suffix match
        ({"HTTPS_PROXY": PROXY, "NO_PROXY": "127.0.0.1"}, "https://127.0.0.1:8000", None),
        ({"HTTPS_PROXY": PROXY, "NO_PROXY": "::1"}, "https://[::1]:8000", None),
        ({"HTTPS_PROXY": PROXY, "NO_PROXY": "localhost"}, "https://localhost", None),
        ({"HTTPS_PROXY": PROXY, "NO_PROXY": "localhost"}, "https://a.localhost", PROXY),
        ({"HTTPS_PROXY": PROXY, "NO_PROXY": "http://api.nekt.ai"}, API, PROXY),
        ({"HTTPS_PROXY": PROXY, "NO_PROXY": "https://api.nekt.ai"}, API, None),
        ({"HTTPS_PROXY": PROXY, "NO_PROXY": "all://api.nekt.ai:8443"}, API, PROXY),
        ({"HTTPS_PROXY": PROXY, "NO_PROXY": "all://api.nekt.ai:8443"}, API + ":8443", None),
    ],
)
def test_the_environment_proxy_is_chosen_as_httpx_chooses_it(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], url: str, expected: str | None
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert environment_proxy(url) == expected


def test_no_private_httpx_name_is_used() -> None:
    """httpx 0.29 is allowed only because nothing relies on its internals."""
    private = re.compile(r"httpx\._|\._transport_for_url|\._mounts\b")
    root = Path(nekt_tui.__file__).parent
    users = [p.name for p in root.rglob("*.py") if private.search(p.read_text("utf-8"))]
    assert users == []
