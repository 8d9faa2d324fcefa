"""Indexes for what the desk looks up by reader and by tip on every message: messages by
reader and time (the send pacing's "last message to this reader", the hourly rate limit, the
daily cap of automatic messages, erasure), tips by reader (the active tip a message joins)
and consent records by tip and by reader. Without them each lookup walked the whole
`messages` table along `sent_at`, on every send: the cost grew with the desk's history.

Plain SQL, like 0005: declared on the models, tortoise would rebuild the tables on SQLite.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

from tipdesk.plain_sql import columns_sql

INDEXES = {
    "idx_messages_sender_sent_at": ("messages", ("sender_id", "sent_at")),
    "idx_tips_sender_id": ("tips", ("sender_id",)),
    "idx_consent_records_tip_id": ("consent_records", ("tip_id",)),
    "idx_consent_records_sender_id": ("consent_records", ("sender_id",)),
}


class Migration(migrations.Migration):
    dependencies = [("tipdesk", "0006_report_days")]

    initial = False

    operations = [
        ops.RunSQL(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ({columns_sql(columns)})',
            reverse_sql=f'DROP INDEX IF EXISTS "{name}"',
        )
        for name, (table, columns) in INDEXES.items()
    ]
