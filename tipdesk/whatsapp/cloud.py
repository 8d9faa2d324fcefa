"""The desk's side of the Graph API: resolving and downloading media, sending messages and read
receipts. Every failure is sorted into what the caller must do about it."""

from __future__ import annotations

import functools
import hashlib
import ssl
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiofiles
import httpx

from tipdesk.channels import base as channel
from tipdesk.channels.base import Download
from tipdesk.settings import Settings
from tipdesk.whatsapp.contract import graph_base_url
from tipdesk.whatsapp.media_hosts import MediaRefused, entry_for
from tipdesk.whatsapp.pinning import PinnedTransport

CHUNK = 256 * 1024
READ_TIMEOUT = 30.0
DOWNLOAD_DEADLINE = 600.0
MAX_REDIRECTS = 3


class GraphError(channel.ChannelError):
    """Worth retrying later: the Graph API or the network had a bad moment."""


class GraphAuthError(GraphError, channel.ChannelAuthError):
    """The access token was refused (401): a configuration problem for an admin."""


class MediaGone(GraphError, channel.MediaGone):
    """The media id is unknown or its URL expired: resolve again, or give up when too old."""


class TooLarge(GraphError, channel.MediaTooLarge):
    """The file is over the limit; retrying will not help."""


# What a refused send means for the desk (§7.2 of the contract).
WINDOW_CLOSED = frozenset({131047})
READER_UNREACHABLE = frozenset({131026, 131050})
TRY_AGAIN = frozenset({4, 80007, 130429, 131000, 131016, 131056, 131057})


def refusal_for(code: int | None, status: int = 400) -> channel.Refusal:
    """Meta's error code, in the desk's terms: throughput, pacing, outages and token trouble
    pass; a closed window holds; an unreachable reader stops; a malformed message fails."""
    if code in WINDOW_CLOSED:
        return channel.Refusal.WINDOW_CLOSED
    if code in READER_UNREACHABLE:
        return channel.Refusal.UNREACHABLE
    if code in TRY_AGAIN:
        return channel.Refusal.RATE_LIMITED
    if status >= 500 or status == 401:
        return channel.Refusal.UNAVAILABLE
    return channel.Refusal.REJECTED


class SendRefused(channel.SendRefused):
    """The Graph API refused a message, with its error code and details."""

    def __init__(self, code: int | None, details: str, status: int) -> None:
        super().__init__(refusal_for(code, status), code, details)
        self.status = status


@dataclass(frozen=True)
class MediaLocation:
    url: str
    mime_type: str | None
    sha256: str | None
    size: int | None


class GraphClient:
    """One per worker process: its connections to the Graph API stay open between jobs.

    A new connection for each message cost more than the rest of sending it (a TCP and TLS
    handshake, and httpx's setup of a client): under a storm, a confirmation a tip. `aclose`
    when the worker stops; used again afterwards, it opens new connections.
    """

    def __init__(self, settings: Settings, transport: httpx.AsyncBaseTransport | None = None):
        self.base = graph_base_url(settings)
        self.phone_number_id = settings.desk_phone_number_id
        self.headers = {"authorization": f"Bearer {settings.graph_access_token}"}
        # The Graph API's own origin is always allowed: the token goes there for every call
        # anyway, so a media URL there reaches nothing new.
        self.media_hosts = settings.media_hosts.with_graph(self.base)
        self.transport = transport
        self._http: httpx.AsyncClient | None = None

    def _client(self) -> httpx.AsyncClient:
        if self._http is None or self._http.is_closed:
            timeout = httpx.Timeout(READ_TIMEOUT, connect=10.0)
            self._http = httpx.AsyncClient(
                headers=self.headers, timeout=timeout, transport=self.transport, verify=_tls()
            )
        return self._http

    async def aclose(self) -> None:
        if self._http is not None:
            http, self._http = self._http, None
            await http.aclose()

    async def locate_media(self, media_id: str) -> MediaLocation:
        url = f"{self.base}/{media_id}"
        try:
            response = await self._client().get(
                url, params={"phone_number_id": self.phone_number_id}
            )
        except httpx.HTTPError as exc:
            raise GraphError(f"the Graph API did not answer ({type(exc).__name__})") from exc
        _raise_for(response)
        data: dict[str, Any] = response.json()
        if not isinstance(data.get("url"), str):
            raise GraphError("the Graph API answered without a media URL")
        size = data.get("file_size")
        return MediaLocation(
            url=data["url"],
            mime_type=data.get("mime_type") if isinstance(data.get("mime_type"), str) else None,
            sha256=data.get("sha256") if isinstance(data.get("sha256"), str) else None,
            size=int(str(size)) if str(size).isdigit() else None,
        )

    async def download(self, location: MediaLocation, target: Path, limit: int) -> Download:
        """Stream the file to `target`, never holding more than one chunk in memory.

        Only hosts in `TIPDESK_MEDIA_HOSTS` are asked, each redirect hop checked again (at most
        MAX_REDIRECTS): MediaRefused otherwise, before any connection is made."""
        if location.size is not None and location.size > limit:
            raise TooLarge(f"the file is {location.size} bytes, over the {limit} byte limit")
        try:
            async with self._download_client() as http:
                response = await self._follow(http, httpx.URL(location.url))
                try:
                    return await _stream_to(response, target, limit)
                finally:
                    await response.aclose()
        except httpx.HTTPError as exc:
            raise GraphError(f"the download broke off ({type(exc).__name__})") from exc

    async def _follow(self, http: httpx.AsyncClient, url: httpx.URL) -> httpx.Response:
        """The response that is not a redirect, every hop checked before it is asked."""
        for _ in range(MAX_REDIRECTS + 1):
            entry_for(self.media_hosts, url)
            # The token goes per request, and only here: to a host that passed the check.
            request = http.build_request("GET", url, headers=self.headers)
            response = await http.send(request, stream=True)
            if not response.has_redirect_location:
                return response
            await response.aclose()
            url = response.url.join(response.headers["location"])
        raise MediaRefused(f"the download was redirected more than {MAX_REDIRECTS} times")

    def _download_client(self) -> httpx.AsyncClient:
        """A client of its own per download, without default headers: a pooled connection is
        keyed by address, so one opened (and verified) for one host name must not carry a
        request for another. A given transport (the sandbox's, in-process) is used as it is,
        and stays open for the Graph calls that share it."""
        transport: httpx.AsyncBaseTransport = (
            _Borrowed(self.transport)
            if self.transport
            else PinnedTransport(self.media_hosts, httpx.AsyncHTTPTransport(verify=_tls()))
        )
        timeout = httpx.Timeout(READ_TIMEOUT, connect=10.0)
        return httpx.AsyncClient(transport=transport, timeout=timeout, follow_redirects=False)

    async def send_message(self, body: dict[str, Any], number: str | None = None) -> str:
        """POST a message from `number` (the desk's main one by default); the wamid Meta
        accepted it under (accepted, not yet delivered)."""
        response = await self._post_message(body, number)
        messages = _json(response).get("messages")
        if isinstance(messages, list) and messages and isinstance(messages[0], dict):
            wamid = messages[0].get("id")
            if isinstance(wamid, str) and wamid:
                return wamid
        raise GraphError("the Graph API accepted the message without an id")

    async def mark_read(self, wamid: str, number: str | None = None) -> None:
        await self._post_message(
            {"messaging_product": "whatsapp", "status": "read", "message_id": wamid}, number
        )

    async def profile_about(self, number: str | None = None) -> str | None:
        """The business profile's "about" text of `number` (the main one by default)."""
        response = await self._profile("GET", number, params={"fields": "about"})
        data = _json(response).get("data")
        profile = data[0] if isinstance(data, list) and data and isinstance(data[0], dict) else {}
        about = profile.get("about")
        return about if isinstance(about, str) and about else None

    async def set_profile_about(self, about: str, number: str | None = None) -> None:
        await self._profile("POST", number, json={"messaging_product": "whatsapp", "about": about})

    async def _profile(self, method: str, number: str | None, **kwargs: Any) -> httpx.Response:
        url = f"{self.base}/{number or self.phone_number_id}/whatsapp_business_profile"
        try:
            response = await self._client().request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            raise GraphError(f"the Graph API did not answer ({type(exc).__name__})") from exc
        if response.status_code == 401:
            raise GraphAuthError("the Graph API refused the access token (401)")
        if response.status_code >= 500 or response.status_code == 429:
            raise GraphError(f"the Graph API answered {response.status_code}")
        if response.status_code != 200:
            error = _json(response).get("error")
            details = error.get("message") if isinstance(error, dict) else None
            raise SendRefused(_graph_code(response), str(details or ""), response.status_code)
        return response

    async def _post_message(self, body: dict[str, Any], number: str | None) -> httpx.Response:
        url = f"{self.base}/{number or self.phone_number_id}/messages"
        try:
            response = await self._client().post(url, json=body)
        except httpx.HTTPError as exc:
            raise GraphError(f"the Graph API did not answer ({type(exc).__name__})") from exc
        if response.status_code != 200:
            found = _json(response).get("error")
            error: dict[str, Any] = found if isinstance(found, dict) else {}
            extra = error.get("error_data")
            data: dict[str, Any] = extra if isinstance(extra, dict) else {}
            code = error.get("code") if isinstance(error.get("code"), int) else None
            details = str(data.get("details") or error.get("message") or response.status_code)
            raise SendRefused(code, details, response.status_code)
        return response


class _Borrowed(httpx.AsyncBaseTransport):
    """Someone else's transport: used, never closed."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.inner.handle_async_request(request)


@functools.cache
def _tls() -> ssl.SSLContext:
    """One TLS context per process: loading the CA bundle takes some 30 ms, which a client per
    message would pay every time (it was most of the cost of sending a confirmation)."""
    return httpx.create_ssl_context()


async def _stream_to(response: httpx.Response, target: Path, limit: int) -> Download:
    if response.status_code != 200:
        await response.aread()
    _raise_for(response)
    digest, size, head = hashlib.sha256(), 0, b""
    deadline = time.monotonic() + DOWNLOAD_DEADLINE
    async with aiofiles.open(target, "wb") as output:
        async for chunk in response.aiter_bytes(CHUNK):
            size += len(chunk)
            if size > limit:
                raise TooLarge(f"the file is over the {limit} byte limit")
            if time.monotonic() > deadline:
                raise GraphError("the download was too slow and was stopped")
            if len(head) < 4096:
                head += chunk[: 4096 - len(head)]
            digest.update(chunk)
            await output.write(chunk)
    return Download(size=size, sha256=digest.hexdigest(), head=head)


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _raise_for(response: httpx.Response) -> None:
    if response.status_code == 200:
        return
    if response.status_code == 401:
        raise GraphAuthError("the Graph API refused the access token (401)")
    if response.status_code == 404 or _graph_code(response) == 100:
        raise MediaGone(f"the Graph API does not have this media ({response.status_code})")
    raise GraphError(f"the Graph API answered {response.status_code}")


def _graph_code(response: httpx.Response) -> int | None:
    if "json" not in response.headers.get("content-type", ""):
        return None
    try:
        code = response.json().get("error", {}).get("code")
    except (ValueError, AttributeError):
        return None
    return code if isinstance(code, int) else None
