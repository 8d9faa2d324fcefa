"""One row for one problem: Meta retries a body whose value-level error (e.g. 131000) carries no
id of its own, and each retry was listed again on /admin. A fingerprint of the problem (its
kind, detail and excerpt) finds the row a retry repeats; `last_seen_at` says it came again."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("tipdesk", "0013_reader_send_slot")]

    initial = False

    operations = [
        ops.AddField(
            model_name="WebhookError",
            name="fingerprint",
            field=fields.CharField(max_length=64, null=True, db_index=True),
        ),
        ops.AddField(
            model_name="WebhookError", name="last_seen_at", field=fields.DatetimeField(null=True)
        ),
    ]
