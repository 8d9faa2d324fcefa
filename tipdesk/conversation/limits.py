"""The one decision whether the desk may write to a reader by itself, without an editor.

Confirmations, status updates, keyword answers and questions all ask here, so a reader writing
faster than `TIPDESK_READER_RATE_LIMIT` messages an hour gets nothing automatic until they slow
down (40 INFOs never make 40 replies); messages marked automatic are further capped at
`TIPDESK_AUTOMATIC_DAILY_CAP` a day.
"""

from __future__ import annotations

from datetime import timedelta

from tortoise.backends.base.client import BaseDBAsyncClient

from tipdesk.clock import utcnow
from tipdesk.settings import Settings
from tipdesk.tips.models import Direction, Message, Sender


async def within_rate_limit(
    sender: Sender, settings: Settings, connection: BaseDBAsyncClient
) -> bool:
    since = utcnow() - timedelta(hours=1)
    recent_inbound = (
        await Message.filter(sender_id=sender.id, direction=Direction.INBOUND, sent_at__gt=since)
        .using_db(connection)
        .count()
    )
    return recent_inbound <= settings.reader_rate_limit


async def within_daily_cap(
    sender: Sender, settings: Settings, connection: BaseDBAsyncClient
) -> bool:
    automatic_today = (
        await Message.filter(
            sender_id=sender.id,
            direction=Direction.OUTBOUND,
            automatic=True,
            created_at__gt=utcnow() - timedelta(days=1),
        )
        .using_db(connection)
        .count()
    )
    return automatic_today < settings.automatic_daily_cap
