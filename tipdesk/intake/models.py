"""What arrived at the webhook, byte for byte, before anything was parsed."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class InboundState(StrEnum):
    RECEIVED = "received"
    PROCESSED = "processed"
    FAILED = "failed"


# A raw, signature-checked webhook body, stored before the 200 so nothing is ever lost.
class InboundWebhook(Model):
    # Assigned by the desk, not the database, so a batch of bodies is stored in one INSERT.
    id = fields.UUIDField(primary_key=True)
    body = fields.BinaryField()
    # Kept to check a body against, never searched by: no index (each would cost every ack).
    body_sha256 = fields.CharField(max_length=64)
    state = fields.CharEnumField(InboundState, max_length=16, default=InboundState.RECEIVED)
    received_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    processed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "inbound_webhooks"


# A message, status or value-level error that broke the contract; shown to admins.
class WebhookError(Model):
    id = fields.IntField(primary_key=True)
    webhook: fields.ForeignKeyNullableRelation[InboundWebhook] = fields.ForeignKeyField(
        "tipdesk.InboundWebhook", related_name="errors", null=True, on_delete=fields.SET_NULL
    )
    kind = fields.CharField(max_length=64)
    detail = fields.TextField()
    excerpt = fields.JSONField[dict[str, object]](default=dict)
    # The problem itself, whichever body carried it: a retry of that body finds this row.
    fingerprint = fields.CharField(max_length=64, null=True, db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    last_seen_at = fields.DatetimeField(null=True)

    class Meta:
        table = "webhook_errors"
