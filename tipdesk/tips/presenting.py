"""Tips and senders as the JSON API shows them (`../shared/spec/interface.md`)."""

from __future__ import annotations

from typing import Any

from tipdesk.conversation.models import ConsentRecord
from tipdesk.logs import mask_phone
from tipdesk.media.queries import also_sent_by
from tipdesk.tips.models import MediaAsset, Message, Sender, Tip


def sender_summary(sender: Sender) -> dict[str, Any]:
    return {
        "id": sender.id,
        "display_name": sender.display_name,
        "phone": mask_phone(sender.phone),
        "opted_out": sender.opted_out_at is not None,
        "blocked": sender.blocked_at is not None,
    }


async def tip_summary(tip: Tip, snippet: str | None = None) -> dict[str, Any]:
    await tip.fetch_related("sender", "claimed_by")
    messages = await Message.filter(tip_id=tip.id).order_by("sent_at", "id")
    media = await MediaAsset.filter(tip_id=tip.id).order_by("id").prefetch_related("variants")
    consent = await ConsentRecord.filter(tip_id=tip.id).order_by("-requested_at").first()
    location = next((m.content for m in messages if m.type == "location"), None)
    summary: dict[str, Any] = {
        "id": tip.id,
        "status": tip.status.value,
        "created_at": tip.created_at.isoformat(),
        "updated_at": tip.updated_at.isoformat(),
        "received_at": tip.first_message_at.isoformat(),
        "sender": sender_summary(tip.sender),
        "text": "\n".join(m.text for m in messages if m.text and m.direction.value == "in"),
        "claimed_by": _editor(tip),
        "desk": tip.desk,
        "tags": tip.tags,
        "consent": {
            "state": consent.state.value if consent else "not_asked",
            "scope": consent.scope.value if consent and consent.scope else None,
            "credit": consent.credit_name if consent else None,
        },
        "media": [await _medium(asset) for asset in media],
        "messages": [_message(m) for m in messages],
    }
    if location is not None:
        summary["location"] = location
    if snippet is not None:
        summary["snippet"] = snippet
    return summary


def _editor(tip: Tip) -> dict[str, Any] | None:
    if tip.claimed_by is None:
        return None
    return {"id": tip.claimed_by.id, "display_name": tip.claimed_by.display_name}


def _message(message: Message) -> dict[str, Any]:
    return {
        "wamid": message.wamid,
        "type": message.type,
        "direction": message.direction.value,
        "text": message.text,
        "received_at": message.sent_at.isoformat(),
        "delivery": message.delivery.value,
    }


async def _medium(asset: MediaAsset) -> dict[str, Any]:
    medium: dict[str, Any] = {
        "id": asset.id,
        "kind": asset.kind.value,
        "state": asset.state.value,
        "variants": {v.name: f"/media/{asset.token}/{v.name}" for v in asset.variants},
        "details": asset.details,
        "also_sent_by": await also_sent_by(asset),
    }
    if asset.sha256:
        medium["variants"]["original"] = f"/media/{asset.token}/original"
    if asset.error:
        medium["error"] = asset.error
    return medium
