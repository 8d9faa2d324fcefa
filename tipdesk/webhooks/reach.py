"""Where outbound webhooks may go: the media downloads' rules (whatsapp/pinning.py), for a URL an
admin typed rather than one the Graph API sent.

https only; the name is resolved at every attempt and the connection made to the very address
checked (no DNS rebinding), and an address inside (loopback, private, link-local, metadata) is
refused unless TIPDESK_WEBHOOK_PRIVATE_HOSTS lists the host: an intranet CMS, or the receiver
of a test on 127.0.0.1 (http only for a loopback host listed literally, as for media). Redirects
are never followed: a receiver that moved gets its subscription changed.
"""

from __future__ import annotations

import httpx

from tipdesk.errors import InvalidInput
from tipdesk.host_list import DEFAULT_PORTS, HostEntry, MediaHosts, host_label, origin
from tipdesk.whatsapp.pinning import is_internal, resolve

MAX_URL = 2048


class WebhookRefused(InvalidInput):
    """The desk will not send to this URL. The message names scheme, host and port only."""


def checked_url(text: str, private: MediaHosts) -> str:
    """The URL as it will be stored, or WebhookRefused saying why not."""
    text = text.strip()
    if not text or len(text) > MAX_URL:
        raise WebhookRefused(
            f"a webhook needs a URL of at most {MAX_URL} characters",
            reason="hook_url_length",
            values={"limit": MAX_URL},
        )
    try:
        url = httpx.URL(text)
    except (httpx.InvalidURL, ValueError):
        raise WebhookRefused("that is not a URL", reason="hook_not_a_url") from None
    if not url.host:
        raise WebhookRefused(
            "a webhook URL needs a host, like https://cms.example.nl/hooks", reason="hook_no_host"
        )
    entry_for(url, private)
    return str(url)


def entry_for(url: httpx.URL, private: MediaHosts) -> HostEntry | None:
    """The private-hosts entry that lets this URL's addresses be internal, if any."""
    scheme, host, port = origin(url)
    label = f"{scheme}://{host_label(host)}:{port}"
    if url.userinfo:
        raise WebhookRefused(f"{label} has a user name in its URL", reason="hook_user_in_url")
    if scheme not in DEFAULT_PORTS:
        raise WebhookRefused(f"{scheme}: is not a webhook scheme (https)", reason="hook_https")
    entry = private.allowing(scheme, host, port)
    if scheme == "http" and entry is None:
        raise WebhookRefused(
            f"{label}: webhooks go over https (http only to a loopback host listed in "
            "TIPDESK_WEBHOOK_PRIVATE_HOSTS)",
            reason="hook_https",
        )
    return entry


class HookTransport(httpx.AsyncBaseTransport):
    """Checks every request's URL and its addresses, then connects to the address it checked."""

    def __init__(self, private: MediaHosts, inner: httpx.AsyncBaseTransport) -> None:
        self.private = private
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        entry = entry_for(request.url, self.private)
        _, host, port = origin(request.url)
        addresses = await resolve(host, port)
        if not addresses:
            raise httpx.ConnectError(f"{host_label(host)} has no address")
        inside = [address for address in addresses if is_internal(address)]
        if inside and entry is None:
            raise WebhookRefused(
                f"{host_label(host)}:{port} resolves to an internal address ({inside[0]}), "
                "which only TIPDESK_WEBHOOK_PRIVATE_HOSTS allows",
                reason="hook_internal_address",
            )
        pinned = httpx.Request(
            request.method,
            request.url.copy_with(host=str(addresses[0])),
            headers=request.headers,  # the Host header keeps the name
            stream=request.stream,
            extensions={**request.extensions, "sni_hostname": host},
        )
        return await self.inner.handle_async_request(pinned)

    async def aclose(self) -> None:
        await self.inner.aclose()
