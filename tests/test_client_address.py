"""Which address a request is counted against: the peer, unless a trusted proxy forwarded it."""

from __future__ import annotations

import pytest

from tipdesk.client_address import client_address, parse_trusted_proxies

PROXIES = parse_trusted_proxies("10.0.0.0/8, 192.168.1.1")


def scope(peer: str, *forwarded: str) -> dict[str, object]:
    headers = [(b"x-forwarded-for", value.encode()) for value in forwarded]
    return {"client": (peer, 50000), "headers": headers}


def test_without_trusted_proxies_the_peer_is_the_client() -> None:
    assert client_address(scope("203.0.113.9", "198.51.100.1"), ()) == "203.0.113.9"


def test_an_untrusted_peer_cannot_choose_its_address_by_header() -> None:
    assert client_address(scope("203.0.113.9", "198.51.100.1"), PROXIES) == "203.0.113.9"


def test_the_rightmost_address_no_trusted_proxy_wrote_is_the_client() -> None:
    # The client forged "1.1.1.1"; our proxies appended the real address and each other.
    found = client_address(scope("10.0.0.2", "1.1.1.1, 198.51.100.7, 192.168.1.1"), PROXIES)
    assert found == "198.51.100.7"


def test_several_forwarded_headers_are_one_list() -> None:
    assert client_address(scope("10.0.0.2", "1.1.1.1", "198.51.100.7"), PROXIES) == "198.51.100.7"


@pytest.mark.parametrize("forwarded", ["", "not-an-ip", "1.1.1.1, garbage"])
def test_a_missing_or_garbled_hop_stops_at_the_last_trusted_one(forwarded: str) -> None:
    assert client_address(scope("10.0.0.2", forwarded), PROXIES) == "10.0.0.2"


def test_only_trusted_hops_means_the_leftmost_of_them() -> None:
    assert client_address(scope("10.0.0.2", "10.9.9.9, 192.168.1.1"), PROXIES) == "10.9.9.9"


def test_no_peer_is_unknown() -> None:
    assert client_address({"headers": []}, PROXIES) == "unknown"
