"""Indexes for the board and the tip page at 100,000 tips (bench/board.py, issue 20).

- `tip_notes` by tip: the board's fifty tips and the tip page read their notes by tip, which
  walked every note along `created_at`.
- The current (unmerged) tips newest first, as a partial index: the board's list reads its
  first fifty and its count reads the index alone instead of every row of `tips`. A plain index
  on `merged_into_id` would not do: without statistics SQLite takes it for the list and sorts
  all tips for fifty.

Plain SQL, like 0005 and 0007: declared on the models, tortoise would rebuild tables on SQLite.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

INDEXES = {
    "idx_tip_notes_tip_id": 'ON "tip_notes" ("tip_id")',
    "idx_tips_current_newest": (
        'ON "tips" ("last_message_at", "id") WHERE "merged_into_id" IS NULL'
    ),
}


class Migration(migrations.Migration):
    dependencies = [("tipdesk", "0025_webhooks")]

    initial = False

    operations = [
        ops.RunSQL(
            f'CREATE INDEX IF NOT EXISTS "{name}" {target}',
            reverse_sql=f'DROP INDEX IF EXISTS "{name}"',
        )
        for name, target in INDEXES.items()
    ]
