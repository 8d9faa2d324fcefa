"""Read-side questions about media that the board and API ask."""

from __future__ import annotations

from collections import defaultdict

from tipdesk.tips.models import MediaAsset


async def also_sent_by(asset: MediaAsset, sender_id: int) -> int:
    """How many other readers sent this very file (same SHA-256): a viral photo, or a hoax."""
    return (await also_sent_by_many([(asset, sender_id)])).get(asset.id, 0)


async def also_sent_by_many(assets: list[tuple[MediaAsset, int]]) -> dict[int, int]:
    """The same for many assets (each with its sender) in one query: asset id → count."""
    digests = {asset.sha256 for asset, _ in assets if asset.sha256}
    if not digests:
        return {}
    senders: dict[str, set[int]] = defaultdict(set)
    rows = await MediaAsset.filter(sha256__in=list(digests)).values_list("sha256", "tip__sender_id")
    for digest, sender in rows:
        senders[str(digest)].add(int(str(sender)))
    return {
        asset.id: len(senders[asset.sha256] - {sender_id})
        for asset, sender_id in assets
        if asset.sha256
    }
