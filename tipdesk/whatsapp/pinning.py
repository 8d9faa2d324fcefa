"""A transport that connects only to addresses it has checked itself.

Matching a URL's host name is not enough: `media.example.net` may resolve to 127.0.0.1 or the
cloud's metadata service, and a name checked once may resolve differently a moment later (DNS
rebinding). So the transport resolves the name, refuses internal addresses, and connects to the
very address it checked, while TLS still sends and verifies the host name (SNI and certificate)
and the Host header stays the name.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket

import httpx

from tipdesk.host_list import HostEntry, MediaHosts, host_label, origin
from tipdesk.whatsapp.media_hosts import MediaRefused, entry_for

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
# Cloud metadata services; both are internal by class too, named here so a change in
# `ipaddress`'s tables can never let them through.
METADATA = frozenset(
    {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
)


def is_internal(address: Address) -> bool:
    """Loopback, private, link-local, reserved, multicast, unspecified, metadata, or anything
    else not globally routable (carrier NAT, documentation ranges)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return (
        address in METADATA
        or address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_reserved
        or address.is_multicast
        or address.is_unspecified
        or not address.is_global
    )


async def resolve(host: str, port: int) -> list[Address]:
    """Every address the system resolver gives, off the event loop."""
    loop = asyncio.get_running_loop()
    try:
        found = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise httpx.ConnectError(f"{host} does not resolve ({type(exc).__name__})") from exc
    # The scope of a link-local IPv6 address (`%eth0`) is dropped: such addresses are refused.
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found]


async def checked_address(host: str, port: int, entry: HostEntry) -> Address:
    """The address to connect to; MediaRefused when the name leads inside.

    One internal address among several refuses the lot: a resolver that mixes them is either
    misconfigured or being played, and the connection must not depend on which one comes first.
    """
    addresses = await resolve(host, port)
    if not addresses:
        raise httpx.ConnectError(f"{host} has no address")
    if entry.vouches_for_address:
        return addresses[0]
    for address in addresses:
        if is_internal(address):
            raise MediaRefused(
                f"{host_label(host)}:{port} resolves to an internal address ({address}), "
                f"which only an entry naming that address in TIPDESK_MEDIA_HOSTS allows"
            )
    return addresses[0]


class PinnedTransport(httpx.AsyncBaseTransport):
    """Checks each request against the media hosts, then connects to the checked address."""

    def __init__(self, hosts: MediaHosts, inner: httpx.AsyncBaseTransport) -> None:
        self.hosts = hosts
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        entry = entry_for(self.hosts, request.url)
        _, host, port = origin(request.url)
        address = await checked_address(host, port, entry)
        pinned = httpx.Request(
            request.method,
            request.url.copy_with(host=str(address)),
            headers=request.headers,  # the Host header keeps the name
            stream=request.stream,
            extensions={**request.extensions, "sni_hostname": host},
        )
        return await self.inner.handle_async_request(pinned)

    async def aclose(self) -> None:
        await self.inner.aclose()
