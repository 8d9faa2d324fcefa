"""Outbound webhooks: the subscriptions admins keep, and every delivery the desk owes them."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class DeliveryState(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    GIVEN_UP = "given_up"


class WebhookSubscription(Model):
    """A receiver (a CMS, a chat, a CRM) and the events it hears of. The secret is kept as it
    is: the desk signs every body with it, so a hash would not do."""

    id = fields.IntField(primary_key=True)
    url = fields.CharField(max_length=2048)
    secret = fields.CharField(max_length=128)
    # WebhookEvent values, in the order the admin ticked them.
    events = fields.JSONField[list[str]](default=list)
    description = fields.CharField(max_length=200, default="")
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "webhook_subscriptions"


class WebhookDelivery(Model):
    """One body owed to one subscription. `lane` orders deliveries: a tip's (`tip:12`) or, for
    an event without a tip, its reader's (`reader:5`); within a lane a delivery waits until the
    earlier ones are delivered or given up. The tip and reader are plain numbers, not foreign
    keys: an erased reader's tips are deleted, and the log of what was sent stays."""

    id = fields.IntField(primary_key=True)
    subscription: fields.ForeignKeyRelation[WebhookSubscription] = fields.ForeignKeyField(
        "tipdesk.WebhookSubscription", related_name="deliveries", on_delete=fields.CASCADE
    )
    # The body's own id, the same for every subscription and redelivery: receivers dedupe on it.
    event_id = fields.CharField(max_length=36)
    event = fields.CharField(max_length=64)
    lane = fields.CharField(max_length=32)
    tip_id = fields.IntField(null=True)
    sender_id = fields.IntField(null=True)
    # The exact JSON sent; signed afresh at every attempt, with that attempt's time.
    body = fields.TextField()
    state = fields.CharEnumField(DeliveryState, max_length=16, default=DeliveryState.PENDING)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField()
    # Set while one worker is sending it: another leaves the lane alone until then.
    sending_until = fields.DatetimeField(null=True)
    last_attempt_at = fields.DatetimeField(null=True)
    response_status = fields.IntField(null=True)
    error = fields.CharField(max_length=300, null=True)
    redelivery_of = fields.IntField(null=True)
    created_at = fields.DatetimeField()
    delivered_at = fields.DatetimeField(null=True)

    subscription_id: int

    class Meta:
        table = "webhook_deliveries"
        indexes = (("subscription_id", "lane", "state"),)
