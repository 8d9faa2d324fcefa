"""Every change to a tip goes through here: it keeps the audit trail with the change."""

from __future__ import annotations

from datetime import datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient

from tipdesk.audit.models import AuditEvent
from tipdesk.tips.models import Message, Sender, Tip, TipStatus

CLOSED = [status for status in TipStatus if status.is_closed]
# Reactions and system notices belong to a conversation but never open a story on their own.
NEVER_START_A_TIP = frozenset({"reaction", "system"})


async def tip_for_message(
    sender: Sender,
    *,
    message_type: str,
    sent_at: datetime,
    quoted_wamid: str | None,
    window: timedelta,
    connection: BaseDBAsyncClient,
) -> Tip | None:
    """The tip a reader's message joins: the open tip it quotes, else the reader's active open
    tip (last message within `window`), else a new tip. Closed tips never take new messages."""
    tip = await _quoted_open_tip(sender, quoted_wamid, connection)
    if tip is None:
        tip = await _active_tip(sender, sent_at, window, connection)
    if tip is not None:
        await _extend(tip, sent_at, connection)
        return tip
    if message_type in NEVER_START_A_TIP:
        return None
    return await _open_tip(sender, sent_at, connection)


async def _quoted_open_tip(
    sender: Sender, quoted_wamid: str | None, connection: BaseDBAsyncClient
) -> Tip | None:
    if quoted_wamid is None:
        return None
    quoted = (
        await Message.filter(wamid=quoted_wamid, sender_id=sender.id, tip_id__isnull=False)
        .using_db(connection)
        .first()
    )
    if quoted is None:
        return None
    return (
        await Tip.filter(id=quoted.tip_id, status__not_in=CLOSED)  # type: ignore[attr-defined]
        .using_db(connection)
        .first()
    )


async def _active_tip(
    sender: Sender, sent_at: datetime, window: timedelta, connection: BaseDBAsyncClient
) -> Tip | None:
    # Both bounds, because webhooks arrive out of order: a late-delivered earlier message still
    # belongs with the tip its successors opened.
    return (
        await Tip.filter(
            sender_id=sender.id,
            status__not_in=CLOSED,
            last_message_at__gte=sent_at - window,
            first_message_at__lte=sent_at + window,
        )
        .order_by("-last_message_at")
        .using_db(connection)
        .first()
    )


async def _extend(tip: Tip, sent_at: datetime, connection: BaseDBAsyncClient) -> None:
    first, last = min(tip.first_message_at, sent_at), max(tip.last_message_at, sent_at)
    if (first, last) != (tip.first_message_at, tip.last_message_at):
        await (
            Tip.filter(id=tip.id)
            .using_db(connection)
            .update(first_message_at=first, last_message_at=last)
        )
        tip.first_message_at, tip.last_message_at = first, last


async def _open_tip(sender: Sender, sent_at: datetime, connection: BaseDBAsyncClient) -> Tip:
    tip = await Tip.create(
        sender=sender, first_message_at=sent_at, last_message_at=sent_at, using_db=connection
    )
    await AuditEvent.create(
        action="tip.created", tip=tip, sender=sender, detail={}, using_db=connection
    )
    return tip
