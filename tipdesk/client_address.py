"""Which address a request comes from: the socket's peer, or, when that peer is one of the
reverse proxies named in TIPDESK_TRUSTED_PROXIES, the rightmost address in X-Forwarded-For that
no trusted proxy wrote. The leftmost entries are whatever the client chose to send, so only the
hops our own proxies appended are believed; login throttling counts per address and must not
be dodged by a forged header."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network
from typing import Any

TrustedProxies = tuple[IPv4Network | IPv6Network, ...]


def parse_trusted_proxies(value: str) -> TrustedProxies:
    """`10.0.0.1, 192.168.0.0/16, ::1` → networks; ValueError names the entry that is neither
    an IP address nor a CIDR block."""
    networks = []
    for part in value.split(","):
        entry = part.strip()
        if not entry:
            continue
        try:
            networks.append(ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(f"'{entry[:60]}' is not an IP address or CIDR block") from None
    return tuple(networks)


def _trusted(address: str, proxies: TrustedProxies) -> bool:
    try:
        parsed = ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in proxies)


def _forwarded_hops(headers: Iterable[tuple[bytes, bytes]]) -> list[str]:
    hops: list[str] = []
    for name, value in headers:
        if name.lower() == b"x-forwarded-for":
            hops.extend(hop.strip() for hop in value.decode("latin-1").split(","))
    return hops


def client_address(scope: Mapping[str, Any], proxies: TrustedProxies) -> str:
    """The address to count a request against ("unknown" when the server names no peer)."""
    peer = scope.get("client")
    address = str(peer[0]) if peer else "unknown"
    if not proxies or not _trusted(address, proxies):
        return address
    for hop in reversed(_forwarded_hops(scope.get("headers", []))):
        try:
            ip_address(hop)
        except ValueError:
            return address  # a garbled hop: believe no further than the last trusted one
        if not _trusted(hop, proxies):
            return hop
        address = hop
    return address
