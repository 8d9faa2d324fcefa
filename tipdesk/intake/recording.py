"""The intake job: a stored webhook body becomes senders, tips, messages and media to fetch.

Each message is recorded in its own transaction, so one bad message never holds up the rest, and
a message already stored (same channel and external id, any delivery, any worker) is skipped:
at-least-once delivery from Meta and at-least-once jobs both end in exactly one message.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import uuid
from datetime import timedelta

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.fields.data import JSON_DUMPS
from tortoise.transactions import in_transaction

from tipdesk import plain_sql
from tipdesk.audit.actions import AuditAction
from tipdesk.audit.trail import record
from tipdesk.channels.base import Channel
from tipdesk.channels.events import InboundMessage, Notification, Reader, Role, StatusUpdate
from tipdesk.clock import utcnow
from tipdesk.conversation.inbound import respond
from tipdesk.conversation.intents import Intent, read_intent
from tipdesk.conversation.models import ConsentRecord
from tipdesk.conversation.outbox import delivery_failed
from tipdesk.conversation.texts import reader_texts
from tipdesk.intake.corrections import apply_correction
from tipdesk.intake.inbox_writers import BodiesToProcess
from tipdesk.intake.models import InboundState, InboundWebhook, WebhookError
from tipdesk.jobs.kinds import JobContext
from tipdesk.media.fetch import FETCH_JOB, MEDIA_FETCH
from tipdesk.media.states import AssetJob
from tipdesk.search.jobs import schedule_indexing
from tipdesk.settings import Settings
from tipdesk.tips.actions import answered_tip, tip_for_message
from tipdesk.tips.editing import clean_desk
from tipdesk.tips.models import (
    DeliveryState,
    Direction,
    MediaAsset,
    Message,
    Sender,
    Tip,
)

log = logging.getLogger("tipdesk.intake")
# Bodies read per query: each is at most TIPDESK_WEBHOOK_MAX_BYTES.
READ_AT_ONCE = 16
# Meta retries an unacknowledged body for up to seven days: within them, one problem is one row.
META_RETRIES_FOR = timedelta(days=7)

# Delivery only moves forward, whatever order Meta's status webhooks arrive in.
DELIVERY_RANK = {
    DeliveryState.QUEUED: 0,
    DeliveryState.SENT: 1,
    DeliveryState.DELIVERED: 2,
    DeliveryState.READ: 3,
    DeliveryState.PLAYED: 4,
}


async def process_webhook(context: JobContext, payload: BodiesToProcess) -> None:
    """The inbox's job: every body it committed together (`webhook_ids`; jobs written before
    group jobs name one `webhook_id`). Each body is taken on its own; one that fails is retried
    with the job, while those already processed are skipped on that retry.

    Bodies are read a few at a time in one query, and those that broke no rule are marked
    processed together: under a storm most bodies are delivery receipts, each a single UPDATE,
    and per-body reads and transactions were most of their cost. A crash before the marking
    only means those bodies are read again, which records nothing twice."""
    ids = payload.ids
    failed: list[BaseException] = []
    for start in range(0, len(ids), READ_AT_ONCE):
        webhooks = await _received(ids[start : start + READ_AT_ONCE])
        clean: list[uuid.UUID] = []
        for webhook in webhooks:
            await context.give_way()
            try:
                notification = await _process_one(webhook, context.channel, context.settings)
            except Exception as exc:
                log.warning("webhook %s failed: %s", webhook.id, type(exc).__name__)
                failed.append(exc)
                continue
            if notification.violations or notification.value_errors:
                await _finish(webhook, notification)
            else:
                clean.append(webhook.id)
        if clean:
            await plain_sql.execute(
                connections.get("default"),
                f'UPDATE "inbound_webhooks" SET "state"=?, "processed_at"=? '  # noqa: S608 - placeholders only
                f'WHERE "id" IN ({plain_sql.marks(len(clean))})',
                [InboundState.PROCESSED.value, utcnow(), *[str(i) for i in clean]],
            )
    if failed:
        raise failed[0]


async def _received(ids: list[str]) -> list[InboundWebhook]:
    """These bodies, those not yet processed, oldest first (plain SQL: every job reads them)."""
    columns = plain_sql.columns_sql(plain_sql.columns_of(InboundWebhook))
    rows = await plain_sql.fetch(
        connections.get("default"),
        f'SELECT {columns} FROM "inbound_webhooks" '  # noqa: S608 - placeholders only
        f'WHERE "id" IN ({plain_sql.marks(len(ids))}) AND "state"=? ORDER BY "id"',
        [*ids, InboundState.RECEIVED.value],
    )
    return [plain_sql.record(InboundWebhook, row) for row in rows]


async def _process_one(
    webhook: InboundWebhook, channel: Channel, settings: Settings
) -> Notification:
    notification = channel.parse(bytes(webhook.body))
    source = notification.channel or channel.name
    new = 0
    for message in notification.messages:
        new += await record_message(source, message, settings)
    for status in notification.statuses:
        await apply_status(source, status, settings)
    log.info(
        "webhook %s: %d new of %d messages, %d statuses, %d problems, %d for other numbers",
        webhook.id,
        new,
        len(notification.messages),
        len(notification.statuses),
        len(notification.violations) + len(notification.value_errors),
        notification.other_numbers,
    )
    return notification


async def _finish(webhook: InboundWebhook, notification: Notification) -> None:
    """A body with problems: they are stored in the transaction that marks it processed, so a
    body still `received` has none recorded; replaced, not added, all the same. A problem
    already listed from another body (Meta's retry of it) is marked seen again, not listed
    twice."""
    problems = [(v.kind, v.detail, v.excerpt) for v in notification.violations] + [
        ("value_error", _error_title(e), e) for e in notification.value_errors
    ]
    now = utcnow()
    async with in_transaction() as connection:
        await WebhookError.filter(webhook_id=webhook.id).using_db(connection).delete()
        errors: dict[str, WebhookError] = {}
        for kind, detail, excerpt in problems:
            fingerprint = _fingerprint(kind, detail, excerpt)
            if fingerprint in errors:
                continue
            seen = await (
                WebhookError.filter(fingerprint=fingerprint, created_at__gte=now - META_RETRIES_FOR)
                .using_db(connection)
                .update(last_seen_at=now)
            )
            if not seen:
                errors[fingerprint] = WebhookError(
                    webhook_id=webhook.id, kind=kind, detail=detail, excerpt=excerpt,
                    fingerprint=fingerprint,
                )  # fmt: skip
        if errors:
            await WebhookError.bulk_create(list(errors.values()), using_db=connection)
        await (
            InboundWebhook.filter(id=webhook.id)
            .using_db(connection)
            .update(state=InboundState.PROCESSED, processed_at=now)
        )


def _fingerprint(kind: str, detail: str, excerpt: dict[str, object]) -> str:
    canonical = json.dumps([kind, detail, excerpt], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _error_title(error: dict[str, object]) -> str:
    title = error.get("title") or error.get("message") or ""
    return f"{error.get('code', '?')}: {title}"[:500]


async def record_message(channel: str, message: InboundMessage, settings: Settings) -> bool:
    """Store one inbound message of `channel`; False when it was stored before (a duplicate
    delivery)."""
    try:
        async with in_transaction() as connection:
            sender, new_reader = await _locked_sender(channel, message, connection)
            await _note_inbound(sender, message, connection)
            await _store(sender, new_reader, message, settings, connection)
    except IntegrityError:
        # Stored before (by an earlier delivery, or by another worker just now): the message's
        # unique (channel, external id) refused it and everything this transaction did is
        # rolled back. Asking first would cost every message a query for what retries rarely
        # cause.
        if await Message.filter(channel=channel, external_id=message.external_id).exists():
            return False
        raise
    return True


async def _store(
    sender: Sender,
    new_reader: bool,
    message: InboundMessage,
    settings: Settings,
    connection: BaseDBAsyncClient,
) -> None:
    if message.number_change is not None:
        await _change_number(sender, message.number_change, connection)
    intent = read_intent(
        message.type, message.text, message.choice, sender.pending_question,
        sender.pending_question_at, utcnow(), reader_texts(settings),
    )  # fmt: skip
    if message.role in (Role.EDIT, Role.REVOKE):
        tip, opened = await apply_correction(sender, message, connection), False
    else:
        tip, opened = await _tip_for(sender, new_reader, message, intent, settings, connection)
    stored = await Message.create(
        channel=sender.channel,
        external_id=message.external_id,
        tip=tip,
        sender=sender,
        direction=Direction.INBOUND,
        type=message.type,
        text=message.text,
        content=message.content,
        quoted_id=message.quoted_id,
        forwarded=message.forwarded,
        line=message.line,
        sent_at=message.sent_at,
        using_db=connection,
    )
    if tip is not None:
        await schedule_indexing(tip.id, settings, connection)
    if message.media is not None and tip is not None:
        asset = await MediaAsset.create(
            token=secrets.token_urlsafe(24),
            tip=tip,
            message=stored,
            kind=message.media.kind,
            external_media_id=message.media.media_id,
            declared_mime=message.media.mime_type,
            declared_sha256=message.media.sha256,
            filename=message.media.filename,
            using_db=connection,
        )
        await FETCH_JOB.enqueue(
            AssetJob(asset.id),
            settings,
            using_db=connection,
            dedupe_key=f"{MEDIA_FETCH}:{asset.id}",
        )
    await respond(sender, stored, tip, opened, intent, settings, connection, new_reader=new_reader)


async def _tip_for(
    sender: Sender,
    new_reader: bool,
    message: InboundMessage,
    intent: Intent | None,
    settings: Settings,
    connection: BaseDBAsyncClient,
) -> tuple[Tip | None, bool]:
    """An answer to a consent question, a button or the desk's template belongs to the tip it
    answers, whatever its status; other requests to the desk join an active tip but never open
    one; a reader merely opening the chat has said nothing yet."""
    if message.role is Role.CHAT_OPENED:
        return None, False
    if intent is not None and intent.record_id is not None:
        record = (
            await ConsentRecord.filter(id=intent.record_id, sender_id=sender.id)
            .using_db(connection)
            .first()
        )
        if record is not None:
            return await Tip.filter(id=record.tip_id).using_db(connection).get(), False
    if not new_reader:
        answered = await answered_tip(
            sender, answer=message.role is Role.ANSWER, quoted_id=message.quoted_id,
            sent_at=message.sent_at, connection=connection,
        )  # fmt: skip
        if answered is not None:
            return answered, False
    return await tip_for_message(
        sender,
        sent_at=message.sent_at,
        quoted_id=message.quoted_id or message.reaction_to,
        window=settings.tip_window,
        connection=connection,
        may_open=intent is None and message.role is Role.CONTENT,
        new_reader=new_reader,
        line=message.line,
        desk=_desk_of(settings, message.line),
    )


def _desk_of(settings: Settings, line: str | None) -> str | None:
    """The desk label a number's new tips start with (a regional desk's)."""
    number = next((n for n in settings.numbers if n.phone_number_id == line), settings.numbers[0])
    return clean_desk(number.desk)


async def _locked_sender(
    channel: str, message: InboundMessage, connection: BaseDBAsyncClient
) -> tuple[Sender, bool]:
    """The reader's row, created if new and locked for this transaction, so two messages of one
    reader processed at once cannot both open a tip; and whether this transaction created it."""
    reader = message.reader
    found = await _find_sender(channel, reader, connection)
    created = False
    if found is None:
        new = Sender(
            channel=channel,
            address=reader.address,
            user_id=reader.user_id,
            phone=reader.phone,
            display_name=reader.display_name,
            language=reader.language,
            line=message.line,
            first_contact_at=utcnow(),
            last_inbound_at=message.sent_at,
        )
        found = await plain_sql.insert_unless_conflict(connection, new)
        # Ours if the insert returned it; otherwise another worker created the reader meanwhile.
        created = found is not None
        if found is None:
            found = await _find_sender(channel, reader, connection)
    if found is None:
        raise IntegrityError("sender vanished while being created")
    if connection.capabilities.dialect != "postgres":
        # SQLite has no row locks: its one writer at a time is the lock (a second transaction
        # that read before the first wrote cannot commit and is retried).
        return found, created
    locked = await Sender.filter(id=found.id).select_for_update().using_db(connection).first()
    if locked is not None and locked.erased_at is not None and locked.address is None:
        # Erased while we waited for the lock: the stub no longer holds the address, so the
        # message belongs to the reader as a new one.
        return await _locked_sender(channel, message, connection)
    return locked or found, created


async def _find_sender(
    channel: str, reader: Reader, connection: BaseDBAsyncClient
) -> Sender | None:
    readers = Sender.filter(channel=channel).using_db(connection)
    if reader.address:
        found = await readers.filter(address=reader.address).first()
        if found is not None:
            return found
    if reader.user_id:
        return await readers.filter(user_id=reader.user_id).first()
    return None


async def _note_inbound(
    sender: Sender, message: InboundMessage, connection: BaseDBAsyncClient
) -> None:
    """Profile name, business-scoped id and the 24-hour window's start, from each message."""
    changes: dict[str, object] = {}
    if message.reader.display_name and message.reader.display_name != sender.display_name:
        changes["display_name"] = message.reader.display_name
    reader = message.reader
    if (
        reader.user_id
        and not sender.user_id
        and not await _taken(sender, "user_id", reader.user_id, connection)
    ):
        changes["user_id"] = reader.user_id
    # A username reader whose number is now shared with the desk.
    if (
        reader.address
        and not sender.address
        and not await _taken(sender, "address", reader.address, connection)
    ):
        changes["address"] = reader.address
        if reader.phone:
            changes["phone"] = reader.phone
    if sender.last_inbound_at is None or message.sent_at > sender.last_inbound_at:
        changes["last_inbound_at"] = message.sent_at
        # The desk's number they wrote to last is the one their next answers come from.
        if message.line != sender.line:
            changes["line"] = message.line
    if changes:
        await Sender.filter(id=sender.id).using_db(connection).update(**changes)
        for key, value in changes.items():
            setattr(sender, key, value)


async def _taken(sender: Sender, field: str, value: str, connection: BaseDBAsyncClient) -> bool:
    found = Sender.filter(channel=sender.channel, **{field: value}).using_db(connection)
    return await found.exists()


async def _change_number(sender: Sender, new_number: str, connection: BaseDBAsyncClient) -> None:
    if new_number == sender.address:
        return
    if await _taken(sender, "address", new_number, connection):
        await record(
            AuditAction.SENDER_NUMBER_CHANGE_CONFLICT, sender_id=sender.id, using_db=connection
        )
        return
    await (
        Sender.filter(id=sender.id)
        .using_db(connection)
        .update(address=new_number, phone=new_number)
    )
    await record(AuditAction.SENDER_NUMBER_CHANGED, sender_id=sender.id, using_db=connection)
    sender.address = sender.phone = new_number


async def apply_status(channel: str, status: StatusUpdate, settings: Settings) -> None:
    """Move an outbound message's delivery forward; never back, whatever the arrival order."""
    try:
        state = DeliveryState(status.status)
    except ValueError:
        log.info("status webhook with unknown value %r ignored", status.status[:32])
        return
    if state is DeliveryState.FAILED:
        earlier = [DeliveryState.QUEUED, DeliveryState.SENT, DeliveryState.DELIVERED]
        error = status.errors[0] if status.errors else {}
        if await _advance(channel, status, state, earlier, error):
            await delivery_failed(channel, status.external_id, status.refusal, settings)
        return
    if state not in DELIVERY_RANK:
        return
    earlier = [s for s, rank in DELIVERY_RANK.items() if rank < DELIVERY_RANK[state]]
    await _advance(channel, status, state, earlier, None)


async def _advance(
    channel: str,
    status: StatusUpdate,
    state: DeliveryState,
    earlier: list[DeliveryState],
    error: dict[str, object] | None,
) -> int:
    """Plain SQL: three receipts come back for every message the desk sends."""
    error_sql, error_values = ("", []) if error is None else (', "delivery_error"=?', [error])
    return await plain_sql.execute(
        connections.get("default"),
        f'UPDATE "messages" SET "delivery"=?, "delivery_at"=?{error_sql} WHERE "channel"=? '  # noqa: S608 - placeholders only
        'AND "external_id"=? AND "direction"=? '
        f'AND "delivery" IN ({plain_sql.marks(len(earlier))})',
        [
            state.value, status.at, *[JSON_DUMPS(e) for e in error_values],
            channel, status.external_id, Direction.OUTBOUND.value, *[s.value for s in earlier],
        ],
    )  # fmt: skip
