"""Read receipts only when a person read: the desk never marks a message read on arrival (blue
ticks without an answer annoy readers); it does when an editor opens the tip."""

from __future__ import annotations

import logging

from tipdesk.channels.base import SendRefused
from tipdesk.clock import utcnow
from tipdesk.jobs import queue
from tipdesk.jobs.worker import JobContext
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
    await queue.enqueue(
        CONVERSATION_MARK_READ,
        {"message_id": unread.id},
        max_attempts=settings.job_max_attempts,
        dedupe_key=f"{CONVERSATION_MARK_READ}:{tip_id}",
        priority=30,
    )


async def mark_read(context: JobContext, payload: dict[str, object]) -> None:
    message = await Message.get_or_none(id=int(str(payload["message_id"])))
    if message is None or message.delivery != DeliveryState.RECEIVED:
        return
    sender = await Sender.get(id=message.sender_id)
    if sender.erased_at is None and sender.blocked_at is None:
        try:
            await context.channel.mark_read(message.external_id)
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
