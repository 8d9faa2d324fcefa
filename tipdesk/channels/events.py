"""What a channel's adapter makes of an inbound request, in the desk's terms.

Each reader message says what part it plays (`Role`): content the reader tells the desk, an
answer to the desk, a reaction, a notice, the chat being opened, an edit or a deletion of an
earlier message. The desk decides from the role, never from a provider's type names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from tipdesk.channels.base import Refusal

Json = dict[str, Any]


class MediaKind(StrEnum):
    IMAGE = "image"
    VIDEO = "video"
    AUDIO = "audio"
    VOICE = "voice"
    DOCUMENT = "document"
    STICKER = "sticker"


class Role(StrEnum):
    CONTENT = "content"  # what the reader tells the desk: text, media, a place, a contact
    ANSWER = "answer"  # a button, list choice, form or permission given to the desk
    REACTION = "reaction"
    NOTICE = "notice"  # the channel's own notice, e.g. a changed number
    CHAT_OPENED = "chat_opened"  # the reader opened the chat and has said nothing yet
    EDIT = "edit"
    REVOKE = "revoke"


@dataclass(frozen=True)
class Reader:
    """Who sent a message: keyed on their `address` on the channel (where it reaches them)
    when the channel shares one, else on the channel's own id for them (`user_id`). `phone` is
    the number they gave, if any (for WhatsApp the address is the phone)."""

    phone: str | None
    user_id: str | None
    display_name: str
    username: str | None = None
    address: str | None = None
    # The language the reader chose on the channel (the web form's page), if it has one.
    language: str | None = None


@dataclass(frozen=True)
class MediaRef:
    kind: MediaKind
    media_id: str
    mime_type: str | None
    sha256: str | None
    filename: str | None


@dataclass(frozen=True)
class InboundMessage:
    """`type` is the desk's kind of message (`text`, `image`, `location`, …, as the board shows
    it); `choice` the id of the desk's button the reader chose; `original_id` the message an
    edit or deletion changes; `number_change` the reader's new phone, which is their new address
    too."""

    external_id: str
    reader: Reader
    sent_at: datetime
    type: str
    role: Role
    text: str
    content: Json
    quoted_id: str | None = None
    forwarded: bool = False
    media: MediaRef | None = None
    reaction_to: str | None = None
    number_change: str | None = None
    choice: str | None = None
    original_id: str | None = None
    # The desk's own address the reader wrote to (a WhatsApp number's id): the desk answers
    # from it. None for channels with one address (the web form).
    line: str | None = None


@dataclass(frozen=True)
class StatusUpdate:
    external_id: str
    status: str
    at: datetime
    errors: list[Json] = field(default_factory=list)
    # A failed message's error, in the desk's terms (None when the channel named none we know).
    refusal: Refusal | None = None


@dataclass(frozen=True)
class Violation:
    kind: str
    detail: str
    excerpt: Json


@dataclass
class Notification:
    messages: list[InboundMessage] = field(default_factory=list)
    statuses: list[StatusUpdate] = field(default_factory=list)
    value_errors: list[Json] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    other_numbers: int = 0
    # The adapter that parsed it (`Channels` names it): its name goes with every id stored.
    channel: str = ""
