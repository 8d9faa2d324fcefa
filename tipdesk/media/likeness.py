""" "Lijkt op": media of other readers whose perceptual hashes are close to this medium's.

A match is a pHash and dHash distance that add up to at most THRESHOLD bits (of 128), measured
on the street-photo set of tests/media_store/street_scenes.py (docs/verification.md). Lookup is
multi-index hashing: each hash is kept in four indexed 16-bit bands (media_store/likeness.py),
and a pair within THRESHOLD has one of its two hashes within 11 bits, so one of that hash's
bands within 2 bits — 137 values a band, 1,096 a picture, each an index lookup. The cost grows
with how many hashes share a band value (about 15 at a million pictures), not with the archive.
Exact copies (same SHA-256) are the "same file" already counted by media/queries.py, not here.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from functools import reduce
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q

from media_store.likeness import band_neighbours, bands, distance
from tipdesk.media.models import MediaLikeness
from tipdesk.tips.models import MediaAsset

THRESHOLD = 22
BAND_RADIUS = 2  # THRESHOLD // 2 = 11 bits in the closer hash, < 4 bands × 3: one band ≤ 2
SHOWN = 10  # look-alikes a medium lists at most, closest first


@dataclass(frozen=True)
class Lookalike:
    asset_id: int
    tip_id: int
    distance: int
    frame: str  # which of the other medium's pictures matched: "photo" or a keyframe's name


async def keep_likeness(
    asset_id: int, found: list[dict[str, Any]], connection: BaseDBAsyncClient
) -> None:
    """Replace the asset's hashes with those the darkroom found (a second transcode replaces)."""
    await MediaLikeness.filter(asset_id=asset_id).using_db(connection).delete()
    rows = [_row(asset_id, item) for item in found if _valid(item)]
    if rows:
        await MediaLikeness.bulk_create(rows, using_db=connection)


def _valid(item: dict[str, Any]) -> bool:
    hexes = (item.get("phash"), item.get("dhash"))
    return isinstance(item.get("frame"), str) and all(
        isinstance(h, str) and len(h) == 16 and all(c in "0123456789abcdef" for c in h)
        for h in hexes
    )


def _row(asset_id: int, item: dict[str, Any]) -> MediaLikeness:
    columns = {
        f"{kind}_{index}": value
        for kind in ("phash", "dhash")
        for index, value in enumerate(bands(item[kind]))
    }
    return MediaLikeness(
        asset_id=asset_id, frame=item["frame"][:32], phash=item["phash"], dhash=item["dhash"],
        **columns,
    )  # fmt: skip


async def lookalikes(assets: list[MediaAsset], sender_id: int) -> dict[int, list[Lookalike]]:
    """For each asset (all of one reader's tip): media of other readers that look like it."""
    mine = await MediaLikeness.filter(asset_id__in=[a.id for a in assets])
    digests = {a.id: a.sha256 for a in assets}
    found: dict[int, dict[int, Lookalike]] = {a.id: {} for a in assets}
    for own in mine:
        for other in await _candidates(own, list(digests)):
            if other["asset__tip__sender_id"] == sender_id:
                continue  # the same reader sending a photo twice is no corroboration
            if other["asset__sha256"] and other["asset__sha256"] == digests[own.asset_id]:
                continue  # the same file: shown as "also sent by", not as a look-alike
            apart = distance(own.phash, other["phash"]) + distance(own.dhash, other["dhash"])
            best = found[own.asset_id].get(other["asset_id"])
            if apart <= THRESHOLD and (best is None or apart < best.distance):
                found[own.asset_id][other["asset_id"]] = Lookalike(
                    other["asset_id"], other["asset__tip_id"], apart, other["frame"]
                )
    return {
        asset_id: sorted(matches.values(), key=lambda m: (m.distance, m.asset_id))[:SHOWN]
        for asset_id, matches in found.items()
        if matches
    }


async def _candidates(own: MediaLikeness, exclude: list[int]) -> list[dict[str, Any]]:
    """Hashes sharing a band value within BAND_RADIUS of one of `own`'s bands."""
    near: dict[str, Any] = {
        f"{kind}_{index}__in": band_neighbours(value, BAND_RADIUS)
        for kind in ("phash", "dhash")
        for index, value in enumerate(bands(getattr(own, kind)))
    }
    conditions = [Q(**{column: values}) for column, values in near.items()]
    return (
        await MediaLikeness.filter(reduce(operator.or_, conditions))
        .exclude(asset_id__in=exclude)
        .values(
            "asset_id", "frame", "phash", "dhash", "asset__tip_id", "asset__tip__sender_id",
            "asset__sha256",
        )
    )  # fmt: skip
