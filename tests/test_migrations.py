"""Migrations that move existing data, run on a database that holds some: 0018 turns WhatsApp's
ids into channel identities and must keep every reader, message, consent record and file."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import timedelta
from importlib import import_module
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from tortoise import Tortoise, connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.migrations.api import migrate

from tipdesk import plain_sql
from tipdesk.clock import utcnow
from tipdesk.conversation.models import ConsentRecord
from tipdesk.db import tortoise_config
from tipdesk.tips.models import MediaAsset, Message, Sender, Tip

POSTGRES_URL = os.environ.get("TIPDESK_TEST_DATABASE_URL", "").strip()
# Indexes that migrations after 0018 add: 0018 itself must keep exactly the ones before it.
LATER_INDEXES = set(import_module("tipdesk.migrations.0026_board_indexes").INDEXES)
BEFORE = "tipdesk.0017_lines"
NOW = utcnow()


@pytest.fixture
async def empty_url(tmp_path: Path) -> AsyncIterator[str]:
    """A database of its own (not the session's migrated one): on PostgreSQL a second database
    beside the test database, made and dropped here."""
    if not POSTGRES_URL:
        yield f"sqlite://{tmp_path / 'before.sqlite3'}"
        return
    parts = urlsplit(POSTGRES_URL)
    name = f"{parts.path.strip('/')}_migrations"
    await _admin(POSTGRES_URL, f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"')
    yield urlunsplit(parts._replace(path=f"/{name}"))
    await _admin(POSTGRES_URL, f'DROP DATABASE IF EXISTS "{name}"')


async def _admin(url: str, *statements: str) -> None:
    await Tortoise.init(config=tortoise_config(url))
    try:
        for statement in statements:
            await connections.get("default").execute_script(statement)
    finally:
        await Tortoise.close_connections()


async def _at(url: str, target: str | None) -> None:
    try:
        await migrate(config=tortoise_config(url), target=target)
    finally:
        await Tortoise.close_connections()


class Json(str):
    """A JSON literal, written into the statement (a parameter would need a cast on each
    database)."""


async def _insert(connection: BaseDBAsyncClient, table: str, **row: object) -> None:
    columns = plain_sql.columns_sql(row)
    marks = ",".join(f"'{v}'" if isinstance(v, Json) else "?" for v in row.values())
    await plain_sql.execute(
        connection,
        f'INSERT INTO "{table}" ({columns}) VALUES ({marks})',  # noqa: S608 - our own names
        [v for v in row.values() if not isinstance(v, Json)],
    )


async def _fill_at_0017(connection: BaseDBAsyncClient) -> None:
    """A phone reader with a tip, a message, the desk's answer to it, a consent exchange and a
    photo; a username reader; a web form reader; and a reader erased since (whose id must stay
    unused)."""
    times = {"created_at": NOW, "updated_at": NOW}
    reader = {"first_contact_at": NOW, **times}
    await _insert(connection, "senders", id=1, wa_id="31611111111", phone="31611111111",
                  display_name="Anna", **reader)  # fmt: skip
    await _insert(connection, "senders", id=2, user_id="NL.42", display_name="Bo", **reader)
    await _insert(connection, "senders", id=3, wa_id="31633333333", display_name="", **reader)
    await plain_sql.execute(connection, 'DELETE FROM "senders" WHERE "id"=?', [3])
    await _insert(connection, "senders", id=4, user_id="wf.reader", display_name="", **reader)
    await _insert(connection, "tips", id=1, sender_id=1, status="new", tags=Json("[]"),
                  first_message_at=NOW, last_message_at=NOW, **times)  # fmt: skip
    message = {"text": "", "content": Json("{}"), "forwarded": False, "automatic": False,
               "created_at": NOW}  # fmt: skip
    await _insert(connection, "messages", id=1, wamid="wamid.IN", tip_id=1, sender_id=1,
                  direction="in", type="image", delivery="received", sent_at=NOW,
                  **message)  # fmt: skip
    await _insert(connection, "messages", id=2, wamid="wamid.OUT", tip_id=1, sender_id=1,
                  direction="out", type="text", delivery="sent", context_wamid="wamid.IN",
                  sent_at=NOW + timedelta(seconds=1), **message)  # fmt: skip
    await _insert(connection, "messages", id=3, wamid="wamid.BO", sender_id=2,
                  direction="in", type="text", delivery="received", sent_at=NOW,
                  **message)  # fmt: skip
    await _insert(connection, "messages", id=4, wamid="wf.message", sender_id=4,
                  direction="in", type="text", delivery="received", sent_at=NOW,
                  **message)  # fmt: skip
    await _insert(connection, "consent_records", id=1, tip_id=1, sender_id=1, state="granted",
                  question_text="Mogen we?", request_wamid="wamid.OUT",
                  answer_wamid="wamid.YES", requested_at=NOW)  # fmt: skip
    await _insert(connection, "media_assets", id=1, token="t0ken", tip_id=1, message_id=1,
                  kind="image", state="pending", wa_media_id="media.1", details=Json("{}"),
                  **times)  # fmt: skip
    if connection.capabilities.dialect == "postgres":
        # Rows written with their ids, as the desk's own serials would have handed them out.
        for table, last in {"senders": 4, "tips": 1, "messages": 4, "consent_records": 1,
                            "media_assets": 1}.items():  # fmt: skip
            await connection.execute_query(f"SELECT setval('{table}_id_seq', {last})")


async def _triggers_and_indexes(connection: BaseDBAsyncClient) -> tuple[set[str], set[str]]:
    """The report triggers and the plain indexes on the rebuilt tables (later migrations may
    index other tables)."""
    if connection.capabilities.dialect == "postgres":
        triggers = "SELECT tgname AS name FROM pg_trigger WHERE NOT tgisinternal"
        indexes = (
            "SELECT indexname AS name, tablename AS tbl FROM pg_indexes"
            " WHERE indexname LIKE 'idx_%'"
        )
    else:
        triggers = "SELECT name FROM sqlite_master WHERE type='trigger'"
        indexes = (
            "SELECT name, tbl_name AS tbl FROM sqlite_master"
            " WHERE type='index' AND name LIKE 'idx_%'"
        )
    found = [await connection.execute_query_dict(sql) for sql in (triggers, indexes)]
    return {r["name"] for r in found[0]}, {f"{r['tbl']}.{r['name']}" for r in found[1]}


def _tables(indexes: set[str]) -> set[str]:
    return {name.split(".", 1)[0] for name in indexes}


async def test_0018_keeps_every_identity_as_the_channel_s(empty_url: str) -> None:
    await _at(empty_url, BEFORE)
    await Tortoise.init(config=tortoise_config(empty_url))
    try:
        await _fill_at_0017(connections.get("default"))
        before = await _triggers_and_indexes(connections.get("default"))
    finally:
        await Tortoise.close_connections()

    await _at(empty_url, None)

    await Tortoise.init(config=tortoise_config(empty_url))
    try:
        anna, bo, form = await Sender.all().order_by("id")
        assert (anna.channel, anna.address, anna.phone) == (
            "whatsapp",
            "31611111111",
            "31611111111",
        )
        assert (bo.channel, bo.address, bo.user_id) == ("whatsapp", None, "NL.42")
        assert (form.channel, form.user_id) == ("webform", "wf.reader")
        messages = await Message.all().order_by("id")
        assert [(m.channel, m.external_id, m.sender_id) for m in messages] == [
            ("whatsapp", "wamid.IN", 1), ("whatsapp", "wamid.OUT", 1), ("whatsapp", "wamid.BO", 2),
            ("webform", "wf.message", 4),
        ]  # fmt: skip
        assert messages[1].quoted_id == "wamid.IN"
        record = await ConsentRecord.get(id=1)
        assert (record.request_external_id, record.answer_external_id) == ("wamid.OUT", "wamid.YES")
        asset = await MediaAsset.get(id=1)
        assert (asset.external_media_id, asset.message_id, asset.tip_id) == ("media.1", 1, 1)
        assert await Tip.filter(sender_id=1).count() == 1
        triggers, indexes = await _triggers_and_indexes(connections.get("default"))
        assert any("messages" in name for name in triggers) and triggers == before[0]
        # Tables that later migrations add (media_likeness, …) bring indexes of their own.
        # and 0026 indexes two tables that were there before.
        kept = {
            name for name in indexes
            if name.split(".", 1)[0] in _tables(before[1])
            and name.split(".", 1)[1] not in LATER_INDEXES
        }  # fmt: skip
        assert "messages.idx_messages_sender_sent_at" in indexes and kept == before[1]
        await _identities_are_unique_per_channel(anna)
    finally:
        await Tortoise.close_connections()


async def _identities_are_unique_per_channel(anna: Sender) -> None:
    fresh = {"first_contact_at": NOW, "display_name": ""}
    newcomer = await Sender.create(channel="whatsapp", address="31644444444", **fresh)
    assert newcomer.id == 5, "an erased reader's id is never handed out again"
    with pytest.raises(IntegrityError):
        await Sender.create(channel="whatsapp", address=anna.address, **fresh)
    with pytest.raises(IntegrityError):
        await Sender.create(channel="whatsapp", user_id="NL.42", **fresh)
    await Sender.create(channel="webform", address=anna.address, user_id="NL.42", **fresh)
    message = {"sender": anna, "direction": "in", "type": "text", "sent_at": NOW}
    with pytest.raises(IntegrityError):
        await Message.create(channel="whatsapp", external_id="wamid.IN", **message)
    await Message.create(channel="webform", external_id="wamid.IN", **message)
