"""Tips and senders as the JSON API shows them (`../shared/spec/interface.md`)."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

from tipdesk.audit.models import AuditEvent
from tipdesk.clock import utcnow
from tipdesk.conversation.models import ConsentRecord
from tipdesk.logs import mask_phone
from tipdesk.media.queries import also_sent_by_many
from tipdesk.tips.models import Direction, MediaAsset, Message, Sender, Tip, TipNote
from tipdesk.tips.purge_dates import WARN_BEFORE, purge_at

# The API named a message by its WhatsApp id before there were channels: WhatsApp's messages and
# consent records keep those names beside the channel-neutral ones, for existing clients.
WAMID_CHANNEL = "whatsapp"


def sender_summary(sender: Sender) -> dict[str, Any]:
    return {
        "id": sender.id,
        "channel": sender.channel,
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
    revoked = {m.id for m in messages if m.content.get("revoked_at")}
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
        # The desk's WhatsApp number (phone_number_id) it came in on; None: the main number.
        "line": tip.line,
        "tags": tip.tags,
        "published_url": tip.published_url,
        "used_at": tip.used_at.isoformat() if tip.used_at else None,
        "consent_alert_at": tip.consent_alert_at.isoformat() if tip.consent_alert_at else None,
        "consent_unclear": tip.consent_unclear_at is not None,
        "merged_into": tip.merged_into_id,
        "consent": {
            "state": consent.state.value if consent else "not_asked",
            "scope": consent.scope.value if consent and consent.scope else None,
            "credit": consent.credit_name if consent else None,
        },
        "media": [_medium(asset, also.get(asset.id, 0), revoked) for asset in media],
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
        **_legacy_ids(message.channel, wamid=message.external_id),
        "channel": message.channel,
        "external_id": message.external_id,
        "type": message.type,
        "direction": message.direction.value,
        "text": message.text,
        "received_at": message.sent_at.isoformat(),
        "delivery": message.delivery.value,
    }
    if message.direction is Direction.INBOUND:
        summary.update(_reader_facts(message))
    if message.direction is Direction.OUTBOUND:
        summary["purpose"] = message.purpose
        summary["editor_id"] = message.editor_id
        if message.delivery_error:
            summary["delivery_error"] = message.delivery_error
    return summary


def _reader_facts(message: Message) -> dict[str, Any]:
    """What a reader's message says beyond its text: forwarded (a verification signal), edits
    with every version, deletion by the reader, and the structured content (a shared contact's
    phones and e-mail, what an unsupported message was). A deleted message's words stay out,
    even when they are kept as evidence."""
    content = message.content
    forwarded = None
    if message.forwarded:
        frequently = content.get("frequently_forwarded")
        forwarded = "frequently_forwarded" if frequently else "forwarded"
    return {
        "forwarded": forwarded,
        "edited_at": content.get("edited_at"),
        "revoked_at": content.get("revoked_at"),
        "content": {key: value for key, value in content.items() if key != "revoked"},
    }


def _medium(asset: MediaAsset, also_sent_by: int, revoked: set[int]) -> dict[str, Any]:
    medium: dict[str, Any] = {
        "id": asset.id,
        "kind": asset.kind.value,
        "state": asset.state.value,
        "variants": {v.name: f"/media/{asset.token}/{v.name}" for v in asset.variants},
        "details": asset.details,
        "also_sent_by": also_sent_by,
        # The reader deleted the message it came with: the editor must know before using it.
        "revoked_by_reader": asset.message_id in revoked,
    }
    if asset.sha256:
        medium["variants"]["original"] = f"/media/{asset.token}/original"
    if asset.error:
        medium["error"] = asset.error
    return medium


async def consent_evidence(records: list[ConsentRecord]) -> list[dict[str, Any]]:
    """Each consent record as evidence: the exact question and answer, both message ids, the
    times, who asked and the media it covers (the interface's sender and tip views)."""
    ids = [record.id for record in records]
    covered: dict[int, list[int]] = defaultdict(list)
    if ids:
        through = await ConsentRecord.filter(id__in=ids).values_list("id", "media__id")
        for record_id, asset_id in through:
            if asset_id is not None:
                covered[int(str(record_id))].append(int(str(asset_id)))
    await ConsentRecord.fetch_for_list(records, "requested_by", "sender")
    return [_evidence(record, sorted(covered[record.id])) for record in records]


def _legacy_ids(channel: str, **ids: str | None) -> dict[str, str | None]:
    return ids if channel == WAMID_CHANNEL else {}


def _evidence(record: ConsentRecord, media: list[int]) -> dict[str, Any]:
    asker = record.requested_by
    legacy = _legacy_ids(
        record.sender.channel,
        request_wamid=record.request_external_id,
        answer_wamid=record.answer_external_id,
    )
    return {
        **legacy,
        "id": record.id,
        "tip_id": record.tip_id,
        "state": record.state.value,
        "scope": record.scope.value if record.scope else None,
        "credit": record.credit_name,
        "question": record.question_text,
        "request_external_id": record.request_external_id,
        "requested_at": record.requested_at.isoformat(),
        "requested_by": {"id": asker.id, "display_name": asker.display_name} if asker else None,
        "answer": record.answer_text,
        "answer_external_id": record.answer_external_id,
        "answered_at": record.answered_at.isoformat() if record.answered_at else None,
        "revoked_at": record.revoked_at.isoformat() if record.revoked_at else None,
        "media": media,
    }


async def tip_history(tip_id: int) -> list[dict[str, Any]]:
    """The tip's audit trail, oldest first: what was done, by whom, when."""
    events = await AuditEvent.filter(tip_id=tip_id).order_by("created_at", "id")
    await AuditEvent.fetch_for_list(events, "editor")
    return [
        {
            "action": event.action,
            "at": event.created_at.isoformat(),
            "editor": (
                {"id": event.editor.id, "display_name": event.editor.display_name}
                if event.editor
                else None
            ),
            "detail": event.detail,
        }
        for event in events
    ]


async def tip_detail(
    tip: Tip, *, retention: timedelta | None, evidence_retention: timedelta | None
) -> dict[str, Any]:
    """One tip as `GET /api/v1/tips/{id}` shows it: the summary, every consent record as
    evidence, and the history."""
    summary = await tip_summary(tip, retention=retention, evidence_retention=evidence_retention)
    records = await ConsentRecord.filter(tip_id=tip.id).order_by("requested_at", "id")
    summary["consent_records"] = await consent_evidence(records)
    summary["history"] = await tip_history(tip.id)
    return summary
