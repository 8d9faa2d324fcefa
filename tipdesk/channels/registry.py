"""The desk's channels behind the one protocol: the worker holds one `Channels`, and each call
goes to the adapter whose body, address or id it is.

An adapter that hands out its own ids (the web form's start with `wf.`) claims them with `owns`;
the first adapter (WhatsApp) takes everything else, as every id did before there were two.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

from tipdesk.channels.base import Channel, Download, MediaFile, Outbound, Profiled, Recipient
from tipdesk.channels.events import Notification


@runtime_checkable
class OwnIds(Protocol):
    """An adapter that can tell its own bodies and ids from any other channel's."""

    def owns_body(self, body: bytes) -> bool: ...

    def owns_id(self, identifier: str) -> bool: ...


class Channels:
    name = "channels"

    def __init__(self, default: Channel, others: Sequence[Channel] = ()) -> None:
        self.default = default
        self.others = tuple(others)
        self.by_name = {channel.name: channel for channel in (default, *others)}

    def _for_body(self, body: bytes) -> Channel:
        for channel in self.others:
            if isinstance(channel, OwnIds) and channel.owns_body(body):
                return channel
        return self.default

    def _for_id(self, identifier: str | None) -> Channel:
        for channel in self.others:
            if isinstance(channel, OwnIds) and identifier and channel.owns_id(identifier):
                return channel
        return self.default

    def parse(self, body: bytes) -> Notification:
        adapter = self._for_body(body)
        notification = adapter.parse(body)
        notification.channel = adapter.name
        return notification

    async def send(self, recipient: Recipient, message: Outbound) -> str:
        adapter = self.by_name.get(recipient.channel) or self._for_id(
            recipient.user_id or recipient.address
        )
        return await adapter.send(recipient, message)

    async def mark_read(self, external_id: str, line: str | None = None) -> None:
        await self._for_id(external_id).mark_read(external_id, line)

    async def locate_media(self, media_id: str) -> MediaFile:
        return await self._for_id(media_id).locate_media(media_id)

    async def download(self, media: MediaFile, target: Path, limit: int) -> Download:
        # A located file names its adapter, which alone knows its handle.
        channel = self.by_name.get(media.channel, self.default)
        return await channel.download(media, target, limit)

    async def aclose(self) -> None:
        for channel in (self.default, *self.others):
            await channel.aclose()


def profiled(channel: Channel) -> tuple[Profiled, ...]:
    """The adapters behind `channel` that keep a profile text for readers."""
    adapters = (channel.default, *channel.others) if isinstance(channel, Channels) else (channel,)
    return tuple(adapter for adapter in adapters if isinstance(adapter, Profiled))
