"""An index the job lease walks in its own order: queued jobs by priority, due time and id
(`queue.lease_many`), so taking the next job stops at the first that fits instead of reading
and sorting every waiting one. A storm that leaves thousands of jobs waiting (media, receipts)
no longer makes every lease slower.

Plain SQL, like 0005 and 0007: declared on the model, tortoise would rebuild the table on
SQLite.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("tipdesk", "0007_reader_indexes")]

    initial = False

    operations = [
        ops.RunSQL(
            'CREATE INDEX IF NOT EXISTS "idx_jobs_lease_order" '
            'ON "jobs" ("state", "priority", "run_at", "id")',
            reverse_sql='DROP INDEX IF EXISTS "idx_jobs_lease_order"',
        )
    ]
