"""The client's address, for throttling and the audit log.

Taken from the socket. Only when the socket peer is one of the configured trusted proxies
(`TRUSTED_PROXIES`) is `X-Forwarded-For` read: from its right end, skipping the proxies
themselves, so a client cannot choose its own address by sending the header.
"""

from __future__ import annotations

import ipaddress
from functools import cache
from typing import Any

from litestar import Request

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def parse_networks(spec: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in spec if item.strip())


def _ip(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(address)
    except ValueError:
        return None


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    ip = _ip(address)
    return ip is not None and any(ip in net for net in networks)


def resolve(peer: str, forwarded_for: str | None, trusted: tuple[Network, ...]) -> str:
    """The address of the client: the peer, or behind trusted proxies the right-most entry of
    `X-Forwarded-For` that is not itself a trusted proxy."""
    if not trusted or not forwarded_for or not _trusted(peer, trusted):
        return peer
    hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, trusted):
            return hop if _ip(hop) is not None else peer
    return hops[0] if hops else peer


def client_address(request: Request[Any, Any, Any]) -> str:
    peer = request.client.host if request.client else ""
    trusted = parse_networks(request.app.state.settings.trusted_proxies)
    return resolve(peer, request.headers.get("x-forwarded-for"), trusted)
