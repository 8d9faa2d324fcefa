"""Perceptual hashes on the street-photo set: WhatsApp's and readers' edits of one photo are
found, other photos of the same street are not, and the banded lookup misses no match."""

from __future__ import annotations

import functools
import itertools
import random
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from media_store.darkroom import develop
from media_store.likeness import BAND_BITS, band_neighbours, bands, distance, likeness_of
from media_store.paths import MediaStore
from tests.media_store import street_scenes
from tests.media_store.street_scenes import EDITS, Shot, jpeg, photo
from tipdesk.media.likeness import BAND_RADIUS, THRESHOLD

STREETS = 8


@dataclass(frozen=True)
class Pair:
    what: str
    first: dict[str, str]
    second: dict[str, str]

    @property
    def apart(self) -> int:
        return sum(distance(self.first[h], self.second[h]) for h in ("phash", "dhash"))


def hashed(picture: Image.Image) -> dict[str, str]:
    found = likeness_of(picture)
    assert found is not None
    return found


@functools.cache
def the_set() -> tuple[list[Pair], list[Pair]]:
    """Pairs that are one photo (the four edits of each original) and pairs that are not
    (another view of the same street, and photos of other streets)."""
    same, different = [], []
    originals = {}
    for seed in range(STREETS):
        base = jpeg(photo(Shot(seed, 200, 10, seed * 7)))
        originals[seed] = hashed(base)
        for name, edit in EDITS.items():
            same.append(Pair(name, originals[seed], hashed(edit(base))))
        for pan, hour in ((260, 11), (700, 17)):
            other = hashed(jpeg(photo(Shot(seed, pan, hour, seed * 7 + pan))))
            different.append(Pair("same_street", originals[seed], other))
    for a, b in itertools.combinations(range(STREETS), 2):
        different.append(Pair("other_street", originals[a], originals[b]))
    return same, different


def test_edits_are_found_and_other_photos_of_the_street_are_not() -> None:
    same, different = the_set()
    found = [pair for pair in same if pair.apart <= THRESHOLD]
    false = [pair for pair in different if pair.apart <= THRESHOLD]
    recall = len(found) / len(same)
    precision = len(found) / (len(found) + len(false))
    print(f"threshold {THRESHOLD}: recall {recall:.3f} precision {precision:.3f}")
    for name in EDITS:
        worst = max(pair.apart for pair in same if pair.what == name)
        print(f"  {name}: farthest {worst}")
    print(f"  nearest other photo: {min(pair.apart for pair in different)}")
    assert recall == 1.0, [(p.what, p.apart) for p in same if p.apart > THRESHOLD]
    assert precision == 1.0, [(p.what, p.apart) for p in false]


def test_the_banded_lookup_finds_every_pair_within_the_threshold() -> None:
    """Multi-index hashing's promise: a pair within THRESHOLD shares a band value within
    BAND_RADIUS bits in its pHash or its dHash, so the index query sees it."""
    same, different = the_set()
    for pair in [*same, *different]:
        if pair.apart > THRESHOLD:
            continue
        reached = any(
            theirs in set(band_neighbours(mine, BAND_RADIUS))
            for kind in ("phash", "dhash")
            for mine, theirs in zip(bands(pair.first[kind]), bands(pair.second[kind]), strict=True)
        )
        assert reached, pair


def test_a_hash_within_seven_bits_always_shares_a_band_within_the_radius() -> None:
    """The guarantee docs/verification.md states, on random hashes and random flips."""
    rng = random.Random(7)
    for _ in range(2000):
        value = rng.getrandbits(64)
        near = value
        for bit in rng.sample(range(64), rng.randint(0, (BAND_RADIUS + 1) * 4 - 1)):
            near ^= 1 << bit
        pairs = zip(bands(f"{value:016x}"), bands(f"{near:016x}"), strict=True)
        assert any(theirs in band_neighbours(mine, BAND_RADIUS) for mine, theirs in pairs)


def test_band_neighbours_are_every_value_within_the_radius() -> None:
    values = band_neighbours(0b1011, 2)
    assert len(values) == len(set(values)) == 1 + BAND_BITS + BAND_BITS * (BAND_BITS - 1) // 2
    assert all((value ^ 0b1011).bit_count() <= 2 for value in values)


def test_a_plain_picture_gets_no_hashes() -> None:
    """A black frame or a plain wall would look like every other one."""
    assert likeness_of(Image.new("RGB", (640, 480), (12, 12, 12))) is None


async def test_the_darkroom_hashes_a_photo_upright(tmp_path: Path) -> None:
    store = MediaStore(tmp_path / "media")
    base = photo(Shot(1, 200, 10, 3))
    source = tmp_path / "street.jpg"
    base.save(source, "JPEG", quality=90)
    processed = await develop("image", store, source)
    processed.discard()
    [found] = processed.details["likeness"]  # type: ignore[misc]
    assert found["frame"] == "photo"
    assert distance(found["phash"], hashed(street_scenes.jpeg(base))["phash"]) <= 2
