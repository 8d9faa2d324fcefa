"""The web tip form as a channel: readers without WhatsApp reach the desk through the same door.

The form's pages (editorial_ui/tip_form.py) turn what a reader does — sends a tip, writes back,
taps a consent button, opens their conversation — into an inbound body of this channel, stored
by the same durable inbox as WhatsApp's webhooks; `parse` makes the desk's events of it, so
intake, tips, consent and search never learn that a reader came by the web. Sending a message
to such a reader is putting it in their private conversation (the desk's own records) and, when
they left an e-mail address, telling them by mail that an answer waits (`webform.notify`).

Ids this channel hands out start with `wf.`: a reader's address, their messages, their files;
so the desk's channels can tell whose an id is (`tipdesk/channels/registry.py`).
"""

from __future__ import annotations

import json
import secrets
import shutil
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime
from hashlib import file_digest
from pathlib import Path
from typing import Any

from tipdesk.channels.base import (
    Download,
    MediaFile,
    MediaGone,
    MediaTooLarge,
    NotANotification,
    Outbound,
    Recipient,
)
from tipdesk.channels.events import (
    InboundMessage,
    MediaKind,
    MediaRef,
    Notification,
    Reader,
    Role,
    StatusUpdate,
    Violation,
)
from tipdesk.webform.uploads import staged_path

NAME = "webform"
OBJECT = "tipdesk.webform"
PREFIX = "wf."
MAX_TEXT = 4096
# How the channel asks for a reader to be told by mail (a job, so that it is retried).
NoticeHook = Callable[[str], Awaitable[None]]


def new_id() -> str:
    return PREFIX + secrets.token_hex(16)


def owns(identifier: str | None) -> bool:
    return bool(identifier) and str(identifier).startswith(PREFIX)


class WebFormChannel:
    name = NAME

    def __init__(self, staging: Path, notify: NoticeHook | None = None) -> None:
        self.staging = staging
        self.notify = notify

    def owns_id(self, identifier: str) -> bool:
        return owns(identifier)

    def owns_body(self, body: bytes) -> bool:
        return body.lstrip().startswith(b'{"object": "' + OBJECT.encode() + b'"')

    def parse(self, body: bytes) -> Notification:
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise NotANotification("not a web form body") from exc
        if not isinstance(data, dict) or data.get("object") != OBJECT:
            raise NotANotification("not a web form body")
        result = Notification()
        for item in _list(data.get("messages")):
            try:
                result.messages.append(_message(item))
            except (KeyError, TypeError, ValueError) as exc:
                result.violations.append(Violation("invalid_message", str(exc)[:200], {}))
        for item in _list(data.get("statuses")):
            try:
                result.statuses.append(_status(item))
            except (KeyError, TypeError, ValueError) as exc:
                result.violations.append(Violation("invalid_status", str(exc)[:200], {}))
        return result

    async def send(self, recipient: Recipient, message: Outbound) -> str:
        """The message is the desk's own record, shown on the reader's private page; what is
        left to do is to tell them, by mail, that it is there."""
        external_id = new_id()
        if self.notify is not None and recipient.user_id:
            await self.notify(recipient.user_id)
        return external_id

    async def mark_read(self, external_id: str, line: str | None = None) -> None:
        """The reader's page shows nothing of the desk's reading."""

    async def locate_media(self, media_id: str) -> MediaFile:
        try:
            path = staged_path(self.staging, media_id.removeprefix(PREFIX))
        except ValueError as exc:
            raise MediaGone("not a file of the web form") from exc
        if not path.exists():
            raise MediaGone("the uploaded file is no longer staged")
        return MediaFile(mime_type=None, sha256=None, handle=path, channel=NAME)

    async def download(self, media: MediaFile, target: Path, limit: int) -> Download:
        """Moves the staged file to `target` (same disk): the form already streamed and hashed
        it, and a staged copy left behind would outlive an erasure."""
        source = media.handle
        if not isinstance(source, Path):
            raise TypeError("a media file located by another channel")
        size = source.stat().st_size
        if size > limit:
            source.unlink(missing_ok=True)
            raise MediaTooLarge(f"{size} bytes")
        shutil.move(source, target)
        with target.open("rb") as handle:
            head = handle.read(4096)
            handle.seek(0)
            digest = file_digest(handle, "sha256").hexdigest()
        return Download(sha256=digest, size=size, head=head)

    async def aclose(self) -> None:
        return None


# The bodies the form's pages store, one shape for all of them.


def tip_body(
    reader: Reader, text: str, files: Iterable[tuple[str, str, str, str]], at: datetime
) -> bytes:
    """A new tip or a written answer: the text first, then each file as a message of its own
    (as WhatsApp delivers them). `files` are (staged name, kind, mime type, file name)."""
    messages: list[dict[str, Any]] = []
    if text:
        messages.append(_item(reader, at, type="text", text=text[:MAX_TEXT]))
    for name, kind, mime, filename in files:
        media = {"id": PREFIX + name, "kind": kind, "mime_type": mime, "filename": filename}
        messages.append(_item(reader, at, type=kind, media=media))
    return _body({"messages": messages})


def answer_body(reader: Reader, choice: str, title: str, answers: str, at: datetime) -> bytes:
    """A tap on one of the desk's buttons: `answers` is the desk's message it belongs to."""
    item = _item(reader, at, type="button", choice=choice, text=title, quoted=answers)
    return _body({"messages": [item]})


def seen_body(message_ids: Iterable[str], at: datetime) -> bytes:
    statuses = [{"id": i, "status": "read", "at": at.timestamp()} for i in message_ids]
    return _body({"statuses": statuses})


def _body(parts: dict[str, Any]) -> bytes:
    return json.dumps({"object": OBJECT, **parts}, ensure_ascii=False).encode()


def _item(reader: Reader, at: datetime, **fields: Any) -> dict[str, Any]:
    return {
        "id": new_id(),
        "from": reader.user_id,
        "name": reader.display_name,
        "language": reader.language,
        "at": at.timestamp(),
        **fields,
    }


def _list(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _message(item: dict[str, Any]) -> InboundMessage:
    external_id = _own_id(item["id"])
    language = item.get("language")
    reader = Reader(
        phone=None,
        user_id=_own_id(item["from"]),
        display_name=str(item["name"])[:100],
        language=language if isinstance(language, str) and len(language) <= 8 else None,
    )
    kind = str(item["type"])
    sent_at = datetime.fromtimestamp(float(item["at"]), UTC)
    if kind == "text":
        text = str(item["text"])[:MAX_TEXT]
        return InboundMessage(external_id, reader, sent_at, "text", Role.CONTENT, text, {})
    if kind == "button":
        title = str(item["text"])[:100]
        return InboundMessage(
            external_id, reader, sent_at, "button", Role.ANSWER, title,
            {"payload": str(item["choice"]), "text": title},
            quoted_id=_own_id(item["quoted"]), choice=str(item["choice"]),
        )  # fmt: skip
    media = item["media"]
    media_kind = MediaKind(str(media["kind"]))
    ref = MediaRef(
        kind=media_kind,
        media_id=_own_id(media["id"]),
        mime_type=str(media["mime_type"]),
        sha256=None,
        filename=str(media["filename"])[:120],
    )
    content = {"mime_type": ref.mime_type, "filename": ref.filename}
    return InboundMessage(
        external_id, reader, sent_at, media_kind.value, Role.CONTENT, "", content, media=ref
    )


def _status(item: dict[str, Any]) -> StatusUpdate:
    at = datetime.fromtimestamp(float(item["at"]), UTC)
    return StatusUpdate(external_id=_own_id(item["id"]), status=str(item["status"]), at=at)


def _own_id(value: Any) -> str:
    if not isinstance(value, str) or not owns(value) or len(value) > 64:
        raise ValueError("an id the web form did not hand out")
    return value
