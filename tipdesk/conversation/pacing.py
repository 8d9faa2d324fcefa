"""When the next message may go: Meta's pair rate limit per reader, the number's throughput.

A reader's send slot is `senders.next_send_at`. A send claims it with one conditional UPDATE,
so however many workers ask at once each slot has one winner; once Graph has answered, the slot
is held on until the interval after that answer. Meta counts the interval between the messages
it receives, and the time from claim to arrival differs per send (a worker's first connection,
the database, the event loop): measured from the claim alone, two sends arrived 1.78 s apart
with a 2 s interval.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tortoise import connections

from tipdesk import plain_sql
from tipdesk.clock import utcnow
from tipdesk.settings import Settings
from tipdesk.tips.models import DeliveryState, Direction

SENT_STATES = [
    DeliveryState.SENT,
    DeliveryState.DELIVERED,
    DeliveryState.READ,
    DeliveryState.PLAYED,
]


async def claim_send(sender_id: int, settings: Settings) -> timedelta | None:
    """How long to wait so the reader and the number stay within Meta's rate limits; None
    when this send may go now, its reader slot taken."""
    now = utcnow()
    if await _number_busy(now, settings):
        return timedelta(seconds=1)
    return await _claim_reader_slot(sender_id, now, settings)


async def hold_reader_slot(sender_id: int, settings: Settings) -> None:
    """After Graph answered a send: the reader's next slot is the interval after now at the
    earliest, so the next message reaches Meta the interval after this one did."""
    connection = connections.get("default")
    postgres = connection.capabilities.dialect == "postgres"
    after = plain_sql.db_value(utcnow() + settings.reader_send_interval, postgres=postgres)
    await plain_sql.execute(
        connection,
        'UPDATE "senders" SET "next_send_at"=? WHERE "id"=? '
        'AND ("next_send_at" IS NULL OR "next_send_at"<?)',
        [after, sender_id, after],
    )


async def _number_busy(now: datetime, settings: Settings) -> bool:
    sent = plain_sql.marks(len(SENT_STATES))
    [row] = await plain_sql.fetch(
        connections.get("default"),
        f'SELECT COUNT(*) AS "recent" FROM "messages" WHERE "direction"=? '  # noqa: S608 - placeholders only
        f'AND "delivery" IN ({sent}) AND "sent_at">?',
        [Direction.OUTBOUND.value, *[s.value for s in SENT_STATES], now - timedelta(seconds=1)],
    )
    return int(row["recent"]) >= settings.send_rate


async def _claim_reader_slot(sender_id: int, now: datetime, settings: Settings) -> timedelta | None:
    """Compare-and-set on the reader's row: one send wins each slot, on SQLite and PostgreSQL,
    however many workers ask at once; the others learn how long to wait."""
    connection = connections.get("default")
    postgres = connection.capabilities.dialect == "postgres"
    claimed = await plain_sql.execute(
        connection,
        'UPDATE "senders" SET "next_send_at"=? WHERE "id"=? '
        'AND ("next_send_at" IS NULL OR "next_send_at"<=?)',
        [
            plain_sql.db_value(now + settings.reader_send_interval, postgres=postgres),
            sender_id,
            plain_sql.db_value(now, postgres=postgres),
        ],
    )
    if claimed:
        return None
    rows = await plain_sql.fetch(
        connection, 'SELECT "next_send_at" FROM "senders" WHERE "id"=?', [sender_id]
    )
    taken = plain_sql.from_db_time(rows[0]["next_send_at"]) if rows else None
    return max(taken - now, timedelta(milliseconds=1)) if taken else timedelta(milliseconds=1)
