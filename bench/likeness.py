""" "Lijkt op" at archive scale: server time of `lookalikes()` for one photo among N stored
hashes (default 100,000), p50/p95 over R lookups, against a bare scan that reads every hash and
compares it in Python (what a lookup without the band index would do), on the same database.

    .venv/bin/python bench/likeness.py [N] [R]
Uses TIPDESK_DATABASE_URL when set (PostgreSQL, needs an empty database), else a fresh SQLite
file. Hashes are random, plus a near copy (a few bits flipped) of every hundredth, so lookups
find something; each lookup asks for a stored hash's near copy from another reader. Also
prints precision/recall of the threshold on the street-photo set (tests/media_store).
"""

from __future__ import annotations

import asyncio
import os
import random
import secrets
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tortoise import connections

from media_store.likeness import bands, distance
from tipdesk.clock import utcnow
from tipdesk.db import database, migrate_database
from tipdesk.media.likeness import THRESHOLD, lookalikes
from tipdesk.media.models import MediaLikeness
from tipdesk.settings import Settings
from tipdesk.tips.models import Direction, MediaAsset, MediaKind, Message, Sender, Tip

READERS = 500
BATCH = 5_000


def flipped(value: int, bits: int, rng: random.Random) -> int:
    for bit in rng.sample(range(64), bits):
        value ^= 1 << bit
    return value


async def seed(count: int, rng: random.Random) -> list[tuple[int, str, str]]:
    now = utcnow()
    readers = await Sender.bulk_create(
        [Sender(channel="whatsapp", address=f"316{n:08d}", first_contact_at=now)
         for n in range(READERS)]
    )  # fmt: skip
    readers = await Sender.all().order_by("id")
    tips = [Tip(sender=r, first_message_at=now, last_message_at=now) for r in readers]
    await Tip.bulk_create(tips)
    tips = await Tip.all().order_by("id")
    await Message.bulk_create(
        [Message(channel="whatsapp", external_id=f"w.{t.id}", tip=t, sender_id=t.sender_id,
                 direction=Direction.INBOUND, type="image", sent_at=now) for t in tips]
    )  # fmt: skip
    messages = {m.tip_id: m.id for m in await Message.all()}
    samples: list[tuple[int, str, str]] = []
    for start in range(0, count, BATCH):
        size = min(BATCH, count - start)
        assets = [
            MediaAsset(token=secrets.token_urlsafe(24), tip_id=tips[(start + n) % READERS].id,
                       message_id=messages[tips[(start + n) % READERS].id], kind=MediaKind.IMAGE,
                       sha256=f"{start + n:064x}")
            for n in range(size)
        ]  # fmt: skip
        await MediaAsset.bulk_create(assets)
        first = (await MediaAsset.all().order_by("-id").first()).id - size + 1  # type: ignore[union-attr]
        rows = []
        for n in range(size):
            index = start + n
            if index % 100 == 1:  # a near copy of the one before, from the next reader
                phash, dhash = flipped(rows[-1][0], 5, rng), flipped(rows[-1][1], 4, rng)
            else:
                phash, dhash = rng.getrandbits(64), rng.getrandbits(64)
            rows.append((phash, dhash))
            if index % 100 == 0:
                samples.append((first + n, f"{phash:016x}", f"{dhash:016x}"))
        await MediaLikeness.bulk_create([row(first + n, *hashes) for n, hashes in enumerate(rows)])
    return samples


def row(asset_id: int, phash: int, dhash: int) -> MediaLikeness:
    p, d = f"{phash:016x}", f"{dhash:016x}"
    columns = {f"phash_{i}": v for i, v in enumerate(bands(p))}
    columns |= {f"dhash_{i}": v for i, v in enumerate(bands(d))}
    return MediaLikeness(asset_id=asset_id, frame="photo", phash=p, dhash=d, **columns)


async def banded(asset_ids: list[int]) -> list[float]:
    times = []
    for asset_id in asset_ids:
        asset = await MediaAsset.get(id=asset_id).prefetch_related("tip")
        started = time.perf_counter()
        found = await lookalikes([asset], asset.tip.sender_id)
        times.append(time.perf_counter() - started)
        assert found.get(asset_id), "the near copy is found"
    return times


async def scanned(samples: list[tuple[int, str, str]]) -> list[float]:
    times = []
    for _, phash, dhash in samples:
        started = time.perf_counter()
        rows = await connections.get("default").execute_query_dict(
            "SELECT asset_id, phash, dhash FROM media_likeness"
        )
        near = [r for r in rows if distance(r["phash"], phash) + distance(r["dhash"], dhash)
                <= THRESHOLD]  # fmt: skip
        times.append(time.perf_counter() - started)
        assert near
    return times


def street_set() -> str:
    from tests.media_store.test_likeness import the_set

    same, different = the_set()
    found = sum(pair.apart <= THRESHOLD for pair in same)
    false = sum(pair.apart <= THRESHOLD for pair in different)
    return (
        f"street-photo set: {len(same)} same-photo pairs, {len(different)} different;"
        f" recall {found / len(same):.3f}, precision {found / max(1, found + false):.3f}"
        f" at {THRESHOLD} bits of 128"
    )


async def main(count: int, lookups: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("TIPDESK_DATABASE_URL") or f"sqlite://{folder}/bench.sqlite3"
        settings = Settings.from_env(
            {"TIPDESK_DATA_DIR": folder, "TIPDESK_DATABASE_URL": url,
             "TIPDESK_SECRET_KEY": secrets.token_urlsafe(32), "TIPDESK_LOG_LEVEL": "warning"},
            env_file=None,
        )  # fmt: skip
        await migrate_database(settings)
        async with database(settings):
            if await MediaLikeness.all().count():
                sys.exit("bench/likeness.py needs an empty database")
            started = time.perf_counter()
            samples = await seed(count, random.Random(21))
            seeded = time.perf_counter() - started
            chosen = samples[:lookups]
            ours = await banded([asset_id for asset_id, _, _ in chosen])
            bare = await scanned(chosen[: max(3, lookups // 20)])
    print(f"likeness: lookalikes() among {count} hashes, {len(ours)} lookups")
    print(f"  seeded in {seeded:.0f} s")
    for name, share in (("p50", 0.5), ("p95", 0.95)):
        o, b = percentile(ours, share) * 1000, percentile(bare, share) * 1000
        print(f"  {name}   banded index {o:7.1f} ms   bare scan {b:8.1f} ms   ratio {b / o:6.1f}")
    print(f"  {street_set()}")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


if __name__ == "__main__":
    asyncio.run(
        main(
            int(sys.argv[1]) if len(sys.argv) > 1 else 100_000,
            int(sys.argv[2]) if len(sys.argv) > 2 else 100,
        )
    )
