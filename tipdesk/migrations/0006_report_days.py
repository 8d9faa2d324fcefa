"""Daily roll-ups for reports: the `report_days` table, and triggers that delete a stored day in
the same transaction as any change to the rows its figures came from, so a stored day is current.

A row's moments are the instants that place it in a report: a tip's first message; a message's
`sent_at` (and, for the desk's messages, its tip's first message: replies); a media item's and
an audit event's tip; a consent request's `requested_at`. When a row is inserted, deleted, or
updated in a column the figures read, and one of its moments lies more than a day back, the
trigger deletes every stored day, of any time zone, whose instants `[start_at, end_at)` hold
that moment. Reports store only days that ended two days ago or more
(`tipdesk/reports/rollups.py`), so a fresher moment never lies in a stored day, and intake of
new messages does not touch the table. A reader's `first_contact_at` changing (nothing does
that today) deletes every stored day.

The index on `consent_records.requested_at` serves the consent figure, which every stored day
reads. Written by hand: triggers are each database's own SQL (PostgreSQL: PL/pgSQL functions), and the
SQLite schema editor would split a trigger's body at its semicolons.
"""

from tortoise import fields, migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

CONSENT_INDEX = "idx_consent_records_requested_at"  # consent is counted by when it was asked
STALE_AFTER_DAYS = 1
LONGEST_DAY = 2 * 86400  # bounds the index range a moment is looked up in
TIP = "(SELECT first_message_at FROM tips WHERE id = R.tip_id)"
OUTBOUND_TIP = f"CASE WHEN R.direction = 'out' THEN {TIP} END"
COUNTED_AUDIT = "R.action IN ('tip.claimed', 'tip.status_changed')"


def _changed(columns, differs):
    return " OR ".join(differs(column) for column in columns)


def _messages_changed(differs):
    moved = _changed(("sent_at", "direction", "purpose", "tip_id"), differs)
    failed = _changed(("delivery", "delivery_error"), differs)
    return f"{moved} OR ((OLD.delivery = 'failed' OR NEW.delivery = 'failed') AND ({failed}))"


# table: (moments of a row version R, condition for R to count at all, an update that counts)
WATCHED = {
    "tips": (
        ["R.first_message_at"], None,
        lambda d: _changed(("first_message_at", "status", "desk", "sender_id", "claimed_at"), d),
    ),
    "messages": (["R.sent_at", OUTBOUND_TIP], None, _messages_changed),
    "media_assets": ([TIP], None, lambda d: _changed(("tip_id", "kind"), d)),
    "audit_events": (
        [TIP], COUNTED_AUDIT, lambda d: _changed(("action", "tip_id", "created_at", "detail"), d)
    ),
    "consent_records": (
        ["R.requested_at"], None, lambda d: _changed(("requested_at", "state", "scope"), d)
    ),
}
EVENTS = (("insert", ["NEW"]), ("delete", ["OLD"]), ("update", ["OLD", "NEW"]))


def _row(text, row):
    return text.replace("R.", f"{row}.")


def _when(table, event, rows, differs):
    moments, counts, changed = WATCHED[table]
    terms = []
    if counts:
        terms.append("(" + " OR ".join(_row(counts, row) for row in rows) + ")")
    if event == "update":
        terms.append(f"({changed(differs)})")
    return " AND ".join(terms)


def sqlite_statements():
    def second(moment):
        return f"CAST(strftime('%s', {moment}) AS INTEGER)"

    def differs(column):
        return f"OLD.{column} IS NOT NEW.{column}"

    statements = []
    for table, (moments, _, _) in WATCHED.items():
        for event, rows in EVENTS:
            found = [_row(moment, row) for row in rows for moment in moments]
            old = " OR ".join(
                f"julianday({m}) < julianday('now') - {STALE_AFTER_DAYS}" for m in found
            )
            when = " AND ".join(t for t in (f"({old})", _when(table, event, rows, differs)) if t)
            body = " ".join(
                f"DELETE FROM report_days WHERE start_at <= {second(m)}"
                f" AND start_at > {second(m)} - {LONGEST_DAY} AND end_at > {second(m)};"
                for m in found
            )
            statements.append(
                f'CREATE TRIGGER "report_days_{table}_{event}" AFTER {event.upper()} ON "{table}"'
                f" WHEN {when} BEGIN {body} END"
            )
    statements.append(
        'CREATE TRIGGER "report_days_senders_update" AFTER UPDATE ON "senders"'
        " WHEN OLD.first_contact_at IS NOT NEW.first_contact_at"
        " BEGIN DELETE FROM report_days; END"
    )
    return statements


def postgres_statements():
    def differs(column):
        return f"OLD.{column} IS DISTINCT FROM NEW.{column}"

    statements = [
        "CREATE FUNCTION report_days_forget(moment timestamptz) RETURNS void"
        " LANGUAGE plpgsql AS $$ DECLARE at_second bigint; BEGIN"
        f" IF moment IS NULL OR moment >= statement_timestamp() - interval"
        f" '{STALE_AFTER_DAYS} day' THEN RETURN; END IF;"
        " at_second := FLOOR(EXTRACT(EPOCH FROM moment))::bigint;"
        " DELETE FROM report_days WHERE start_at <= at_second"
        f" AND start_at > at_second - {LONGEST_DAY} AND end_at > at_second; END $$"
    ]
    for table, (moments, _, _) in WATCHED.items():
        def forget(row, moments=moments):
            return " ".join(f"PERFORM report_days_forget({_row(m, row)});" for m in moments)

        statements.append(
            f"CREATE FUNCTION report_days_{table}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            f" IF TG_OP <> 'INSERT' THEN {forget('OLD')} END IF;"
            f" IF TG_OP <> 'DELETE' THEN {forget('NEW')} END IF; RETURN NULL; END $$"
        )
        for event, rows in EVENTS:
            when = _when(table, event, rows, differs)
            statements.append(
                f'CREATE TRIGGER "report_days_{table}_{event}" AFTER {event.upper()} ON "{table}"'
                f" FOR EACH ROW{f' WHEN ({when})' if when else ''}"
                f" EXECUTE FUNCTION report_days_{table}()"
            )
    statements.append(
        "CREATE FUNCTION report_days_senders() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        " DELETE FROM report_days; RETURN NULL; END $$"
    )
    statements.append(
        'CREATE TRIGGER "report_days_senders_update" AFTER UPDATE ON "senders" FOR EACH ROW'
        " WHEN (OLD.first_contact_at IS DISTINCT FROM NEW.first_contact_at)"
        " EXECUTE FUNCTION report_days_senders()"
    )
    return statements


def _drop_statements(dialect):
    tables = [*WATCHED, "senders"]
    triggers = [
        f'DROP TRIGGER IF EXISTS "report_days_{table}_{event}"'
        + (f' ON "{table}"' if dialect == "postgres" else "")
        for table in tables for event, _ in EVENTS
    ]
    if dialect != "postgres":
        return triggers
    functions = [f"DROP FUNCTION IF EXISTS report_days_{table}()" for table in tables]
    return [*triggers, *functions, "DROP FUNCTION IF EXISTS report_days_forget(timestamptz)"]


async def _run(schema_editor, statements):
    for statement in statements:
        if schema_editor.collect_sql:
            schema_editor.collected_sql.append(statement)
        else:
            await schema_editor.client.execute_query(statement)


async def create_triggers(apps, schema_editor):
    postgres = schema_editor.DIALECT == "postgres"
    await _run(schema_editor, postgres_statements() if postgres else sqlite_statements())


async def drop_triggers(apps, schema_editor):
    await _run(schema_editor, _drop_statements(schema_editor.DIALECT))


class Migration(migrations.Migration):
    dependencies = [("tipdesk", "0005_reports_indexes")]

    initial = False

    operations = [
        ops.CreateModel(
            name="ReportDay",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("basis", fields.CharField(max_length=64)),
                ("bucket", fields.IntField()),
                ("day", fields.DateField()),
                ("start_at", fields.BigIntField()),
                ("end_at", fields.BigIntField()),
                ("live", fields.BooleanField()),
                ("counts", fields.TextField(unique=False)),
                ("replies_overall", fields.BinaryField()),
                ("replies_business", fields.BinaryField()),
                ("claims_overall", fields.BinaryField()),
                ("claims_business", fields.BinaryField()),
                ("writers", fields.BinaryField()),
                ("writers_first_contact", fields.BinaryField()),
                ("computed_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "report_days", "app": "tipdesk",
                "unique_together": (("basis", "bucket", "day"),),
                "indexes": [Index(fields=["start_at"])], "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.RunSQL(
            f'CREATE INDEX IF NOT EXISTS "{CONSENT_INDEX}" ON "consent_records" ("requested_at")',
            reverse_sql=f'DROP INDEX IF EXISTS "{CONSENT_INDEX}"',
        ),
        ops.RunPython(create_triggers, drop_triggers),
    ]
