"""What each editor has seen: opening a tip stamps it for them, and the board marks a tip
unread for an editor while the reader wrote after that stamp (or the editor never opened it).

Our own clock on both sides (`Message.created_at`, not the reader's `sent_at`), so a phone with
a wrong clock cannot hide a message from the markers."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.functions import Max

from tipdesk.clock import utcnow
from tipdesk.tips.models import Direction, Message, TipView


async def mark_seen(tip_id: int, editor_id: int) -> None:
    """The tip is on this editor's screen now (one row per editor and tip)."""
    now = utcnow()
    if await TipView.filter(tip_id=tip_id, editor_id=editor_id).update(seen_at=now):
        return
    try:
        await TipView.create(tip_id=tip_id, editor_id=editor_id, seen_at=now)
    except IntegrityError:  # a second tab stamped it at the same moment
        await TipView.filter(tip_id=tip_id, editor_id=editor_id).update(seen_at=now)


async def unread_among(tip_ids: Iterable[int], editor_id: int) -> set[int]:
    """Of these tips, those with a reader's message this editor has not had on screen."""
    ids = list(tip_ids)
    if not ids:
        return set()
    latest = (
        await Message.filter(tip_id__in=ids, direction=Direction.INBOUND)
        .annotate(last=Max("created_at"))
        .group_by("tip_id")
        .values("tip_id", "last")
    )
    views = await TipView.filter(tip_id__in=ids, editor_id=editor_id).values("tip_id", "seen_at")
    seen = {row["tip_id"]: row["seen_at"] for row in views}
    return {row["tip_id"] for row in latest if _after(row["last"], seen.get(row["tip_id"]))}


def _after(written: datetime | None, seen: datetime | None) -> bool:
    """The reader wrote, and after the editor last looked (or the editor never looked)."""
    return written is not None and (seen is None or written > seen)
