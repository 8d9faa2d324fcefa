"""The pinned transport: real resolver, real TLS, real servers on 127.0.0.1."""

from __future__ import annotations

import asyncio
import ipaddress
import ssl
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.servers import free_port
from tipdesk.host_list import parse_entry, parse_media_hosts
from tipdesk.whatsapp.media_hosts import MediaRefused
from tipdesk.whatsapp.pinning import PinnedTransport, checked_address, is_internal


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "::1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "169.254.1.1",
        "fe80::1",
        "fd00:ec2::254",
        "fc00::1",
        "0.0.0.0",  # noqa: S104 (an address to judge, not to bind)
        "::",
        "224.0.0.1",
        "ff02::1",
        "100.64.0.1",
        "240.0.0.1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "192.0.2.1",
    ],
)
def test_internal_addresses_are_recognised(address: str) -> None:
    assert is_internal(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["157.240.201.1", "31.13.64.1", "2a03:2880:f21c::1"])
def test_public_addresses_pass(address: str) -> None:
    assert not is_internal(ipaddress.ip_address(address))


async def test_a_name_resolving_to_loopback_is_refused_unless_listed_literally() -> None:
    """`localhost` through the system resolver, as if a CDN name led there: neither a wildcard
    nor a host name vouches for where a name leads; an entry naming the address itself does."""
    with pytest.raises(MediaRefused, match="resolves to an internal address"):
        await checked_address("localhost", 443, parse_entry("*.fbcdn.net"))
    with pytest.raises(MediaRefused, match="internal address"):
        await checked_address("localhost", 443, parse_entry("lookaside.fbsbx.com"))
    assert (await checked_address("localhost", 8100, parse_entry("localhost:8100"))).is_loopback
    address = await checked_address("127.0.0.1", 8100, parse_entry("127.0.0.1:8100"))
    assert str(address) == "127.0.0.1"


async def test_an_unresolvable_name_is_a_connect_error_worth_retrying() -> None:
    with pytest.raises(httpx.ConnectError):
        await checked_address("media.tipdesk.invalid", 443, parse_entry("*.tipdesk.invalid"))


async def echo(request: Request) -> Response:
    return JSONResponse({"host": request.headers["host"]})


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for the name `localhost` alone, not for 127.0.0.1."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


@pytest.fixture
async def tls_server(certificate: tuple[Path, Path]) -> AsyncIterator[int]:
    port = free_port()
    config = uvicorn.Config(
        Starlette(routes=[Route("/", echo)]),
        host="127.0.0.1",
        port=port,
        log_config=None,
        ssl_certfile=str(certificate[0]),
        ssl_keyfile=str(certificate[1]),
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    yield port
    server.should_exit = True
    await task


async def test_tls_checks_the_name_while_connecting_to_the_checked_address(
    tls_server: int, certificate: tuple[Path, Path]
) -> None:
    trusting = ssl.create_default_context(cafile=str(certificate[0]))
    hosts = parse_media_hosts(f"localhost:{tls_server}")
    transport = PinnedTransport(hosts, httpx.AsyncHTTPTransport(verify=trusting))
    async with httpx.AsyncClient(transport=transport) as http:
        response = await http.get(f"https://localhost:{tls_server}/")
    assert response.json() == {"host": f"localhost:{tls_server}"}, "the Host header keeps the name"
    # The same server by its address: the certificate does not name it, so TLS must refuse.
    direct = parse_media_hosts(f"127.0.0.1:{tls_server}")
    transport = PinnedTransport(direct, httpx.AsyncHTTPTransport(verify=trusting))
    async with httpx.AsyncClient(transport=transport) as http:
        with pytest.raises(httpx.ConnectError, match="certificate"):
            await http.get(f"https://127.0.0.1:{tls_server}/")


async def test_the_transport_refuses_before_connecting(tls_server: int) -> None:
    """The transport checks the list itself, not only its caller."""
    hosts = parse_media_hosts(f"localhost:{tls_server + 1}, lookaside.fbsbx.com")
    async with httpx.AsyncClient(transport=PinnedTransport(hosts, httpx.AsyncHTTPTransport())) as h:
        with pytest.raises(MediaRefused, match="is not in TIPDESK_MEDIA_HOSTS"):
            await h.get(f"https://localhost:{tls_server}/")
