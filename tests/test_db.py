"""The indexes every message's lookups need, and the plain-SQL insert of the hot paths, on the
real database."""

from __future__ import annotations

import pytest
from tortoise import connections

from tipdesk.clock import utcnow
from tipdesk.plain_sql import insert_unless_conflict
from tipdesk.settings import Settings
from tipdesk.tips.models import DeliveryState, Direction, Message, Sender

pytestmark = pytest.mark.usefixtures("db")


@pytest.mark.parametrize(
    ("table", "index"),
    [
        ("messages", "idx_messages_sender_sent_at"),
        ("tips", "idx_tips_sender_id"),
        ("consent_records", "idx_consent_records_tip_id"),
        ("consent_records", "idx_consent_records_sender_id"),
    ],
)
async def test_lookups_by_reader_and_tip_are_indexed(
    settings: Settings, table: str, index: str
) -> None:
    connection = connections.get("default")
    if settings.is_postgres:
        query = "SELECT indexname FROM pg_indexes WHERE tablename = $1"
    else:
        query = "SELECT name AS indexname FROM sqlite_master WHERE type='index' AND tbl_name = ?"
    rows = await connection.execute_query_dict(query, [table])
    assert index in {row["indexname"] for row in rows}


async def test_the_last_message_to_a_reader_is_found_without_walking_all_messages(
    settings: Settings,
) -> None:
    if settings.is_postgres:
        pytest.skip("PostgreSQL's planner picks by table statistics; the index exists (above)")
    plan = await connections.get("default").execute_query_dict(
        "EXPLAIN QUERY PLAN SELECT * FROM messages WHERE sender_id = 1 AND direction = 'out' "
        "AND delivery IN ('sent', 'delivered') ORDER BY sent_at DESC LIMIT 1"
    )
    assert "idx_messages_sender_sent_at" in " ".join(str(row["detail"]) for row in plan)


async def test_a_plain_insert_stores_what_the_orm_would_and_skips_a_conflict() -> None:
    connection = connections.get("default")
    reader = await insert_unless_conflict(
        connection,
        Sender(
            channel="whatsapp",
            address="31612345678",
            display_name="Lezer",
            first_contact_at=utcnow(),
        ),
    )
    assert reader is not None and reader.id
    assert (
        await insert_unless_conflict(
            connection, Sender(channel="whatsapp", address="31612345678", first_contact_at=utcnow())
        )
        is None
    )

    def confirmation(external_id: str) -> Message:
        return Message(
            channel="whatsapp", external_id=external_id, sender_id=reader.id, type="text",
            direction=Direction.OUTBOUND,
            text="Dank je wel — één tip", content={"send": {"type": "text"}, "n": [1, None]},
            delivery=DeliveryState.QUEUED, automatic=True, outbound_key="confirmation:1",
            sent_at=utcnow(),
        )  # fmt: skip

    stored = await insert_unless_conflict(connection, confirmation("desk.1"))
    assert stored is not None
    read = await Message.get(id=stored.id)
    for name in (
        "external_id",
        "channel",
        "text",
        "content",
        "delivery",
        "automatic",
        "direction",
        "sent_at",
    ):
        assert getattr(stored, name) == getattr(read, name), name
    assert read.content == {"send": {"type": "text"}, "n": [1, None]} and read.automatic is True
    assert read.created_at is not None and read.tip_id is None
    # The same natural key again: nothing stored, nothing raised (the caller's transaction lives).
    assert await insert_unless_conflict(connection, confirmation("desk.2")) is None
    assert await Message.all().count() == 1
