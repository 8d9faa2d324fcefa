"""Every message the desk sends goes through here: queued with its cause, sent by a job.

A message is a `messages` row (direction out) before it is sent, so the board shows it at once
and nothing is sent that the database does not know about. The `conversation.send` job decides at
sending time, not at queueing time, whether it may still go: a reader who stopped, was blocked,
erased or is unreachable gets nothing; outside the 24-hour window a free-form message is held and
the approved template goes instead; pacing keeps to Meta's pair rate limit and the number's
throughput. Refusals are sorted by code: retried (throughput, outages), held (131047), the reader
marked unreachable (131026, 131050), or failed for good with the reason shown.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from tipdesk import plain_sql
from tipdesk.channels.base import Outbound, Recipient, Refusal, SendRefused
from tipdesk.channels.windows import service_window
from tipdesk.clock import utcnow
from tipdesk.conversation import pacing
from tipdesk.conversation.limits import within_rate_limit
from tipdesk.conversation.models import ConsentRecord
from tipdesk.conversation.texts import reader_texts
from tipdesk.jobs.kinds import JobContext, JobKind
from tipdesk.settings import Settings
from tipdesk.tips.models import DeliveryState, Direction, Message, Sender, Tip

log = logging.getLogger("tipdesk.conversation")

CONVERSATION_SEND = "conversation.send"
# Confirmations must reach the reader within a second: ahead of media and indexing, and ahead
# of new readers' messages too, so under a backlog each tip is finished (its confirmation sent)
# before the next is started, instead of every waiting message first and all answers last.
SEND_PRIORITY = 5


@dataclass(frozen=True)
class MessageJob:
    """The payload of a job about one message (sending it, marking it read)."""

    message_id: int


@dataclass(frozen=True)
class Outgoing:
    """A message to a reader: what the channel sends, what the board shows, and why."""

    purpose: str
    message: Outbound
    text: str
    automatic: bool
    key: str | None = None
    tip_id: int | None = None
    editor_id: int | None = None
    # STOP's own confirmation and answers to a reader's request go out even after STOP.
    ignores_opt_out: bool = False
    content: dict[str, Any] = field(default_factory=dict)


async def queue_message(
    sender: Sender, outgoing: Outgoing, settings: Settings, connection: BaseDBAsyncClient
) -> Message | None:
    """Queue a message in the caller's transaction; None when one with its key exists already.
    It goes out from the desk's number its tip came in on (else the one the reader last wrote
    to): a reader of a regional desk hears from that desk's number."""
    row = Message(
        channel=sender.channel,
        # A stand-in until the channel names the message it sent (unique, never a channel's).
        external_id=f"desk.{uuid.uuid4().hex}",
        line=await _line_of(outgoing.tip_id, sender, connection),
        tip_id=outgoing.tip_id,
        sender_id=sender.id,
        direction=Direction.OUTBOUND,
        type=outgoing.message.kind,
        text=outgoing.text,
        content={
            **outgoing.content,
            "outbound": outgoing.message.stored(),
            "ignores_opt_out": outgoing.ignores_opt_out,
        },
        editor_id=outgoing.editor_id,
        delivery=DeliveryState.QUEUED,
        purpose=outgoing.purpose,
        automatic=outgoing.automatic,
        outbound_key=outgoing.key,
        sent_at=utcnow(),
    )
    stored = await plain_sql.insert_unless_conflict(connection, row)
    if stored is None:
        return None
    await schedule_send(stored.id, settings, connection)
    return stored


async def _line_of(tip_id: int | None, sender: Sender, connection: BaseDBAsyncClient) -> str | None:
    if tip_id is None:
        return sender.line
    lines = await Tip.filter(id=tip_id).using_db(connection).values_list("line", flat=True)
    return str(lines[0]) if lines and lines[0] is not None else None


async def queue_answer(
    sender: Sender,
    purpose: str,
    body: str,
    message: Message,
    settings: Settings,
    connection: BaseDBAsyncClient,
) -> None:
    """An answer to the reader's own message (a keyword, a button): sent even after STOP, and
    keyed on their message so it goes out once however often that message arrives; held to
    the reader rate limit like everything the desk sends by itself."""
    if not await within_rate_limit(sender, settings, connection):
        return
    await queue_message(
        sender,
        Outgoing(
            purpose=purpose, message=Outbound(text=body), text=body, automatic=False,
            key=f"answer:{message.external_id}"[:128], tip_id=message.tip_id, ignores_opt_out=True,
        ),
        settings, connection,
    )  # fmt: skip


async def schedule_send(
    message_id: int,
    settings: Settings,
    connection: BaseDBAsyncClient | None,
    *,
    delay: timedelta | None = None,
) -> None:
    await SEND_JOB.enqueue(
        MessageJob(message_id),
        settings,
        using_db=connection,
        dedupe_key=f"{CONVERSATION_SEND}:{message_id}",
        run_at=utcnow() + delay if delay else None,
    )


async def send_queued(context: JobContext, payload: MessageJob) -> None:
    """The `conversation.send` job: send one queued message, or hold, defer or cancel it."""
    settings = context.settings
    message = await Message.filter(id=payload.message_id).select_related("sender").first()
    if message is None or message.delivery != DeliveryState.QUEUED:
        return  # sent, held or cancelled by an earlier run: idempotent
    sender = message.sender
    if (reason := _why_not(sender, message)) is not None:
        await _settle(message, DeliveryState.CANCELLED, {"reason": reason})
        return
    if message.type != "template" and not window_open(sender):
        await hold(message, sender, settings)
        return
    if (wait := await pacing.claim_send(sender.id, settings)) is not None:
        await schedule_send(message.id, settings, None, delay=wait)
        return
    await _deliver(message, sender, context)


async def give_up_send(context: JobContext, payload: MessageJob) -> None:
    """A send that kept killing its workers: the message fails, so the editor sees it did."""
    message = await Message.get_or_none(id=payload.message_id)
    if message is not None and message.delivery == DeliveryState.QUEUED:
        await _settle(message, DeliveryState.FAILED, {"reason": UNSENDABLE})


async def revive_send(payload: MessageJob, connection: BaseDBAsyncClient) -> None:
    """An admin retries a given-up send: the message is queued again."""
    message_id = payload.message_id
    message = await Message.filter(id=message_id).using_db(connection).first()
    if message is None or message.delivery != DeliveryState.FAILED:
        return
    if message.delivery_error == {"reason": UNSENDABLE}:
        await (
            Message.filter(id=message_id)
            .using_db(connection)
            .update(delivery=DeliveryState.QUEUED, delivery_at=None, delivery_error=None)
        )


UNSENDABLE = "sending this message stopped the desk's worker twice; it was not sent"


def window_open(sender: Sender) -> bool:
    """Whether the reader's channel lets the desk write them freely now."""
    window = service_window(sender.channel)
    if window is None:
        return True
    last = sender.last_inbound_at
    return last is not None and utcnow() - last < window


def _why_not(sender: Sender, message: Message) -> str | None:
    if sender.erased_at is not None:
        return "the reader's data was erased"
    if sender.blocked_at is not None:
        return "the reader is blocked"
    if sender.unreachable_at is not None:
        return "WhatsApp cannot reach this reader"
    stopped = sender.opted_out_at is not None and not message.content.get("ignores_opt_out")
    if stopped and message.automatic:
        return "the reader sent STOP"
    return None


async def _deliver(message: Message, sender: Sender, context: JobContext) -> None:
    stored = message.content.get("outbound")
    outbound = Outbound.from_stored(stored if isinstance(stored, dict) else {})
    try:
        external_id = await context.channel.send(recipient(sender, message.line), outbound)
    except SendRefused as exc:
        await _refused(message, sender, exc, context)
        return
    finally:
        await pacing.hold_reader_slot(sender.id, context.settings)
    now = utcnow()
    await plain_sql.execute(
        connections.get("default"),
        'UPDATE "messages" SET "external_id"=?, "delivery"=?, "delivery_at"=?, "sent_at"=? '
        'WHERE "id"=? AND "delivery"=?',
        [external_id, DeliveryState.SENT.value, now, now, message.id, DeliveryState.QUEUED.value],
    )
    consent_id = message.content.get("consent_id")
    if isinstance(consent_id, int):
        # The consent evidence names the message that asked, as the channel knows it.
        await ConsentRecord.filter(id=consent_id).update(request_external_id=external_id)


def recipient(sender: Sender, line: str | None = None) -> Recipient:
    """Where a message to this reader goes: their address, or their channel's id for them;
    from the desk's number `line` (None: the main one)."""
    return Recipient(
        address=sender.address, user_id=sender.user_id, line=line, channel=sender.channel
    )


async def _refused(message: Message, sender: Sender, exc: SendRefused, context: JobContext) -> None:
    if exc.refusal is Refusal.WINDOW_CLOSED:
        await hold(message, sender, context.settings)
    elif exc.refusal is Refusal.UNREACHABLE:
        await mark_unreachable(sender.id)
        await _settle(message, DeliveryState.FAILED, exc.as_error())
    elif exc.worth_retrying and not context.last_attempt:
        raise exc
    else:
        await _settle(message, DeliveryState.FAILED, exc.as_error())


async def _settle(message: Message, state: DeliveryState, error: dict[str, object]) -> None:
    await Message.filter(id=message.id).update(
        delivery=state, delivery_at=utcnow(), delivery_error=error
    )
    log.info("message %d %s (%s)", message.id, state.value, error.get("code") or "")


async def mark_unreachable(sender_id: int) -> None:
    await Sender.filter(id=sender_id, unreachable_at=None).update(unreachable_at=utcnow())


async def hold(message: Message, sender: Sender, settings: Settings) -> None:
    """Outside the 24-hour window: keep the message and send the approved template, once per
    closed window, so the reader's answer reopens the window and releases what is held."""
    async with in_transaction() as connection:
        await (
            Message.filter(id=message.id)
            .using_db(connection)
            .update(delivery=DeliveryState.HELD, delivery_at=utcnow())
        )
        texts = reader_texts(settings)
        language = texts[texts.language_for(sender.phone, sender.language)]
        template = language.template
        since = sender.last_inbound_at.isoformat() if sender.last_inbound_at else "never"
        await queue_message(
            sender,
            Outgoing(
                purpose="window_template",
                message=Outbound(template=(template.name, template.language)),
                text=language.render("window_reopened", name=sender.display_name),
                automatic=False,
                key=f"window:{sender.id}:{since}",
                tip_id=message.tip_id,
            ),
            settings,
            connection,
        )


async def delivery_failed(
    channel: str, external_id: str, refusal: Refusal | None, settings: Settings
) -> None:
    """A channel reports a sent message failed after all: a closed window takes the held path
    (template now, message when the reader answers); an unreachable reader is marked so."""
    message = await Message.filter(
        channel=channel, external_id=external_id, direction=Direction.OUTBOUND
    ).first()
    if message is None:
        return
    if refusal is Refusal.WINDOW_CLOSED:
        sender = await Sender.get(id=message.sender_id)
        await hold(message, sender, settings)
    elif refusal is Refusal.UNREACHABLE:
        await mark_unreachable(message.sender_id)


async def release_held(sender: Sender, settings: Settings, connection: BaseDBAsyncClient) -> int:
    """The reader wrote again: what was held goes out now, oldest first."""
    held = (
        await Message.filter(
            sender_id=sender.id, direction=Direction.OUTBOUND, delivery=DeliveryState.HELD
        )
        .using_db(connection)
        .order_by("id")
        .values_list("id", flat=True)
    )
    for message_id in held:
        await (
            Message.filter(id=message_id).using_db(connection).update(delivery=DeliveryState.QUEUED)
        )
        await schedule_send(int(str(message_id)), settings, connection)
    return len(held)


# One Graph call, within READ_TIMEOUT: a send still running after two minutes is stuck.
SEND_JOB = JobKind(
    CONVERSATION_SEND,
    MessageJob,
    send_queued,
    priority=SEND_PRIORITY,
    timeout=timedelta(minutes=2),
    give_up=give_up_send,
    revive=revive_send,
)
