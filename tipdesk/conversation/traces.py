"""A reader's traces outside their own rows: raw webhook bodies, webhook errors, job errors and
audit details that carry their number, username id or name. Erasure removes or redacts them.

The scan is bounded: only bodies received since the reader's first contact (less a day) are
read, a hundred at a time, and processed bodies older than seven days are purged daily anyway.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from tipdesk.audit.actions import AuditAction
from tipdesk.audit.models import AuditEvent
from tipdesk.audit.trail import redact
from tipdesk.clock import utcnow
from tipdesk.intake.models import InboundState, InboundWebhook, WebhookError
from tipdesk.jobs.models import Job

REDACTED = "[erased]"
BATCH = 100
MARGIN = timedelta(days=1)
ECHOES_FOR = timedelta(days=30)
# Erasure waits for intake to parse a reader's body (it would bring them back afterwards), but
# not for a body left unparsed this long: its intake job died.
STUCK_AFTER = timedelta(hours=1)


class IntakePending(RuntimeError):
    """Webhooks of this reader are still waiting for intake; erasure runs again after them."""


@dataclass(frozen=True)
class Identity:
    """What identifies a reader in text: number and username id (exact, in JSON strings), and
    their name (only in their own records: a first name alone matches too much elsewhere)."""

    ids: tuple[str, ...]
    name: str

    def needles(self) -> list[bytes]:
        found: list[bytes] = []
        for value in self.ids:
            found += [f'"{value}"'.encode(), json.dumps(value).encode()]
        return list(dict.fromkeys(found))

    def in_text(self, text: str) -> bool:
        return any(value in text for value in self.ids)

    def scrub(self, text: str) -> str:
        for value in (*self.ids, self.name):
            if value and len(value) >= 2:
                text = text.replace(value, REDACTED)
        return text


async def matching_webhooks(identity: Identity, since: datetime) -> tuple[list[str], list[str]]:
    """Bodies that carry the reader: those intake is done with (or stuck on), and those it has
    yet to parse."""
    return await _scan(identity.needles(), since - MARGIN)


async def _scan(needles: list[bytes], since: datetime) -> tuple[list[str], list[str]]:
    if not needles:
        return [], []
    candidates = await InboundWebhook.filter(received_at__gte=since).values_list("id", flat=True)
    ids = [str(candidate) for candidate in candidates]
    done: list[str] = []
    waiting: list[str] = []
    stuck_before = utcnow() - STUCK_AFTER
    for start in range(0, len(ids), BATCH):
        rows = await InboundWebhook.filter(id__in=ids[start : start + BATCH]).only(
            "id", "body", "state", "received_at"
        )
        for row in rows:
            if not any(needle in bytes(row.body) for needle in needles):
                continue
            parsing = row.state is InboundState.RECEIVED and row.received_at > stuck_before
            (waiting if parsing else done).append(str(row.id))
    return done, waiting


async def remove_echoes(now: datetime) -> int:
    """Meta's status webhooks for the closing message (sent, delivered, read, sometimes days
    later) carry the erased reader's number as `recipient_id`. They are found by the closing
    message's wamid, kept in the erasure's audit event, for thirty days after it."""
    erasures = await AuditEvent.filter(
        action=AuditAction.SENDER_ERASED.value, created_at__gte=now - ECHOES_FOR
    )
    wamids = [e.detail.get("closing_wamid") for e in erasures]
    needles = [f'"{wamid}"'.encode() for wamid in wamids if isinstance(wamid, str) and wamid]
    if not needles:
        return 0
    matched, _ = await _scan(needles, min(e.created_at for e in erasures))
    async with in_transaction() as connection:
        return await remove_webhooks(matched, connection)


async def remove_webhooks(webhook_ids: list[str], connection: BaseDBAsyncClient) -> int:
    removed = 0
    for start in range(0, len(webhook_ids), BATCH):
        chunk = webhook_ids[start : start + BATCH]
        await WebhookError.filter(webhook_id__in=chunk).using_db(connection).delete()
        await InboundWebhook.filter(id__in=chunk).using_db(connection).delete()
        removed += len(chunk)
    return removed


async def remove_webhook_errors(
    identity: Identity, since: datetime, connection: BaseDBAsyncClient
) -> int:
    """Webhook errors since the reader's first contact whose excerpt or detail carries them
    (those of bodies already removed went with them)."""
    if not identity.ids:
        return 0
    errors = (
        await WebhookError.filter(created_at__gte=since - MARGIN)
        .using_db(connection)
        .only("id", "detail", "excerpt")
    )
    doomed = [
        error.id
        for error in errors
        if identity.in_text(error.detail) or identity.in_text(json.dumps(error.excerpt))
    ]
    if doomed:
        await WebhookError.filter(id__in=doomed).using_db(connection).delete()
    return len(doomed)


async def redact_job_errors(identity: Identity, connection: BaseDBAsyncClient) -> int:
    """A database error can quote a unique key (a number) into a job's last error."""
    redacted = 0
    for value in identity.ids:
        redacted += (
            await Job.filter(last_error__contains=value)
            .using_db(connection)
            .update(last_error=REDACTED)
        )
    return redacted


async def redact_audit(
    identity: Identity, sender_id: int, tip_ids: Iterable[int], connection: BaseDBAsyncClient
) -> None:
    """Notes in the audit of the reader's kept tips may name them; the events stay."""
    events = await AuditEvent.filter(sender_id=sender_id).using_db(connection)
    events += await AuditEvent.filter(tip_id__in=list(tip_ids)).using_db(connection)
    for event in events:
        cleaned = _scrubbed(event.detail, identity)
        if cleaned != event.detail:
            await redact(event.id, cleaned, using_db=connection)


def _scrubbed(value: object, identity: Identity) -> object:
    if isinstance(value, str):
        return identity.scrub(value)
    if isinstance(value, dict):
        return {key: _scrubbed(item, identity) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrubbed(item, identity) for item in value]
    return value
