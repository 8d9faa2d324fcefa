"""The JSON a receiver gets, built in the transaction of the change it reports.

Privacy by default: a body names the tip (id, status, desk, tags, who holds it, where it was
published) and the reader by id, channel and a masked number (`+31••••••78`, as the API shows
it). It never carries the full number, the reader's profile name or any message text: a CMS
that needs the words asks the API with a token, which is logged per editor. The one name it
carries is the credit line a reader granted with "Ja, met naam": that name is meant to be
published with the story.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from tipdesk.audit.actions import AuditAction
from tipdesk.audit.models import AuditEvent
from tipdesk.conversation.models import ConsentRecord, ConsentScope, ConsentState
from tipdesk.editors.models import Editor
from tipdesk.logs import mask_phone
from tipdesk.tips.models import Sender, Tip
from tipdesk.webhooks.events import CONSENT_STATES, WebhookEvent


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def encode(body: dict[str, Any]) -> str:
    """Compact and stable, so the bytes signed are the bytes sent and logged."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


async def tip_part(tip: Tip, connection: BaseDBAsyncClient | None) -> dict[str, Any]:
    holder = None
    if tip.claimed_by_id is not None:
        editor = await Editor.filter(id=tip.claimed_by_id).using_db(connection).first()
        holder = {"id": editor.id, "name": editor.display_name} if editor else None
    return {
        "id": tip.id,
        "status": tip.status.value,
        "desk": tip.desk,
        "tags": list(tip.tags),
        "claimed_by": holder,
        "published_url": tip.published_url,
        "created_at": iso(tip.created_at),
    }


async def reader_part(
    sender: Sender, tip: Tip | None, connection: BaseDBAsyncClient | None
) -> dict[str, Any]:
    if sender.erased_at is not None:
        return {"id": sender.id, "erased": True}
    part: dict[str, Any] = {
        "id": sender.id,
        "channel": sender.channel,
        "number": masked_number(sender.phone),
    }
    credit = await _credit(tip, connection) if tip is not None else None
    if credit:
        part["name"] = credit
    return part


def masked_number(phone: str | None) -> str | None:
    """`+31••••••78`: the country and the last two digits, as the API shows a reader."""
    if not phone:
        return None
    return mask_phone(phone if phone.startswith("+") else f"+{phone}")


async def _credit(tip: Tip, connection: BaseDBAsyncClient | None) -> str | None:
    record = (
        await ConsentRecord.filter(tip_id=tip.id)
        .using_db(connection)
        .order_by("-requested_at")
        .first()
    )
    if record is None or record.state is not ConsentState.GRANTED:
        return None
    return record.credit_name if record.scope is ConsentScope.NAMED else None


def change_part(event: AuditEvent) -> dict[str, Any]:
    """What this event changed, in the receiver's words."""
    action = AuditAction(event.action)
    detail = event.detail
    if action is AuditAction.TIP_STATUS_CHANGED:
        return {"from": detail.get("from"), "to": detail.get("to")}
    if action in CONSENT_STATES:
        change: dict[str, Any] = {"consent": CONSENT_STATES[action]}
        if detail.get("scope"):
            change["scope"] = detail.get("scope")
        return change
    if action is AuditAction.CONSENT_WITHDRAWN_AFTER_USE:
        return {"consent": str(detail.get("answer", "revoked"))}
    return {}


async def build(
    event: AuditEvent,
    kind: WebhookEvent,
    event_id: str,
    tip: Tip | None,
    sender: Sender | None,
    connection: BaseDBAsyncClient | None,
) -> str:
    body: dict[str, Any] = {
        "id": event_id,
        "event": kind.value,
        "occurred_at": iso(event.created_at),
        "tip": await tip_part(tip, connection) if tip is not None else None,
        "reader": await reader_part(sender, tip, connection) if sender is not None else None,
    }
    change = change_part(event)
    if change:
        body["change"] = change
    return encode(body)


def forget_reader(body: str) -> str:
    """The body with its reader reduced to an erased stub (the reader asked to be erased)."""
    data = json.loads(body)
    reader = data.get("reader")
    if isinstance(reader, dict):
        data["reader"] = {"id": reader.get("id"), "erased": True}
    return encode(data)
