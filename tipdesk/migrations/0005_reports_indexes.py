"""Indexes the reports read by: tips by `first_message_at`, messages, media and audit
events by `tip_id`, readers by when their state changed, and the
`messages` indexes that migration 0002 lost on SQLite (tortoise's AlterField rebuilds a SQLite
table without its other indexes), `sent_at` and `context_wamid`, under the names PostgreSQL
already has, so there `IF NOT EXISTS` leaves them alone.

Written by hand as plain SQL: declaring them on the models would make tortoise rebuild the
tables on SQLite again. Nothing in the model state changes.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

INDEXES = {
    "idx_tips_first_message_at": ("tips", "first_message_at"),
    "idx_messages_tip_id": ("messages", "tip_id"),
    "idx_media_assets_tip_id": ("media_assets", "tip_id"),
    "idx_audit_events_tip_id": ("audit_events", "tip_id"),
    "idx_senders_unreachable_at": ("senders", "unreachable_at"),
    "idx_senders_opted_out_at": ("senders", "opted_out_at"),
    "idx_senders_blocked_at": ("senders", "blocked_at"),
    "idx_senders_erased_at": ("senders", "erased_at"),
    "idx_messages_sent_at_94ecd3": ("messages", "sent_at"),
    "idx_messages_context_b69e68": ("messages", "context_wamid"),
}


class Migration(migrations.Migration):
    dependencies = [("tipdesk", "0004_webhook_sha256_unindexed")]

    initial = False

    operations = [
        ops.RunSQL(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{column}")',
            reverse_sql=f'DROP INDEX IF EXISTS "{name}"',
        )
        for name, (table, column) in INDEXES.items()
    ]
