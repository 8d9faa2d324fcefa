"""Perceptual hashes: what makes the same picture recognisable after WhatsApp has recompressed,
resized, cropped or captioned it, when its SHA-256 no longer matches.

Each picture gets a 64-bit pHash (the low frequencies of its DCT: robust to recompression,
resizing and small overlays) and a 64-bit dHash (brightness gradients: a second opinion that
catches crops the pHash is less sure of). Both are written as 16 hex digits. Hashing decodes
pixels, so it runs only in the darkroom's limited child (media_store/darkroom.py); the desk
compares hex strings with `distance` and never imports a decoder.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from media_store.paths import MediaStore
from media_store.renditions import MediaRejected, Processed

if TYPE_CHECKING:
    from PIL import Image

HASH_BITS = 64
# The 64 bits in four 16-bit bands: two hashes within d bits agree in at least one band on all
# but d // BANDS bits (pigeonhole), which is what the lookup (tipdesk/media/likeness.py) searches.
BANDS = 4
BAND_BITS = HASH_BITS // BANDS
KEYFRAME_NAME = "keyframe_{:02d}"


HASHED_SIDE = 512  # both hashes shrink to 32 px or less: a large copy only costs memory
# A black frame, a fade or a plain wall all hash alike (pHash 8000…, dHash 0000…): pictures
# with less contrast than this (standard deviation of grey levels) get no hashes at all.
MIN_CONTRAST = 6.0


def likeness_of(picture: Image.Image) -> dict[str, str] | None:
    """The picture's pHash and dHash as hex, or None for a featureless picture; blocking, in
    the child only."""
    import imagehash
    from PIL import ImageStat

    small = picture.copy()
    small.thumbnail((HASHED_SIDE, HASHED_SIDE))
    if ImageStat.Stat(small.convert("L")).stddev[0] < MIN_CONTRAST:
        return None
    return {"phash": str(imagehash.phash(small)), "dhash": str(imagehash.dhash(small))}


def photo_likeness(picture: Image.Image) -> list[dict[str, str]]:
    found = likeness_of(picture)
    return [{"frame": "photo", **found}] if found else []


def hash_folder(store: MediaStore, folder: Path) -> Processed:
    """Darkroom kind `likeness`: hashes of the keyframe JPEGs our own ffmpeg wrote into a
    workroom folder. A frame that will not open is left out rather than failing the video."""
    from PIL import Image, UnidentifiedImageError

    if not folder.resolve().is_relative_to(store.root / "tmp"):
        raise MediaRejected("keyframes are hashed only inside the media store's tmp/")
    found: list[dict[str, str]] = []
    for path in sorted(folder.glob("*.jpg")):
        try:
            with Image.open(path) as frame:
                hashed = likeness_of(frame.convert("RGB"))
        except (UnidentifiedImageError, OSError, ValueError):
            continue
        if hashed:
            found.append({"frame": path.stem, **hashed})
    return Processed(details={"likeness": found})


def distance(first: str, second: str) -> int:
    """Bits in which two hex hashes differ (Hamming distance)."""
    return (int(first, 16) ^ int(second, 16)).bit_count()


def bands(hex_hash: str) -> tuple[int, ...]:
    """The hash cut into BANDS integers of BAND_BITS each, most significant first."""
    value = int(hex_hash, 16)
    mask = (1 << BAND_BITS) - 1
    return tuple((value >> (BAND_BITS * (BANDS - 1 - index))) & mask for index in range(BANDS))


def band_neighbours(band: int, radius: int) -> list[int]:
    """Every band value within `radius` flipped bits of `band` (itself included): 17 values
    for a radius of 1, 137 for 2."""
    values = [band]
    frontier = [(band, -1)]
    for _ in range(radius):
        grown = []
        for value, last in frontier:
            for bit in range(last + 1, BAND_BITS):
                flipped = value ^ (1 << bit)
                values.append(flipped)
                grown.append((flipped, bit))
        frontier = grown
    return values
