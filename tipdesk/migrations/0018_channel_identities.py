"""Readers and messages are known by their channel: `senders.wa_id` becomes `address` beside a
`channel`, `messages.wamid` becomes `external_id` beside a `channel`, and what is unique is the
pair, so a second channel (the web form) can never collide with WhatsApp's ids. The other columns
that hold a channel's ids follow: `messages.context_wamid` → `quoted_id`,
`consent_records.request_wamid`/`answer_wamid` → `request_external_id`/`answer_external_id`,
`media_assets.wa_media_id` → `external_media_id`. A reader whose id the web form handed out
(`wf.`, in `user_id`) is the web form's, every other one WhatsApp's (the sandbox plays WhatsApp
through the same adapter); a message is its reader's channel's.

Written by hand. PostgreSQL renames and swaps the unique constraints in place. SQLite cannot drop
a column's inline UNIQUE, so `senders` and `messages` are rebuilt as SQLite documents it: foreign
keys off (else dropping the old table would cascade into every tip), copy, drop, rename, the
tables' own indexes and report triggers recreated, the AUTOINCREMENT counters kept (an erased
reader's id is never handed out again), and `foreign_key_check` before the commit. That needs the
migration outside tortoise's transaction; it opens its own.
"""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops
from tortoise.migrations.constraints import UniqueConstraint
from tortoise.transactions import in_transaction

WHATSAPP = "whatsapp"
# The web form's readers, as its adapter (tipdesk/webform/channel.py, `wf.` ids) wrote them.
WEBFORM_READERS = (
    "UPDATE \"senders\" SET \"channel\"='webform' WHERE \"user_id\" LIKE 'wf.%'",
    "UPDATE \"messages\" SET \"channel\"='webform' WHERE \"sender_id\" IN "
    "(SELECT \"id\" FROM \"senders\" WHERE \"channel\"='webform')",
)
UNIQUE = {
    "uid_senders_channel_address": ("senders", ("channel", "address")),
    "uid_senders_channel_user_id": ("senders", ("channel", "user_id")),
    "uid_messages_channel_external_id": ("messages", ("channel", "external_id")),
}
RENAMED = {
    "senders": {"wa_id": "address"},
    "messages": {"wamid": "external_id", "context_wamid": "quoted_id"},
    "consent_records": {"request_wamid": "request_external_id", "answer_wamid": "answer_external_id"},
    "media_assets": {"wa_media_id": "external_media_id"},
}
# PostgreSQL's names for the columns' inline UNIQUE (tortoise wrote `"wa_id" VARCHAR(32) UNIQUE`).
POSTGRES_SINGLE_UNIQUES = {
    "senders": ("senders_wa_id_key", "senders_user_id_key"),
    "messages": ("messages_wamid_key",),
}

SENDERS = """CREATE TABLE "new__senders" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "channel" VARCHAR(16) NOT NULL,
    "address" VARCHAR(128),
    "user_id" VARCHAR(128),
    "phone" VARCHAR(32),
    "display_name" VARCHAR(256) NOT NULL,
    "first_contact_at" TIMESTAMP NOT NULL,
    "last_inbound_at" TIMESTAMP,
    "opted_out_at" TIMESTAMP,
    "blocked_at" TIMESTAMP,
    "erased_at" TIMESTAMP,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "language" VARCHAR(16),
    "pending_question" VARCHAR(64),
    "pending_question_at" TIMESTAMP,
    "privacy_notice_at" TIMESTAMP,
    "unreachable_at" TIMESTAMP,
    "next_send_at" TIMESTAMP,
    "line" VARCHAR(32)
)"""
MESSAGES = """CREATE TABLE "new__messages" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "channel" VARCHAR(16) NOT NULL,
    "external_id" VARCHAR(255) NOT NULL,
    "tip_id" INT REFERENCES "tips" ("id") ON DELETE CASCADE,
    "sender_id" INT NOT NULL REFERENCES "senders" ("id") ON DELETE CASCADE,
    "direction" VARCHAR(4) NOT NULL,
    "type" VARCHAR(32) NOT NULL,
    "text" TEXT NOT NULL,
    "content" JSON NOT NULL,
    "quoted_id" VARCHAR(255),
    "forwarded" INT NOT NULL,
    "editor_id" INT REFERENCES "editors" ("id") ON DELETE SET NULL,
    "delivery" VARCHAR(16) NOT NULL,
    "delivery_at" TIMESTAMP,
    "delivery_error" JSON,
    "sent_at" TIMESTAMP NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "automatic" INT NOT NULL,
    "outbound_key" VARCHAR(128),
    "purpose" VARCHAR(32),
    "line" VARCHAR(32)
)"""
SQLITE_REBUILT = {"senders": SENDERS, "messages": MESSAGES}


async def forward(apps, schema_editor):
    client = schema_editor.client
    if schema_editor.DIALECT == "postgres":
        async with in_transaction(client.connection_name) as connection:
            await _postgres_forward(connection)
        return
    await client.execute_script("PRAGMA foreign_keys=OFF")
    try:
        async with in_transaction(client.connection_name) as connection:
            await _sqlite_forward(connection)
    finally:
        await client.execute_script("PRAGMA foreign_keys=ON")


async def _postgres_forward(connection):
    for table, names in POSTGRES_SINGLE_UNIQUES.items():
        for name in names:
            await connection.execute_query(f'ALTER TABLE "{table}" DROP CONSTRAINT IF EXISTS "{name}"')
    for table, columns in RENAMED.items():
        for old, new in columns.items():
            await connection.execute_query(f'ALTER TABLE "{table}" RENAME COLUMN "{old}" TO "{new}"')
    await connection.execute_query('ALTER TABLE "senders" ALTER COLUMN "address" TYPE VARCHAR(128)')
    for table in ("senders", "messages"):
        # The default fills the existing rows; the desk always names the channel itself.
        await connection.execute_query(
            f'ALTER TABLE "{table}" ADD COLUMN "channel" VARCHAR(16) NOT NULL '
            f"DEFAULT '{WHATSAPP}'"
        )
        await connection.execute_query(f'ALTER TABLE "{table}" ALTER COLUMN "channel" DROP DEFAULT')
    for statement in WEBFORM_READERS:
        await connection.execute_query(statement)
    for name, (table, columns) in UNIQUE.items():
        await connection.execute_query(
            f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" UNIQUE ({_columns(columns)})'
        )


async def _sqlite_forward(connection):
    # One statement a call: the driver's executescript would commit the transaction.
    # The rename of new__X to X must not rewrite (or trip over) other tables' triggers that
    # name X while it is briefly missing.
    await connection.execute_query("PRAGMA legacy_alter_table=ON")
    try:
        for table in ("consent_records", "media_assets"):
            for old, new in RENAMED[table].items():
                await connection.execute_query(
                    f'ALTER TABLE "{table}" RENAME COLUMN "{old}" TO "{new}"'
                )
        for table, create in SQLITE_REBUILT.items():
            await _rebuild(connection, table, create, RENAMED[table])
    finally:
        await connection.execute_query("PRAGMA legacy_alter_table=OFF")
    for statement in WEBFORM_READERS:
        await connection.execute_query(statement)
    for name, (table, columns) in UNIQUE.items():
        await connection.execute_query(
            f'CREATE UNIQUE INDEX "{name}" ON "{table}" ({_columns(columns)})'
        )
    broken = await connection.execute_query_dict("PRAGMA foreign_key_check")
    if broken:
        raise RuntimeError(f"0018 would leave rows without their parent: {broken[:5]}")


async def _rebuild(connection, table, create, renamed):
    """Copy `table` into its new shape; its indexes and triggers are made again over it."""
    kept = await connection.execute_query_dict(
        "SELECT \"sql\" FROM sqlite_master WHERE tbl_name=? AND type IN ('index', 'trigger') "
        'AND "sql" IS NOT NULL',
        [table],
    )
    counter = await connection.execute_query_dict(
        'SELECT "seq" FROM sqlite_sequence WHERE "name"=?', [table]
    )
    old_columns = [
        row["name"] for row in await connection.execute_query_dict(f'PRAGMA table_info("{table}")')
    ]
    new_columns = [renamed.get(column, column) for column in old_columns]
    await connection.execute_query(create)
    await connection.execute_query(
        f'INSERT INTO "new__{table}" ({_columns(new_columns)}, "channel") '
        f"SELECT {_columns(old_columns)}, '{WHATSAPP}' FROM \"{table}\""
    )
    await connection.execute_query(f'DROP TABLE "{table}"')
    await connection.execute_query(f'ALTER TABLE "new__{table}" RENAME TO "{table}"')
    for row in kept:
        sql = row["sql"]
        for old, new in renamed.items():
            sql = sql.replace(f'"{old}"', f'"{new}"')
        await connection.execute_query(sql)
    if counter:
        await connection.execute_query(
            'UPDATE sqlite_sequence SET "seq"=MAX("seq", ?) WHERE "name"=?',
            [counter[0]["seq"], table],
        )


def _columns(columns):
    return ", ".join(f'"{column}"' for column in columns)


class StateOnly:
    """The database side is `forward` above; tortoise keeps only the model state."""

    async def database_forward(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        return None

    async def database_backward(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        return None


class RenameField(StateOnly, ops.RenameField):
    pass


class AlterField(StateOnly, ops.AlterField):
    pass


class AddField(StateOnly, ops.AddField):
    pass


class AddConstraint(StateOnly, ops.AddConstraint):
    pass


def _state():
    for table, columns in RENAMED.items():
        model = MODELS[table]
        for old, new in columns.items():
            yield RenameField(model_name=model, old_name=old, new_name=new)
    yield AlterField(
        model_name="Sender", name="address", field=fields.CharField(max_length=128, null=True)
    )
    yield AlterField(
        model_name="Sender", name="user_id", field=fields.CharField(max_length=128, null=True)
    )
    yield AlterField(
        model_name="Message", name="external_id", field=fields.CharField(max_length=255)
    )
    for model in ("Sender", "Message"):
        yield AddField(model_name=model, name="channel", field=fields.CharField(max_length=16))
    # Unnamed in the state, as the models declare them (`unique_together`).
    for table, columns in UNIQUE.values():
        yield AddConstraint(
            model_name=MODELS[table], constraint=UniqueConstraint(fields=columns)
        )


MODELS = {
    "senders": "Sender",
    "messages": "Message",
    "consent_records": "ConsentRecord",
    "media_assets": "MediaAsset",
}


class Migration(migrations.Migration):
    dependencies = [("tipdesk", "0017_lines")]

    initial = False
    # SQLite's foreign keys can only be switched off outside a transaction; `forward` opens one.
    atomic = False

    operations = [ops.RunPython(forward), *_state()]
