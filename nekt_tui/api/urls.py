"""The API's base URL and its check, apart from the client so the config needs no httpx."""

from __future__ import annotations

from urllib.parse import urlsplit

DEFAULT_BASE_URL = "https://api.nekt.ai"
_LOOPBACK = {"localhost", "127.0.0.1", "::1", "[::1]"}


def check_base_url(url: str) -> str:
    """Return the URL without a trailing slash; refuse plain http:// except on loopback."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"API URL {url!r} is not an http(s) URL like {DEFAULT_BASE_URL}")
    if parts.scheme == "http" and parts.hostname not in _LOOPBACK:
        raise ValueError(
            f"API URL {url!r} uses plain http:// to a non-loopback host; use https:// "
            "(plain http is allowed only for a local simulator on 127.0.0.1/localhost)"
        )
    return url.rstrip("/")
