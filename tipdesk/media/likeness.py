""" "Lijkt op": media of other readers whose perceptual hashes are close to this medium's.

A match is a pHash and dHash distance that add up to at most THRESHOLD bits (of 128), measured
on the street-photo set of tests/media_store/street_scenes.py (docs/verification.md). Lookup is
multi-index hashing: each hash is kept in four indexed 16-bit bands (media_store/likeness.py),
and the index is asked for the 17 values within BAND_RADIUS = 1 bit of each of the eight bands
(136 a picture). A hash within 7 bits of another has, by pigeonhole, a band within 1 bit, so
every pair with one hash within 7 bits is found (all of the test set's edits are: their closer
hash is within 6); a pair at 8 + 8 or more is found only when a band happens to be that close.
Radius 2 would make the lookup exact for the whole threshold at eight times the candidates:
bench/likeness.py measured 242 ms a photo at a million hashes with it, which a tip page feels.
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
BAND_RADIUS = 1  # see above: exact up to 7 bits in the closer hash, 1/8 of radius 2's work
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
    near: dict[int, dict[int, tuple[int, str]]] = {a.id: {} for a in assets}
    for own in mine:
        for asset_id, frame, phash, dhash in await _candidates(own, list(near)):
            apart = distance(own.phash, phash) + distance(own.dhash, dhash)
            best = near[own.asset_id].get(asset_id)
            if apart <= THRESHOLD and (best is None or apart < best[0]):
                near[own.asset_id][asset_id] = (apart, frame)
    others = await _others({asset_id for matches in near.values() for asset_id in matches})
    digests = {a.id: a.sha256 for a in assets}
    found: dict[int, list[Lookalike]] = {}
    for asset_id, matches in near.items():
        shown = [
            Lookalike(other, others[other][0], apart, frame)
            for other, (apart, frame) in matches.items()
            # The same reader sending a photo twice is no corroboration; the same file is
            # shown as "also sent by", not as a look-alike.
            if others[other][1] != sender_id
            and not (others[other][2] and others[other][2] == digests[asset_id])
        ]
        if shown:
            found[asset_id] = sorted(shown, key=lambda m: (m.distance, m.asset_id))[:SHOWN]
    return found


async def _candidates(own: MediaLikeness, exclude: list[int]) -> list[tuple[int, str, str, str]]:
    """Hashes sharing a band value within BAND_RADIUS of one of `own`'s bands: only the
    hash table, through its band indexes; who sent them is asked for the matches alone."""
    near: dict[str, Any] = {
        f"{kind}_{index}__in": band_neighbours(value, BAND_RADIUS)
        for kind in ("phash", "dhash")
        for index, value in enumerate(bands(getattr(own, kind)))
    }
    conditions = [Q(**{column: values}) for column, values in near.items()]
    rows = (
        await MediaLikeness.filter(reduce(operator.or_, conditions))
        .exclude(asset_id__in=exclude)
        .values_list("asset_id", "frame", "phash", "dhash")
    )
    return [(int(str(a)), str(f), str(p), str(d)) for a, f, p, d in rows]


async def _others(asset_ids: set[int]) -> dict[int, tuple[int, int, str | None]]:
    """Each matched asset's tip, sender and SHA-256."""
    if not asset_ids:
        return {}
    rows = await MediaAsset.filter(id__in=list(asset_ids)).values_list(
        "id", "tip_id", "tip__sender_id", "sha256"
    )
    return {int(str(a)): (int(str(t)), int(str(s)), str(d) if d else None) for a, t, s, d in rows}
