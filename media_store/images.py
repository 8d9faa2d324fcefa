"""Photos and stickers: orientation applied, a web JPEG and a thumbnail without metadata, and
the original's capture time, camera and GPS position read out as verification aids.

Pillow decodes only in the darkroom's limited child process (media_store/darkroom.py). Pictures
over MAX_PIXELS are refused before decoding, so a decompression bomb costs a header read.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError

from media_store.likeness import photo_likeness
from media_store.paths import MediaStore
from media_store.renditions import MediaRejected, Processed, Rendition

MAX_PIXELS = 60_000_000
# Pillow's own bomb check agrees with ours: its warning (an error here) starts at MAX_PIXELS.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
WEB_SIDE, THUMB_SIDE = 2048, 320
EXIF_IFD, GPS_IFD = 0x8769, 0x8825
DATETIME_ORIGINAL, MAKE, MODEL, DATETIME = 0x9003, 0x010F, 0x0110, 0x0132
SOFTWARE, OFFSET_TIME_ORIGINAL = 0x0131, 0x9011


def process_image(store: MediaStore, source: Path) -> Processed:
    """Blocking: run it in the darkroom child, never in the desk."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            return _process(store, source)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise MediaRejected("the picture is too large to open safely") from exc
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            raise MediaRejected("the picture is damaged or not an image") from exc


def _process(store: MediaStore, source: Path) -> Processed:
    with Image.open(source) as opened:
        width, height = opened.size
        if width * height > MAX_PIXELS:
            raise MediaRejected(f"the picture is too large to open safely ({width}×{height})")
        details = {"width": width, "height": height, **verification_details(opened)}
        opened.seek(0)
        picture = ImageOps.exif_transpose(opened)
        picture.load()
    picture = _flatten(picture)
    details["likeness"] = photo_likeness(picture)
    processed = Processed(details=details)
    try:
        processed.renditions.append(_save(store, picture, "web", WEB_SIDE))
        processed.renditions.append(_save(store, picture, "thumb", THUMB_SIDE))
    except OSError as exc:
        processed.discard()
        raise MediaRejected("the picture could not be converted") from exc
    return processed


def _flatten(picture: Image.Image) -> Image.Image:
    """JPEG has no transparency: stickers and PNGs go on white, as the phone shows them."""
    if picture.mode in ("RGBA", "LA", "P"):
        rgba = picture.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return picture.convert("RGB")


def _save(store: MediaStore, picture: Image.Image, name: str, side: int) -> Rendition:
    copy = picture.copy()
    copy.thumbnail((side, side), Image.Resampling.LANCZOS)
    target = store.temporary("jpg")
    # No exif= argument: the variant carries no GPS position, device or capture time.
    copy.save(target, "JPEG", quality=85, optimize=True, progressive=True)
    return Rendition(name, target, "image/jpeg", "jpg", copy.width, copy.height)


def verification_details(picture: Image.Image) -> dict[str, Any]:
    """Capture time, camera and position from the original's EXIF, for editors to verify.
    EXIF is the reader's (or a forger's) bytes: anything malformed is left out, never fatal."""
    try:
        return _verification_details(picture)
    except Exception:  # Pillow's EXIF parser raises whatever a broken tag makes it
        return {}


def _verification_details(picture: Image.Image) -> dict[str, Any]:
    exif = picture.getexif()
    details: dict[str, Any] = {}
    original = exif.get_ifd(EXIF_IFD).get(DATETIME_ORIGINAL)
    taken = original or exif.get(DATETIME)
    if isinstance(taken, str) and taken.strip():
        details["taken_at"] = taken.strip().strip("\x00")[:32]
    details.update(_edit_traces(exif, original))
    camera = " ".join(
        str(exif.get(tag)).strip().strip("\x00") for tag in (MAKE, MODEL) if exif.get(tag)
    )
    if camera:
        details["camera"] = camera[:128]
    position = _gps(exif.get_ifd(GPS_IFD))
    if position is not None:
        details["gps"] = {"latitude": position[0], "longitude": position[1]}
    return details


def _edit_traces(exif: Image.Exif, original: Any) -> dict[str, Any]:
    """The time zone the camera noted, the program that last saved the file, and when it was
    saved if that differs from the capture: the desk warns about edited photos with them."""
    traces: dict[str, Any] = {}
    offset = exif.get_ifd(EXIF_IFD).get(OFFSET_TIME_ORIGINAL)
    if isinstance(offset, str) and offset.strip():
        traces["taken_offset"] = offset.strip().strip("\x00")[:8]
    software = exif.get(SOFTWARE)
    if isinstance(software, str) and software.strip("\x00 "):
        traces["software"] = software.strip("\x00 ")[:128]
    modified = exif.get(DATETIME)
    if isinstance(original, str) and isinstance(modified, str) and modified.strip("\x00 "):
        traces["modified_at"] = modified.strip("\x00 ")[:32]
    return traces


def _gps(gps: dict[int, Any]) -> tuple[float, float] | None:
    try:
        latitude = _degrees(gps[2], gps.get(1, "N"), "S")
        longitude = _degrees(gps[4], gps.get(3, "E"), "W")
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    return round(latitude, 7), round(longitude, 7)


def _degrees(parts: Any, reference: Any, negative: str) -> float:
    degrees, minutes, seconds = (float(part) for part in parts)
    value = degrees + minutes / 60 + seconds / 3600
    return -value if str(reference).strip("\x00").upper() == negative else value
