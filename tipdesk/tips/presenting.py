"""Tips and senders as the JSON API shows them (`../shared/spec/interface.md`)."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

from tipdesk.conversation.models import ConsentRecord
from tipdesk.conversation.retention import WARN_BEFORE, purge_at
from tipdesk.jobs.queue import utcnow
from tipdesk.logs import mask_phone
from tipdesk.media.queries import also_sent_by_many
from tipdesk.tips.models import Direction, MediaAsset, Message, Sender, Tip, TipNote


def sender_summary(sender: Sender) -> dict[str, Any]:
    return {
        "id": sender.id,
        "display_name": sender.display_name,
        "phone": mask_phone(sender.phone),
        "opted_out": sender.opted_out_at is not None,
        "blocked": sender.blocked_at is not None,
        "unreachable": sender.unreachable_at is not None,
        "erased": sender.erased_at is not None,
        "language": sender.language,
    }


async def tip_summary(
    tip: Tip,
    snippet: str | None = None,
    *,
    retention: timedelta | None = None,
    evidence_retention: timedelta | None = None,
) -> dict[str, Any]:
    snippets = {tip.id: snippet} if snippet is not None else {}
    summaries = await tip_summaries(
        [tip], snippets, retention=retention, evidence_retention=evidence_retention
    )
    return summaries[0]


async def tip_summaries(
    tips: list[Tip],
    snippets: dict[int, str] | None = None,
    *,
    retention: timedelta | None = None,
    evidence_retention: timedelta | None = None,
) -> list[dict[str, Any]]:
    """Many tips in a handful of queries, whatever their number (the board shows fifty).
    With `retention` (the settings), each tip says when retention deletes it (`purge_at`)."""
    ids = [tip.id for tip in tips]
    await Tip.fetch_for_list(tips, "sender", "claimed_by")
    messages: dict[int, list[Message]] = defaultdict(list)
    for message in await Message.filter(tip_id__in=ids).order_by("sent_at", "id"):
        if message.tip_id is not None:
            messages[message.tip_id].append(message)
    media: dict[int, list[MediaAsset]] = defaultdict(list)
    for asset in (
        await MediaAsset.filter(tip_id__in=ids).order_by("id").prefetch_related("variants")
    ):
        media[asset.tip_id].append(asset)
    consents: dict[int, ConsentRecord] = {}
    for record in await ConsentRecord.filter(tip_id__in=ids).order_by("requested_at"):
        consents[record.tip_id] = record  # the latest wins
    notes: dict[int, list[TipNote]] = defaultdict(list)
    for note in (
        await TipNote.filter(tip_id__in=ids).order_by("created_at", "id").prefetch_related("editor")
    ):
        notes[note.tip_id].append(note)
    senders = {tip.id: tip.sender_id for tip in tips}
    also = await also_sent_by_many(
        [(asset, senders[tip_id]) for tip_id, assets in media.items() for asset in assets]
    )
    summaries = [
        _summary(tip, messages[tip.id], media[tip.id], consents.get(tip.id), also, snippets or {})
        for tip in tips
    ]
    for tip, summary in zip(tips, summaries, strict=True):
        summary.update(_retention(tip, retention, evidence_retention))
        summary["notes"] = [_note(note) for note in notes[summary["id"]]]
    return summaries


def _retention(
    tip: Tip, retention: timedelta | None, evidence_retention: timedelta | None
) -> dict[str, Any]:
    """`purge_at` (ISO time, or null when the tip is kept or the caller does not know) and
    `purge_soon` (within a week: the board warns)."""
    when = purge_at(tip, retention, evidence_retention) if retention is not None else None
    soon = when is not None and when - utcnow() <= WARN_BEFORE
    return {"purge_at": when.isoformat() if when else None, "purge_soon": soon}


def _summary(
    tip: Tip,
    messages: list[Message],
    media: list[MediaAsset],
    consent: ConsentRecord | None,
    also: dict[int, int],
    snippets: dict[int, str],
) -> dict[str, Any]:
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
        "published_url": tip.published_url,
        "merged_into": tip.merged_into_id,
        "consent": {
            "state": consent.state.value if consent else "not_asked",
            "scope": consent.scope.value if consent and consent.scope else None,
            "credit": consent.credit_name if consent else None,
        },
        "media": [_medium(asset, also.get(asset.id, 0)) for asset in media],
        "messages": [message_summary(m) for m in messages],
    }
    if location is not None:
        summary["location"] = location
    if tip.id in snippets:
        summary["snippet"] = snippets[tip.id]
    return summary


def _editor(tip: Tip) -> dict[str, Any] | None:
    if tip.claimed_by is None:
        return None
    return {"id": tip.claimed_by.id, "display_name": tip.claimed_by.display_name}


def _note(note: TipNote) -> dict[str, Any]:
    editor = note.editor
    return {
        "id": note.id,
        "text": note.text,
        "editor": {"id": editor.id, "display_name": editor.display_name} if editor else None,
        "created_at": note.created_at.isoformat(),
    }


def message_summary(message: Message) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "wamid": message.wamid,
        "type": message.type,
        "direction": message.direction.value,
        "text": message.text,
        "received_at": message.sent_at.isoformat(),
        "delivery": message.delivery.value,
    }
    if message.direction is Direction.OUTBOUND:
        summary["purpose"] = message.purpose
        summary["editor_id"] = message.editor_id
        if message.delivery_error:
            summary["delivery_error"] = message.delivery_error
    return summary


def _medium(asset: MediaAsset, also_sent_by: int) -> dict[str, Any]:
    medium: dict[str, Any] = {
        "id": asset.id,
        "kind": asset.kind.value,
        "state": asset.state.value,
        "variants": {v.name: f"/media/{asset.token}/{v.name}" for v in asset.variants},
        "details": asset.details,
        "also_sent_by": also_sent_by,
    }
    if asset.sha256:
        medium["variants"]["original"] = f"/media/{asset.token}/original"
    if asset.error:
        medium["error"] = asset.error
    return medium
