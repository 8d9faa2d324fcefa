"""What the conversation with a reader marks on a tip: an editor's reply keeps the claim fresh,
an unclear consent answer and consent withdrawn after use flag the tip for the desk. The
callers (conversation/replies.py, consent.py, consent_alerts.py) write the audit event in the
same transaction; conversation code writes no tip row itself (tests/test_one_funnel.py)."""

from __future__ import annotations

from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient

from tipdesk.clock import utcnow
from tipdesk.tips.models import Tip


async def touch(tip_id: int, connection: BaseDBAsyncClient) -> None:
    """Worked on now: a claim lapses after TIPDESK_CLAIM_IDLE without this."""
    await Tip.filter(id=tip_id).using_db(connection).update(updated_at=utcnow())


async def mark_consent_unclear(
    tip_id: int, since: datetime | None, connection: BaseDBAsyncClient
) -> None:
    """`since` the reader's answer could not be read; None once they answered clearly."""
    await Tip.filter(id=tip_id).using_db(connection).update(consent_unclear_at=since)


async def mark_consent_alert(
    tip_id: int, since: datetime | None, connection: BaseDBAsyncClient
) -> None:
    """`since` consent was withdrawn from a used tip; None once an editor has dealt with it."""
    await Tip.filter(id=tip_id).using_db(connection).update(consent_alert_at=since)
