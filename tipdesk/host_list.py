"""Lists of `host[:port]` entries and matching URLs against them: `TIPDESK_MEDIA_HOSTS`, which
hosts the desk may download reader media from, parsed by the settings at start.

A media URL comes from the Graph API's answer, so whoever can shape that answer (a compromised
or fake Graph API, a proxy on the way) could otherwise aim the desk, with its bearer token, at
anything it can reach. Every download hop is matched against the list first (the adapter's
`media_hosts.py` refuses what no entry allows): pure functions, no network.

An entry is `host[:port]`: a hostname (`lookaside.fbsbx.com`), `*.` and a domain for its
subdomains only (`*.fbcdn.net` matches `a.fbcdn.net`, not `fbcdn.net`), or an IP literal
(`127.0.0.1:8100`, `[::1]:8100`). Without a port an entry takes the scheme's default (443).
Only https is allowed, except for an explicit loopback entry (an IP literal on loopback, or
`localhost`): the fake Graph API in tests and demos. Whether the host's addresses may be
private is for `pinning.py`; an entry that names the address itself vouches for it.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, replace

import httpx

DEFAULT_PORTS = {"https": 443, "http": 80}


@dataclass(frozen=True)
class HostEntry:
    host: str  # normalised: lower case, IDNA, no trailing dot; without the `*.` of a wildcard
    port: int | None
    wildcard: bool = False
    # The Graph API's own origin: allowed with its own scheme (see `MediaHosts.graph`).
    scheme: str | None = None

    @property
    def is_ip(self) -> bool:
        return _ip(self.host) is not None

    @property
    def loopback(self) -> bool:
        """Named explicitly as this machine: the only entries that may be fetched over http."""
        address = _ip(self.host)
        return self.host == "localhost" if address is None else address.is_loopback

    @property
    def vouches_for_address(self) -> bool:
        """The entry names the address itself, so any address it resolves to is accepted."""
        return self.scheme is not None or self.is_ip or self.host == "localhost"

    def matches(self, host: str, port: int) -> bool:
        if self.port is not None and port != self.port:
            return False
        if self.port is None and port != DEFAULT_PORTS["https"]:
            return False
        if self.wildcard:
            return _ip(host) is None and host.endswith(f".{self.host}")
        return host == self.host

    def allows_scheme(self, scheme: str) -> bool:
        if self.scheme is not None:
            return scheme == self.scheme
        return scheme == "https" or (scheme == "http" and self.loopback)

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        name = f"*.{host}" if self.wildcard else host
        return name if self.port is None else f"{name}:{self.port}"


@dataclass(frozen=True)
class MediaHosts:
    """The parsed list, plus the Graph API's own origin.

    The Graph origin is always allowed, with the scheme it is configured with: the desk already
    sends its token there for every call, so a media URL there reaches nothing new. That is
    how the sandbox and a local `tipdesk fake-graph` work without configuring this."""

    entries: tuple[HostEntry, ...]
    graph: HostEntry | None = None

    def with_graph(self, graph_api_url: str) -> MediaHosts:
        """The same list with the Graph API's own origin (scheme, host and port) allowed."""
        scheme, host, port = origin(httpx.URL(graph_api_url))
        return replace(self, graph=HostEntry(host, port, scheme=scheme))

    def allowing(self, scheme: str, host: str, port: int) -> HostEntry | None:
        """The entry that allows this origin (normalised, as `origin` gives it), if any."""
        candidates = [self.graph, *self.entries] if self.graph else list(self.entries)
        for entry in candidates:
            if entry is not None and entry.matches(host, port) and entry.allows_scheme(scheme):
                return entry
        return None


def parse_media_hosts(text: str, graph_api_url: str | None = None) -> MediaHosts:
    """Raises ValueError naming the first bad entry."""
    entries = tuple(parse_entry(part.strip()) for part in text.split(",") if part.strip())
    if not entries:
        raise ValueError("name at least one host, like lookaside.fbsbx.com")
    hosts = MediaHosts(entries)
    return hosts if graph_api_url is None else hosts.with_graph(graph_api_url)


def parse_entry(text: str) -> HostEntry:
    if any(sign in text for sign in "/@?#") or any(ch.isspace() for ch in text):
        raise ValueError(f"'{text}' is not host[:port] (no scheme, path or user name)")
    host, port = _split_port(text)
    wildcard = host.startswith("*.")
    if wildcard:
        host = host[2:]
    host = normalise_host(host, text)
    if wildcard and (_ip(host) is not None or "." not in host):
        raise ValueError(f"'{text}': a wildcard needs a domain with a dot, like *.fbcdn.net")
    return HostEntry(host, port, wildcard)


def _split_port(text: str) -> tuple[str, int | None]:
    if text.startswith("["):
        host, bracket, rest = text[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            raise ValueError(f"'{text}' is not [IPv6 address]:port")
        return host, _port(rest[1:], text) if rest else None
    if text.count(":") > 1:
        return text, None  # a bare IPv6 address
    host, colon, port = text.partition(":")
    return host, _port(port, text) if colon else None


def _port(text: str, entry: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise ValueError(f"'{entry}' has no valid port (1-65535)")
    return int(text)


def normalise_host(host: str, entry: str) -> str:
    """Lower case, IDNA-encoded, without the trailing dot of an absolute name."""
    cleaned = host.strip().rstrip(".").lower()
    address = _ip(cleaned)
    if address is not None:
        return str(address)
    if not cleaned or "*" in cleaned:
        raise ValueError(f"'{entry}' is not a host name ('*.' may only start one)")
    try:
        encoded = cleaned.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValueError(f"'{entry}' is not a valid host name") from None
    if not all(label and (label.replace("-", "").isalnum()) for label in encoded.split(".")):
        raise ValueError(f"'{entry}' is not a valid host name")
    return encoded


def origin(url: httpx.URL) -> tuple[str, str, int]:
    """Scheme, normalised host and effective port of a URL."""
    scheme = url.scheme.lower()
    host = url.raw_host.decode("ascii").strip("[]").rstrip(".").lower()
    address = _ip(host)
    host = str(address) if address is not None else host
    return scheme, host, url.port or DEFAULT_PORTS.get(scheme, 0)


def host_label(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None
