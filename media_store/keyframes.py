"""Keyframes of a video for verification: a still at each scene change, for an editor to look
at side by side and to put into a reverse image search, and hashed to find look-alikes.

ffmpeg's scene score picks the frames (`gt(scene, SCENE_CHANGE)`); the first frame is always
one, so every video has at least one; a new keyframe comes at most every MIN_GAP seconds and
there are never more than MAX_KEYFRAMES. The frames carry no metadata (no location, no device).
Hashing decodes the JPEGs, so it runs in the darkroom's limited child (kind `likeness`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from media_store.darkroom import develop
from media_store.ffmpeg import FfmpegError, PinnedFfmpeg
from media_store.likeness import KEYFRAME_NAME
from media_store.paths import MediaStore
from media_store.renditions import MediaRejected, Rendition

SCENE_CHANGE = 0.3
MIN_GAP = 3.0
MAX_KEYFRAMES = 12
_PTS_TIME = re.compile(r"Parsed_showinfo.*?\bpts_time:\s*(-?\d+(?:\.\d+)?)")


@dataclass
class Keyframes:
    renditions: list[Rendition] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    likeness: list[dict[str, str]] = field(default_factory=list)

    def details(self) -> dict[str, object]:
        shown = [
            {"name": rendition.name, "at": round(at, 2)}
            for rendition, at in zip(self.renditions, self.times, strict=False)
        ]
        return {"keyframes": shown, "likeness": self.likeness}


def keyframe_arguments(
    source: Path, pattern: Path, size: tuple[int, int], limit: float
) -> list[str]:
    width, height = size
    chosen = f"eq(n\\,0)+gt(scene\\,{SCENE_CHANGE})*gte(t-prev_selected_t\\,{MIN_GAP})"
    return [
        "-t", str(limit), "-i", str(source),
        "-map", "0:v:0", "-an", "-sn",
        "-vf", f"select='{chosen}',showinfo,scale={width}:{height}",
        "-fps_mode", "vfr", "-frames:v", str(MAX_KEYFRAMES), "-q:v", "3",
        "-map_metadata", "-1", str(pattern),
    ]  # fmt: skip


async def keyframes(
    ffmpeg: PinnedFfmpeg, room: MediaStore, source: Path, size: tuple[int, int], *,
    limit: float, time_limit: float,
) -> Keyframes:  # fmt: skip
    """The video's keyframes as renditions in `room`, with their times and hashes. A video
    whose keyframes fail keeps its web copy and poster: this is an aid, not the video."""
    folder = room.temporary()
    folder.mkdir()
    pattern = folder / (KEYFRAME_NAME.replace("{:02d}", "%02d") + ".jpg")
    try:
        log = await ffmpeg.run(
            keyframe_arguments(source, pattern, size, limit), time_limit=time_limit
        )
    except FfmpegError:
        return Keyframes()
    frames = sorted(folder.glob("*.jpg"))[:MAX_KEYFRAMES]
    found = Keyframes(
        renditions=[
            Rendition(path.stem, path, "image/jpeg", "jpg", size[0], size[1]) for path in frames
        ],
        times=[float(at) for at in _PTS_TIME.findall(log)],
    )
    found.likeness = await _hashed(room, folder)
    return found


async def _hashed(room: MediaStore, folder: Path) -> list[dict[str, str]]:
    try:
        processed = await develop("likeness", room, folder)
    except MediaRejected:
        return []
    processed.discard()
    found = processed.details.get("likeness")
    return [item for item in found if isinstance(item, dict)] if isinstance(found, list) else []
