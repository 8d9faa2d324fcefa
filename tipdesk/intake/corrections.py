"""A reader edits or deletes a message they sent earlier.

An edit changes what editors see and search (the new text or caption) and keeps every version,
so the desk can show what the reader first wrote. A deletion ("delete for everyone") hides the
message's words from the board and from search; its text is kept only when the tip was used,
because then it is evidence. Versions are ordered by the time the reader made them, not by
arrival, so webhooks out of order end in the same state.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from tipdesk.audit.actions import AuditAction
from tipdesk.audit.trail import record
from tipdesk.channels.events import InboundMessage, Role
from tipdesk.conversation.erasure import is_evidence
from tipdesk.tips.models import Direction, Message, Sender, Tip


async def apply_correction(
    sender: Sender, correction: InboundMessage, connection: BaseDBAsyncClient
) -> Tip | None:
    """The tip of the message corrected (None when the desk never had it: the correction is
    then kept on its own, with nothing to change)."""
    original = await (
        Message.filter(
            channel=sender.channel,
            external_id=correction.original_id,
            sender_id=sender.id,
            direction=Direction.INBOUND,
        )
        .using_db(connection)
        .first()
    )
    if original is None or original.content.get("revoked_at"):
        return None
    tip = await Tip.filter(id=original.tip_id).using_db(connection).first()
    if correction.role is Role.EDIT:
        text, content = _edited(original, correction)
        action = AuditAction.MESSAGE_EDITED
    else:
        text, content = "", _revoked(original, correction.sent_at, tip)
        action = AuditAction.MESSAGE_REVOKED
    await Message.filter(id=original.id).using_db(connection).update(text=text, content=content)
    await record(
        action, tip_id=original.tip_id, sender_id=sender.id, detail={"wamid": original.external_id},
        using_db=connection,
    )  # fmt: skip
    return tip


def _edited(original: Message, edit: InboundMessage) -> tuple[str, dict[str, Any]]:
    content: dict[str, Any] = dict(original.content)
    versions: list[dict[str, object]] = list(
        content.get("versions") or [_version(original.text, original.sent_at)]
    )
    versions.append(_version(str(edit.content.get("text", "")), edit.sent_at))
    versions.sort(key=lambda version: str(version["at"]))
    current = versions[-1]
    new = edit.content.get("content")
    if current["at"] == edit.sent_at.isoformat() and isinstance(new, dict) and "caption" in new:
        content["caption"] = new["caption"]
    content["versions"] = versions
    content["edited_at"] = current["at"]
    return str(current["text"]), content


def _version(text: str, at: datetime) -> dict[str, object]:
    return {"text": text, "at": at.isoformat()}


def _revoked(original: Message, at: datetime, tip: Tip | None) -> dict[str, Any]:
    """What stays of a deleted message: the moment, and its words only as evidence."""
    kept: dict[str, Any] = {"revoked_at": at.isoformat()}
    if tip is not None and is_evidence(tip):
        kept["revoked"] = {"text": original.text, "content": original.content}
    return kept
