"""The tip page's verification aids beside each medium: when, where and on what it was made
(in the desk's format and time zone, with a map link), warnings when it was made long before
the tip or saved by an editing program, whether the reader forwarded it, its keyframes, and
media of other readers that look like it ("lijkt op", with the distance)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tipdesk.media.likeness import lookalikes
from tipdesk.tips.models import MediaAsset, Message

# Long enough for a photo taken in the evening and sent the next morning; anything older is
# worth a second look (an old photo recirculating as news).
LONG_BEFORE = timedelta(days=2)
# A camera writes DateTime beside DateTimeOriginal within a second or two; later is a re-save.
RESAVED_AFTER = timedelta(minutes=1)
EDITING_PROGRAMS = (
    "photoshop", "lightroom", "gimp", "snapseed", "picsart", "canva", "facetune", "faceapp",
    "pixelmator", "affinity", "paint.net", "vsco", "meitu", "luminar", "darktable", "photopea",
    "capture one", "remini", "polarr", "photoscape", "fotor", "inshot", "kinemaster", "capcut",
)  # fmt: skip
EXIF_TIME = "%Y:%m:%d %H:%M:%S"
SHOWN = "%d-%m-%Y %H:%M"


async def add_verification(summary: dict[str, Any], tz: ZoneInfo) -> None:
    """Each medium of the tip summary gets `facts`, `lookalikes` and `forwarded`."""
    assets = await MediaAsset.filter(tip_id=summary["id"])
    messages = {m.id: m for m in await Message.filter(id__in=[a.message_id for a in assets] or [0])}
    similar = await lookalikes(assets, summary["sender"]["id"])
    by_id = {asset.id: asset for asset in assets}
    for medium in summary["media"]:
        asset = by_id.get(medium["id"])
        message = messages.get(asset.message_id) if asset else None
        medium["forwarded"] = _forwarded(message)
        received = message.sent_at if message else None
        medium["facts"] = facts(medium.get("details") or {}, received, tz)
        medium["lookalikes"] = [vars(match) for match in similar.get(medium["id"], [])]
        medium["keyframes"] = _keyframes(medium)


def _forwarded(message: Message | None) -> str | None:
    if message is None or not message.forwarded:
        return None
    return "frequently_forwarded" if message.content.get("frequently_forwarded") else "forwarded"


def facts(details: dict[str, Any], received: datetime | None, tz: ZoneInfo) -> dict[str, Any]:
    """What the medium's metadata says, ready to show, with warnings as catalogue keys."""
    taken = capture_time(details, tz)
    shown: dict[str, Any] = {"warnings": []}
    if taken is not None:
        shown["taken"] = taken.astimezone(tz).strftime(SHOWN)
        if received is not None and received - taken > LONG_BEFORE:
            shown["warnings"].append(("tip.taken_long_before", {"days": (received - taken).days}))
    elif isinstance(details.get("taken_at"), str):
        shown["taken"] = details["taken_at"]  # not a time we can read: as the camera wrote it
    if isinstance(details.get("camera"), str):
        shown["camera"] = details["camera"]
    shown.update(_place(details.get("gps")))
    program = _editing_program(details)
    if program:
        shown["warnings"].append(("tip.edited_with", {"program": program}))
    elif _resaved(details, tz):
        shown["warnings"].append(("tip.saved_after_capture", {}))
    return shown


def capture_time(details: dict[str, Any], tz: ZoneInfo) -> datetime | None:
    """An aware capture time: a video's ISO time, or a camera's EXIF clock with the offset it
    noted; without one, the camera is taken to be on the desk's time zone."""
    raw = details.get("taken_at")
    if not isinstance(raw, str):
        return None
    moment: datetime | None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        moment = _exif_time(raw)
    if moment is None or moment.tzinfo is not None:
        return moment
    offset = details.get("taken_offset")
    if isinstance(offset, str):
        try:
            return datetime.fromisoformat(f"{moment.isoformat()}{offset.strip()}")
        except ValueError:
            pass
    return moment.replace(tzinfo=tz)


def _exif_time(raw: str) -> datetime | None:
    try:
        return datetime.strptime(raw.strip()[:19], EXIF_TIME)
    except ValueError:
        return None


def _place(gps: Any) -> dict[str, Any]:
    if not isinstance(gps, dict):
        return {}
    latitude, longitude = gps.get("latitude"), gps.get("longitude")
    if not all(isinstance(value, int | float) for value in (latitude, longitude)):
        return {}
    return {
        "gps": f"{latitude:.5f}, {longitude:.5f}",
        "map": f"https://www.openstreetmap.org/?mlat={latitude:.6f}&mlon={longitude:.6f}"
        f"#map=17/{latitude:.6f}/{longitude:.6f}",
    }


def _editing_program(details: dict[str, Any]) -> str | None:
    software = details.get("software")
    if not isinstance(software, str):
        return None
    lowered = software.lower()
    return software if any(name in lowered for name in EDITING_PROGRAMS) else None


def _resaved(details: dict[str, Any], tz: ZoneInfo) -> bool:
    modified, taken = details.get("modified_at"), details.get("taken_at")
    if not isinstance(modified, str) or not isinstance(taken, str):
        return False
    first, last = _exif_time(taken), _exif_time(modified)
    if first is None or last is None:
        return modified.strip() != taken.strip()
    return abs(last - first) > RESAVED_AFTER


def _keyframes(medium: dict[str, Any]) -> list[dict[str, Any]]:
    listed = (medium.get("details") or {}).get("keyframes")
    if not isinstance(listed, list):
        return []
    variants = medium.get("variants") or {}
    return [
        {"url": variants[item["name"]], "at": _clock(item.get("at")), "name": item["name"]}
        for item in listed
        if isinstance(item, dict) and item.get("name") in variants
    ]


def _clock(seconds: Any) -> str:
    whole = int(seconds) if isinstance(seconds, int | float) else 0
    return f"{whole // 60}:{whole % 60:02d}"
