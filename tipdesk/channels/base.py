"""The boundary between the desk and the ways readers reach it (WhatsApp, later the web form).

The desk speaks only these terms: a reader's address, a message to send (text, buttons, or the
channel's approved template), and what a refusal means for the desk. An adapter turns them into
its provider's requests and sorts its provider's errors into `Refusal`s; no code outside an
adapter builds a provider body or knows a provider's error code.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from tipdesk.channels.events import Notification


@dataclass(frozen=True)
class Recipient:
    """Where a reader is reached: their address on the channel (for WhatsApp the phone
    number), or the channel's own id for them."""

    address: str | None
    user_id: str | None = None
    # The desk's address to send from (the number the reader wrote to); None: the main one.
    line: str | None = None
    # The channel the reader is on (an adapter's `name`); "" lets the desk's channels tell by
    # the address.
    channel: str = ""


@dataclass(frozen=True)
class Outbound:
    """A message to a reader, in the desk's terms. `buttons` are (id, title) pairs; `quote` is
    the channel's id of the reader's message it answers; a `template` (name, language) is the
    channel's approved message for a reader whose window closed."""

    text: str = ""
    buttons: tuple[tuple[str, str], ...] = ()
    quote: str | None = None
    template: tuple[str, str] | None = None
    link_preview: bool = True

    @property
    def kind(self) -> str:
        return "template" if self.template else "buttons" if self.buttons else "text"

    def stored(self) -> dict[str, Any]:
        """As the queued message keeps it until it is sent (JSON)."""
        stored: dict[str, Any] = {"kind": self.kind, "text": self.text}
        if self.buttons:
            stored["buttons"] = [list(button) for button in self.buttons]
        if self.quote:
            stored["quote"] = self.quote
        if self.template:
            stored["template"] = list(self.template)
        if not self.link_preview:
            stored["link_preview"] = False
        return stored

    @classmethod
    def from_stored(cls, stored: dict[str, Any]) -> Outbound:
        buttons = tuple((str(b[0]), str(b[1])) for b in stored.get("buttons") or [])
        template = stored.get("template")
        return cls(
            text=str(stored.get("text", "")),
            buttons=buttons,
            quote=str(stored["quote"]) if stored.get("quote") else None,
            template=(str(template[0]), str(template[1])) if template else None,
            link_preview=stored.get("link_preview", True) is not False,
        )


class Refusal(StrEnum):
    """What a refused send means for the desk, whichever channel refused it."""

    WINDOW_CLOSED = "window_closed"  # hold it; send the template; send it when they answer
    UNREACHABLE = "unreachable"  # the reader cannot get messages here: stop sending
    RATE_LIMITED = "rate_limited"  # too fast: try again later
    UNAVAILABLE = "unavailable"  # outage or credentials: try again later
    REJECTED = "rejected"  # this message will never go: fail it, with the reason


class NotANotification(ValueError):
    """The body is not an inbound notification of this channel at all."""


class ChannelError(RuntimeError):
    """The channel had a bad moment (network, outage): worth retrying later."""


class ChannelAuthError(ChannelError):
    """The channel refused the desk's credentials: a configuration problem for an admin."""


class MediaGone(ChannelError):
    """The channel no longer has the file, or its address expired."""


class MediaTooLarge(ChannelError):
    """The file is over the desk's limit; retrying will not help."""


class MediaNotAllowed(Exception):
    """The desk will not download the file from where the channel says it is (never retried)."""


class SendRefused(ChannelError):
    """The channel refused a message; `code` and `details` are the channel's own, for people."""

    def __init__(self, refusal: Refusal, code: int | None, details: str) -> None:
        super().__init__(f"the channel refused the message ({code}: {details})"[:500])
        self.refusal = refusal
        self.code = code
        self.details = details[:500]

    @property
    def worth_retrying(self) -> bool:
        return self.refusal in (Refusal.RATE_LIMITED, Refusal.UNAVAILABLE)

    def as_error(self) -> dict[str, object]:
        return {"code": self.code, "details": self.details, "refusal": self.refusal.value}


@dataclass(frozen=True)
class MediaFile:
    """A reader's file as the channel describes it before download."""

    mime_type: str | None
    sha256: str | None
    handle: Any  # the adapter's own reference (e.g. a resolved download URL)
    channel: str = ""  # the adapter that located it (its `name`)


@dataclass(frozen=True)
class Download:
    sha256: str
    size: int
    head: bytes


class Inbox(Protocol):
    """Where a channel's HTTP edge leaves an inbound body: stored durably, with the job that
    will parse it, before the edge answers (tipdesk/intake/inbox.py)."""

    async def store(self, body: bytes) -> uuid.UUID: ...


class Channel(Protocol):
    """What the conversation, the outbox, the media fetcher and the worker use of a channel."""

    name: str

    def parse(self, body: bytes) -> Notification:
        """A stored inbound request, in the desk's terms. Raises `NotANotification` when the
        body is not the channel's at all; a broken item inside becomes a `Violation`."""
        ...

    async def send(self, recipient: Recipient, message: Outbound) -> str:
        """Send; the channel's id of the message. Raises `SendRefused` or `ChannelError`."""
        ...

    async def mark_read(self, external_id: str, line: str | None = None) -> None: ...

    async def locate_media(self, media_id: str) -> MediaFile: ...

    async def download(self, media: MediaFile, target: Path, limit: int) -> Download: ...

    async def aclose(self) -> None: ...


@runtime_checkable
class Profiled(Protocol):
    """A channel whose account shows readers a short text about the desk (WhatsApp's business
    profile "about"), one per desk number (`line`; None: the main one). Optional: the desk asks
    `isinstance(adapter, Profiled)` and leaves other channels alone."""

    name: str
    # The most characters the channel takes; the desk shortens its text to fit.
    about_limit: int

    async def about(self, line: str | None) -> str | None:
        """The text readers see now; None when there is none."""
        ...

    async def set_about(self, line: str | None, text: str) -> None:
        """Raises `ChannelError` (worth retrying) or `SendRefused` (the text is refused)."""
        ...
