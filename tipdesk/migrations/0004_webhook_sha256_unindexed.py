"""Drop the index on inbound_webhooks.body_sha256: nothing searches by it, and every webhook ack
paid for it (a random page of the index written per stored body).

Written by hand: tortoise's AlterField rebuilds the table on SQLite and loses the table's other
index (received_at) on the way, so the database side is a plain DROP INDEX and the field change
is recorded in the migration state only.
"""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

INDEX = "idx_inbound_web_body_sh_a0d573"


class AlterFieldStateOnly(ops.AlterField):
    async def database_forward(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        return None

    async def database_backward(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        return None


class Migration(migrations.Migration):
    dependencies = [("tipdesk", "0003_board")]

    initial = False

    operations = [
        ops.RunSQL(
            f'DROP INDEX IF EXISTS "{INDEX}"',
            reverse_sql=f'CREATE INDEX "{INDEX}" ON "inbound_webhooks" ("body_sha256")',
        ),
        AlterFieldStateOnly(
            model_name="InboundWebhook",
            name="body_sha256",
            field=fields.CharField(max_length=64),
        ),
    ]
