"""Read receipts only when a person read: the desk never marks a message read on arrival (blue
ticks without an answer annoy readers); it does when an editor opens the tip."""

from __future__ import annotations

import logging
from datetime import timedelta

from tipdesk.channels.base import SendRefused
from tipdesk.clock import utcnow
from tipdesk.conversation.outbox import MessageJob
from tipdesk.jobs.kinds import JobContext, JobKind
from tipdesk.settings import Settings
from tipdesk.tips.models import DeliveryState, Direction, Message, Sender

log = logging.getLogger("tipdesk.conversation")
CONVERSATION_MARK_READ = "conversation.mark_read"


async def tip_opened(tip_id: int, settings: Settings) -> None:
    """An editor opened the tip: mark the reader's newest unread message read (WhatsApp then
    shows everything before it as read too)."""
    if not settings.read_receipts:
        return
    unread = (
        await Message.filter(
            tip_id=tip_id, direction=Direction.INBOUND, delivery=DeliveryState.RECEIVED
        )
        .order_by("-sent_at", "-id")
        .first()
    )
    if unread is None:
        return
    await MARK_READ_JOB.enqueue(
        MessageJob(unread.id), settings, dedupe_key=f"{CONVERSATION_MARK_READ}:{tip_id}"
    )


async def mark_read(context: JobContext, payload: MessageJob) -> None:
    message = await Message.get_or_none(id=payload.message_id)
    if message is None or message.delivery != DeliveryState.RECEIVED:
        return
    sender = await Sender.get(id=message.sender_id)
    if sender.erased_at is None and sender.blocked_at is None:
        try:
            await context.channel.mark_read(message.external_id, message.line)
        except SendRefused as exc:
            if exc.worth_retrying and not context.last_attempt:
                raise
            log.info("read receipt for message %d refused (%s)", message.id, exc.refusal.value)
    await Message.filter(
        tip_id=message.tip_id,
        direction=Direction.INBOUND,
        delivery=DeliveryState.RECEIVED,
        sent_at__lte=message.sent_at,
    ).update(delivery=DeliveryState.READ, delivery_at=utcnow())


MARK_READ_JOB = JobKind(
    CONVERSATION_MARK_READ, MessageJob, mark_read, priority=30, timeout=timedelta(minutes=2)
)
