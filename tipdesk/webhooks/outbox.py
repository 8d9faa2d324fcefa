"""Deliveries owed, queued in the transaction of the audit event they report (the trail is the
desk's one funnel of changes, so every action that matters passes here): a change that rolls
back owes nothing, and one that commits cannot lose its delivery."""

from __future__ import annotations

import uuid

from tortoise.backends.base.client import BaseDBAsyncClient

from tipdesk.audit.models import AuditEvent
from tipdesk.clock import utcnow
from tipdesk.tips.models import Sender, Tip
from tipdesk.webhooks import bodies
from tipdesk.webhooks.delivery import wake_lane
from tipdesk.webhooks.events import WebhookEvent, events_of
from tipdesk.webhooks.models import WebhookDelivery, WebhookSubscription


async def owe_deliveries(event: AuditEvent, connection: BaseDBAsyncClient | None) -> None:
    """The audit trail's listener: a delivery per subscription that hears of this event."""
    kinds = events_of(event.action, event.detail)
    if not kinds:
        return
    if WebhookEvent.READER_ERASED in kinds and event.sender_id is not None:
        await forget_reader(event.sender_id, connection)
    subscriptions = await WebhookSubscription.filter(active=True).using_db(connection)
    wanted = [(s, k) for k in kinds for s in subscriptions if k.value in s.events]
    if not wanted:
        return
    tip = await Tip.filter(id=event.tip_id).using_db(connection).first() if event.tip_id else None
    sender_id = tip.sender_id if tip is not None else event.sender_id
    sender = await Sender.filter(id=sender_id).using_db(connection).first() if sender_id else None
    lane = f"tip:{tip.id}" if tip is not None else f"reader:{sender_id}"
    for kind in kinds:
        event_id = str(uuid.uuid4())
        body = await bodies.build(event, kind, event_id, tip, sender, connection)
        for subscription, _ in (pair for pair in wanted if pair[1] is kind):
            tip_id = tip.id if tip is not None else None
            await owe(subscription, kind, event_id, lane, body, tip_id, sender_id, connection)


async def owe(
    subscription: WebhookSubscription,
    kind: WebhookEvent,
    event_id: str,
    lane: str,
    body: str,
    tip_id: int | None,
    sender_id: int | None,
    connection: BaseDBAsyncClient | None,
    redelivery_of: int | None = None,
) -> WebhookDelivery:
    now = utcnow()
    delivery = await WebhookDelivery.create(
        subscription_id=subscription.id, event_id=event_id, event=kind.value, lane=lane,
        tip_id=tip_id, sender_id=sender_id, body=body,
        next_attempt_at=now, created_at=now, redelivery_of=redelivery_of, using_db=connection,
    )  # fmt: skip
    await wake_lane(subscription.id, lane, connection)
    return delivery


async def forget_reader(sender_id: int, connection: BaseDBAsyncClient | None) -> None:
    """An erased reader's masked number and credit leave every body kept or still owed."""
    for delivery in await WebhookDelivery.filter(sender_id=sender_id).using_db(connection):
        forgotten = bodies.forget_reader(delivery.body)
        if forgotten != delivery.body:
            await WebhookDelivery.filter(id=delivery.id).using_db(connection).update(body=forgotten)
