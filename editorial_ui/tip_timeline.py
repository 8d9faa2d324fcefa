"""The tip page's one timeline: the reader's and the desk's messages with the media they came
with, the editors' internal notes and what happened to the tip (status, consent, claims), in
the order they happened — the way an editor reads a conversation, not a stack of cards."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tipdesk.audit.actions import AuditAction
from tipdesk.tips.models import MediaAsset, Message

# Events the timeline shows between the messages; the rest are already there as a message,
# a note or a mark on a bubble (replies, notes, edits), or only matter in the full history.
INLINE_EVENTS = frozenset(
    action.value
    for action in (
        AuditAction.TIP_CLAIMED, AuditAction.TIP_CLAIM_TAKEN_OVER, AuditAction.TIP_RELEASED,
        AuditAction.TIP_STATUS_CHANGED, AuditAction.TIP_CONSENT_OVERRIDDEN,
        AuditAction.TIP_ASSIGNED, AuditAction.TIP_MERGED, AuditAction.TIP_SPLIT,
        AuditAction.TIP_SPLIT_FROM, AuditAction.TIP_DESK_CHANGED,
        AuditAction.CONSENT_REQUESTED, AuditAction.CONSENT_GRANTED, AuditAction.CONSENT_REFUSED,
        AuditAction.CONSENT_UNCLEAR, AuditAction.CONSENT_REVOKED,
        AuditAction.CONSENT_WITHDRAWN_AFTER_USE, AuditAction.CONSENT_ALERT_HANDLED,
        AuditAction.SENDER_BLOCKED, AuditAction.SENDER_UNBLOCKED, AuditAction.SENDER_OPTED_OUT,
        AuditAction.SENDER_OPTED_IN,
    )
)  # fmt: skip
HIDDEN_MESSAGES = ("edit", "revoke")  # they change another bubble, never one of their own


Placed = dict[int, tuple[str | None, str | None]]


async def media_places(tip_id: int) -> Placed:
    """Each medium's message by external id (the summary names messages by it) and the file
    name the reader gave it (a document is recognised by it)."""
    assets = await MediaAsset.filter(tip_id=tip_id).values_list("id", "message_id", "filename")
    messages = dict(await Message.filter(tip_id=tip_id).values_list("id", "external_id"))
    return {int(asset): (messages.get(message), filename) for asset, message, filename in assets}


def timeline(
    summary: dict[str, Any], history: list[dict[str, Any]], placed: Placed
) -> list[dict[str, Any]]:
    """Messages, notes and events by time. A medium whose message is not on this tip (split
    away since) rides with the first message, so nothing the reader sent is out of sight."""
    shown = [m for m in summary["messages"] if m["type"] not in HIDDEN_MESSAGES]
    by_id = {m["external_id"]: m for m in shown}
    for message in shown:
        message["media"] = []
    for medium in summary["media"]:
        external_id, medium["filename"] = placed.get(medium["id"], (None, None))
        home = by_id.get(external_id or "")
        if home is None and shown:
            home = shown[0]
        if home is not None:
            home["media"].append(medium)
    entries = [{"kind": "message", "at": m["received_at"], "item": m} for m in shown]
    entries += [{"kind": "note", "at": n["created_at"], "item": n} for n in summary["notes"]]
    inline = [e for e in history if e["action"] in INLINE_EVENTS]
    entries += [{"kind": "event", "at": e["iso"], "item": e} for e in inline]
    return sorted(entries, key=lambda entry: datetime.fromisoformat(str(entry["at"])))
