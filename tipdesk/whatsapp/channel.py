"""The WhatsApp Cloud API as a channel: the desk's messages become Graph bodies here, and only
here, each checked against Meta's published send schema before it leaves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from tipdesk.channels.base import Download, MediaFile, Outbound, Recipient, Refusal, SendRefused
from tipdesk.channels.events import Notification
from tipdesk.settings import Settings
from tipdesk.whatsapp.cloud import GraphClient, MediaLocation
from tipdesk.whatsapp.contract import SendRejected, validate_send
from tipdesk.whatsapp.inbound import load_envelope, parse_notification

NAME = "whatsapp"
# Meta's limit for a business profile's "about" text.
ABOUT_MAX = 139


class WhatsAppChannel:
    """One per worker process; it keeps the Graph client's connections open between jobs."""

    name = NAME
    about_limit = ABOUT_MAX

    def __init__(self, settings: Settings, transport: httpx.AsyncBaseTransport | None = None):
        self.graph = GraphClient(settings, transport=transport)
        self.main = settings.numbers[0].phone_number_id
        self.numbers = frozenset(number.phone_number_id for number in settings.numbers)

    def parse(self, body: bytes) -> Notification:
        return parse_notification(load_envelope(body), self.numbers, self.main)

    async def send(self, recipient: Recipient, message: Outbound) -> str:
        body = graph_body(recipient, message)
        try:
            validate_send(body)
        except SendRejected as exc:
            raise SendRefused(Refusal.REJECTED, exc.code, exc.details) from exc
        return await self.graph.send_message(body, self._number(recipient.line))

    async def mark_read(self, external_id: str, line: str | None = None) -> None:
        await self.graph.mark_read(external_id, self._number(line))

    async def about(self, line: str | None) -> str | None:
        return await self.graph.profile_about(self._number(line))

    async def set_about(self, line: str | None, text: str) -> None:
        if not 1 <= len(text) <= ABOUT_MAX:
            raise SendRefused(Refusal.REJECTED, 100, f"about must have 1 to {ABOUT_MAX} characters")
        await self.graph.set_profile_about(text, self._number(line))

    def _number(self, line: str | None) -> str | None:
        """The number to send from: the reader's line when it is still one of the desk's."""
        return line if line in self.numbers else None

    async def locate_media(self, media_id: str) -> MediaFile:
        location = await self.graph.locate_media(media_id)
        return MediaFile(
            mime_type=location.mime_type, sha256=location.sha256, handle=location, channel=NAME
        )

    async def download(self, media: MediaFile, target: Path, limit: int) -> Download:
        location = media.handle
        if not isinstance(location, MediaLocation):
            raise TypeError("a media file located by another channel")
        return await self.graph.download(location, target, limit)

    async def aclose(self) -> None:
        await self.graph.aclose()


def graph_body(recipient: Recipient, message: Outbound) -> dict[str, Any]:
    body: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        **_to(recipient),
        **_content(message),
    }
    if message.quote:
        body["context"] = {"message_id": message.quote}
    return body


def _to(recipient: Recipient) -> dict[str, str]:
    """Their number, or their business-scoped user id when WhatsApp keeps the number back."""
    if recipient.address:
        return {"to": f"+{recipient.address}"}
    return {"recipient": str(recipient.user_id)}


def _content(message: Outbound) -> dict[str, Any]:
    if message.template is not None:
        name, language = message.template
        # v23.0's LanguageObject requires `policy`; `deterministic` is the only value.
        return {
            "type": "template",
            "template": {"name": name, "language": {"policy": "deterministic", "code": language}},
        }
    if message.buttons:
        buttons = [
            {"type": "reply", "reply": {"id": button_id, "title": title}}
            for button_id, title in message.buttons
        ]
        return {
            "type": "interactive",
            "interactive": {
                "type": "button",
                "body": {"text": message.text},
                "action": {"buttons": buttons},
            },
        }
    return {"type": "text", "text": {"body": message.text, "preview_url": message.link_preview}}
