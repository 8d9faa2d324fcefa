"""The indexes every message's lookups need, on the real database."""

from __future__ import annotations

import pytest
from tortoise import connections

from tipdesk.settings import Settings

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
