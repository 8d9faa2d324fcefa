"""What a video's container says about where, when and on what it was recorded: QuickTime's
and MP4's `creation_time`, ISO 6709 location and make/model tags, as ffprobe or `ffmpeg -i`
report them. Read from our probe's text, never decoded here; each value is bounded and checked,
so a hostile file's tags end up as nothing rather than as an error.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

MAX_TAG = 128
_ISO6709 = re.compile(r"^([+-]\d{1,2}(?:\.\d+)?)([+-]\d{1,3}(?:\.\d+)?)")
_TAG_LINE = re.compile(r"^ {4}([\w.:-]{1,80}?)\s*: (.*)$")
LOCATION_TAGS = ("com.apple.quicktime.location.ISO6709", "location", "location-eng")
MAKE_TAGS = ("com.apple.quicktime.make", "make", "com.android.manufacturer")
MODEL_TAGS = ("com.apple.quicktime.model", "model", "com.android.model")


def container_tags(probe_text: str) -> dict[str, str]:
    """The input's own `Metadata:` block in `ffmpeg -i` output (not its streams')."""
    tags: dict[str, str] = {}
    inside = False
    for line in probe_text.splitlines():
        if line.startswith("Input #0"):
            inside = False
        elif line == "  Metadata:":
            inside = not tags
        elif inside and (match := _TAG_LINE.match(line)):
            tags.setdefault(match.group(1), match.group(2).strip()[:MAX_TAG])
        elif inside:
            inside = False
    return tags


def capture_details(tags: dict[str, Any]) -> dict[str, Any]:
    """taken_at (ISO, UTC), camera and gps, as images.verification_details names them."""
    details: dict[str, Any] = {}
    taken = _taken(str(tags.get("creation_time", "")))
    if taken is not None:
        details["taken_at"] = taken
    camera = " ".join(
        value for value in (_first(tags, MAKE_TAGS), _first(tags, MODEL_TAGS)) if value
    )
    if camera:
        details["camera"] = camera[:MAX_TAG]
    position = _position(_first(tags, LOCATION_TAGS) or "")
    if position is not None:
        details["gps"] = {"latitude": position[0], "longitude": position[1]}
    return details


def _first(tags: dict[str, Any], names: tuple[str, ...]) -> str | None:
    for name in names:
        value = str(tags.get(name) or "").strip().strip("\x00")
        if value:
            return value[:MAX_TAG]
    return None


def _taken(raw: str) -> str | None:
    """QuickTime repeats creation_time per track (`a;b`): the first. Dates before 1990 are a
    camera's unset clock (QuickTime's epoch is 1904), not a capture time."""
    first = raw.split(";", 1)[0].strip()[:40]
    try:
        moment = datetime.fromisoformat(first.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if moment.year < 1990:
        return None
    return moment.astimezone(UTC).isoformat()


def _position(raw: str) -> tuple[float, float] | None:
    match = _ISO6709.match(raw.strip())
    if match is None:
        return None
    latitude, longitude = float(match.group(1)), float(match.group(2))
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    return round(latitude, 7), round(longitude, 7)
