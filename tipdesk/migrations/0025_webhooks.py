"""Outbound webhooks: subscriptions and the deliveries owed to them (issue 22)."""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from tipdesk.webhooks.models import DeliveryState


class Migration(migrations.Migration):
    dependencies = [("tipdesk", "0024_media_likeness")]

    initial = False

    operations = [
        ops.CreateModel(
            name="WebhookSubscription",
            fields=[
                ("id", fields.IntField(primary_key=True)),
                ("url", fields.CharField(max_length=2048)),
                ("secret", fields.CharField(max_length=128)),
                ("events", fields.JSONField(default=list)),
                ("description", fields.CharField(max_length=200, default="")),
                ("active", fields.BooleanField(default=True)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={"table": "webhook_subscriptions", "app": "tipdesk", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="WebhookDelivery",
            fields=[
                ("id", fields.IntField(primary_key=True)),
                (
                    "subscription",
                    fields.ForeignKeyField(
                        "tipdesk.WebhookSubscription", source_field="subscription_id",
                        db_constraint=True, to_field="id", related_name="deliveries",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("event_id", fields.CharField(max_length=36)),
                ("event", fields.CharField(max_length=64)),
                ("lane", fields.CharField(max_length=32)),
                ("tip_id", fields.IntField(null=True)),
                ("sender_id", fields.IntField(null=True)),
                ("body", fields.TextField()),
                (
                    "state",
                    fields.CharEnumField(
                        DeliveryState, description="PENDING: pending\nDELIVERED: delivered\n"
                        "GIVEN_UP: given_up", max_length=16, default=DeliveryState.PENDING,
                    ),
                ),
                ("attempts", fields.IntField(default=0)),
                ("next_attempt_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("sending_until", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("last_attempt_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("response_status", fields.IntField(null=True)),
                ("error", fields.CharField(max_length=300, null=True)),
                ("redelivery_of", fields.IntField(null=True)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("delivered_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "webhook_deliveries", "app": "tipdesk", "pk_attr": "id",
                "indexes": [Index(fields=["subscription_id", "lane", "state"])],
            },
            bases=["Model"],
        ),
    ]
