"""Which of a tip's media still lack the reader's consent: the gate before `used`
(tips/actions.py), read from the consent records conversation/consent.py keeps."""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

from tipdesk.conversation.models import ConsentRecord, ConsentState
from tipdesk.tips.models import MediaAsset, MediaKind

# Stickers are the reader's decoration, not footage to broadcast.
NEEDS_CONSENT = [kind for kind in MediaKind if kind is not MediaKind.STICKER]


async def media_without_consent(tip_id: int, connection: BaseDBAsyncClient) -> list[int]:
    """The tip's media whose latest consent is not a grant (the `used` gate)."""
    media = (
        await MediaAsset.filter(tip_id=tip_id, kind__in=NEEDS_CONSENT)
        .using_db(connection)
        .values_list("id", flat=True)
    )
    records = (
        await ConsentRecord.filter(tip_id=tip_id)
        .using_db(connection)
        .order_by("-requested_at", "-id")
        .prefetch_related("media")
    )
    decided: dict[int, ConsentState] = {}
    for record in records:
        for asset in record.media:
            decided.setdefault(asset.id, record.state)
    return [
        int(str(asset_id))
        for asset_id in media
        if decided.get(int(str(asset_id))) is not ConsentState.GRANTED
    ]
