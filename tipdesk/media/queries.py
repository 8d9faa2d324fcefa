"""Read-side questions about media that the board and API ask."""

from __future__ import annotations

from tipdesk.tips.models import MediaAsset


async def also_sent_by(asset: MediaAsset) -> int:
    """How many other readers sent this very file (same SHA-256): a viral photo, or a hoax."""
    if asset.sha256 is None:
        return 0
    sender_id = (await asset.tip).sender_id
    senders = (
        await MediaAsset.filter(sha256=asset.sha256)
        .exclude(tip__sender_id=sender_id)
        .distinct()
        .values_list("tip__sender_id", flat=True)
    )
    return len(set(senders))
