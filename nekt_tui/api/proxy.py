"""The connection pool the client sends through: direct, or via a proxy from the environment.

httpx picks a proxy per URL inside `AsyncClient` (`HTTPS_PROXY`, `ALL_PROXY`, `NO_PROXY`),
but only exposes the choice through a private method. The client talks to one host, so it
makes the choice once, here, with the same rules (`urllib.request.getproxies`, as httpx
reads it, and httpx's reading of `NO_PROXY`, after curl's), and builds the transport with
httpx's public `AsyncHTTPTransport`. Requests then go straight to it, as before.
"""

from __future__ import annotations

import ipaddress
import re
import urllib.request

import httpx


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("/")[0])
    except ValueError:
        return False
    return True


def _no_proxy_matches(entry: str, url: httpx.URL) -> bool:
    """Whether one `NO_PROXY` entry covers `url`, as httpx reads it: `example.com` is it
    and its subdomains, `.example.com` only its subdomains, an IP address or `localhost`
    only itself, `scheme://host[:port]` as written."""
    if "://" not in entry:
        host = entry if _is_ip(entry) or entry.lower() == "localhost" else f"*{entry}"
        entry = f"all://[{host}]" if ":" in host and _is_ip(host) else f"all://{host}"
    try:
        pattern = httpx.URL(entry)
    except httpx.InvalidURL:
        return False
    if pattern.scheme != "all" and pattern.scheme != url.scheme:
        return False
    if pattern.port is not None and pattern.port != url.port:
        return False
    host = pattern.host
    if not host or host == "*":
        return True
    if host.startswith("*."):
        regex = f"^.+\\.{re.escape(host[2:])}$"
    elif host.startswith("*"):
        regex = f"^(.+\\.)?{re.escape(host[1:])}$"
    else:
        regex = f"^{re.escape(host)}$"
    return re.match(regex, url.host) is not None


def environment_proxy(url: str) -> str | None:
    """The proxy URL the environment names for `url` (None: connect directly): the
    scheme's own (`HTTPS_PROXY`) before `ALL_PROXY`, none when `NO_PROXY` covers it."""
    target = httpx.URL(url)
    found = urllib.request.getproxies()
    for entry in (part.strip() for part in found.get("no", "").split(",")):
        if entry == "*":
            return None
        if entry and _no_proxy_matches(entry, target):
            return None
    for scheme in (target.scheme, "all"):
        value = found.get(scheme)
        if value:
            return value if "://" in value else f"http://{value}"
    return None


def transport_for(url: str, limits: httpx.Limits) -> httpx.AsyncHTTPTransport:
    """The pool for requests to `url`, through the environment's proxy if it names one;
    TLS verified, with the environment's CA settings (`SSL_CERT_FILE`...), as httpx does."""
    return httpx.AsyncHTTPTransport(
        verify=True, trust_env=True, limits=limits, proxy=environment_proxy(url)
    )


__all__ = ["environment_proxy", "transport_for"]
