"""Video and audio: H.264/AAC MP4 with faststart, a poster, and AAC in M4A for voice notes.

ffmpeg applies the rotation a phone recorded (autorotate), so portrait stays portrait, and the
web copies carry no metadata (no location, no device). The original is kept untouched.
Only a PinnedFfmpeg reads reader media here: a playlist sent as video opens nothing else.
Each run writes into a workroom of its own in tmp/ (renditions.in_workroom).
"""

from __future__ import annotations

from pathlib import Path

from media_store.capture_facts import capture_details
from media_store.ffmpeg import FfmpegError, MediaInfo, PinnedFfmpeg
from media_store.keyframes import keyframes
from media_store.paths import MediaStore
from media_store.renditions import MediaRejected, Processed, Rendition, in_workroom

LONG_SIDE, SHORT_SIDE = 1280, 720
POSTER_LONG_SIDE = 1280
MAX_VIDEO_SECONDS = 30 * 60  # longer videos are trimmed (`-t`), not refused
MAX_VIDEO_PIXELS = 8192 * 4320  # 8K: a larger frame is refused before anything is decoded
MAX_AUDIO_SECONDS = 3 * 3600


def fit(width: int, height: int, long_side: int, short_side: int) -> tuple[int, int]:
    """The largest even size within the box (turned to the frame's orientation), never upscaled."""
    box_w, box_h = (long_side, short_side) if width >= height else (short_side, long_side)
    scale = min(1.0, box_w / width, box_h / height)
    return max(2, int(width * scale) // 2 * 2), max(2, int(height * scale) // 2 * 2)


def video_arguments(
    source: Path, target: Path, size: tuple[int, int], has_audio: bool
) -> list[str]:
    width, height = size
    audio = ["-map", "0:a:0", "-c:a", "aac", "-b:a", "128k", "-ac", "2"] if has_audio else ["-an"]
    return [
        "-t", str(MAX_VIDEO_SECONDS), "-i", str(source), "-map", "0:v:0", *audio,
        "-vf", f"scale={width}:{height}:flags=bicubic,setsar=1",
        "-fps_mode", "vfr", "-c:v", "libx264", "-preset", "veryfast", "-crf", "23",
        "-pix_fmt", "yuv420p",
        "-movflags", "+faststart", "-map_metadata", "-1", "-map_chapters", "-1", str(target),
    ]  # fmt: skip


def audio_arguments(source: Path, target: Path) -> list[str]:
    return [
        "-t", str(MAX_AUDIO_SECONDS), "-i", str(source), "-map", "0:a:0", "-vn",
        "-c:a", "aac", "-b:a", "96k", "-movflags", "+faststart", "-map_metadata", "-1", str(target),
    ]  # fmt: skip


async def transcode_video(
    ffmpeg: PinnedFfmpeg, store: MediaStore, source: Path, *, time_limit: float
) -> Processed:
    info = await _probe(ffmpeg, source)
    size = info.display_size
    if size is not None and size[0] * size[1] > MAX_VIDEO_PIXELS:
        raise MediaRejected(f"the video picture is too large to open safely ({size[0]}×{size[1]})")
    if info.video_codec is None or size is None:
        if info.audio_codec is not None:
            return await transcode_audio(ffmpeg, store, source, time_limit=time_limit)
        raise MediaRejected("the video has no picture or sound ffmpeg can read")
    return await in_workroom(
        store, lambda room: _video(ffmpeg, room, source, info, size, time_limit)
    )


async def _video(
    ffmpeg: PinnedFfmpeg, room: MediaStore, source: Path, info: MediaInfo,
    size: tuple[int, int], time_limit: float,
) -> Processed:  # fmt: skip
    processed = Processed(details=_video_details(info))
    width, height = fit(*size, LONG_SIDE, SHORT_SIDE)
    duration = _capped(info.duration, MAX_VIDEO_SECONDS)
    try:
        web = room.temporary("mp4")
        processed.renditions.append(
            Rendition("web", web, "video/mp4", "mp4", width, height, duration=duration)
        )
        arguments = video_arguments(source, web, (width, height), info.audio_codec is not None)
        await ffmpeg.run(arguments, time_limit=time_limit)
        processed.renditions.append(await _poster(ffmpeg, room, source, info, size))
    except FfmpegError as exc:
        raise MediaRejected(f"the video could not be converted: {exc.reason}") from exc
    still = fit(*size, POSTER_LONG_SIDE, POSTER_LONG_SIDE)
    found = await keyframes(
        ffmpeg, room, source, still, limit=MAX_VIDEO_SECONDS, time_limit=time_limit
    )
    processed.renditions.extend(found.renditions)
    processed.details.update(found.details())
    return processed


async def transcode_audio(
    ffmpeg: PinnedFfmpeg, store: MediaStore, source: Path, *, time_limit: float
) -> Processed:
    info = await _probe(ffmpeg, source)
    if info.audio_codec is None:
        raise MediaRejected("the file has no sound ffmpeg can read")
    return await in_workroom(store, lambda room: _audio(ffmpeg, room, source, info, time_limit))


async def _audio(
    ffmpeg: PinnedFfmpeg, room: MediaStore, source: Path, info: MediaInfo, time_limit: float
) -> Processed:
    target = room.temporary("m4a")
    duration = _capped(info.duration, MAX_AUDIO_SECONDS)
    try:
        await ffmpeg.run(audio_arguments(source, target), time_limit=time_limit)
    except FfmpegError as exc:
        raise MediaRejected(f"the audio could not be converted: {exc.reason}") from exc
    return Processed(
        renditions=[Rendition("audio", target, "audio/mp4", "m4a", duration=duration)],
        details={"duration": info.duration, "audio_codec": info.audio_codec},
    )


async def _poster(
    ffmpeg: PinnedFfmpeg, store: MediaStore, source: Path, info: MediaInfo, size: tuple[int, int]
) -> Rendition:
    at = min(1.0, (info.duration or 0) / 2)
    width, height = fit(*size, POSTER_LONG_SIDE, POSTER_LONG_SIDE)
    target = store.temporary("jpg")
    await ffmpeg.run(
        ["-ss", f"{at:.2f}", "-i", str(source), "-frames:v", "1",
         "-vf", f"scale={width}:{height}", "-q:v", "3", "-map_metadata", "-1", str(target)],
        time_limit=60,
    )  # fmt: skip
    return Rendition("poster", target, "image/jpeg", "jpg", width, height)


def _require_pinned(ffmpeg: PinnedFfmpeg) -> None:
    # mypy holds typed callers to it; this holds everyone else (a bench, a shell session).
    if not isinstance(ffmpeg, PinnedFfmpeg):
        raise TypeError("reader media is read only by a pinned ffmpeg: Ffmpeg.pinned(mime)")


async def _probe(ffmpeg: PinnedFfmpeg, source: Path) -> MediaInfo:
    _require_pinned(ffmpeg)
    try:
        return await ffmpeg.probe(source)
    except FfmpegError as exc:
        raise MediaRejected(f"the video or audio is damaged or unknown: {exc.reason}") from exc


def _video_details(info: MediaInfo) -> dict[str, object]:
    size = info.display_size
    return {
        "duration": info.duration,
        "video_codec": info.video_codec,
        "audio_codec": info.audio_codec,
        "width": size[0] if size else None,
        "height": size[1] if size else None,
        "rotation": info.rotation,
        "cut_to_seconds": MAX_VIDEO_SECONDS if (info.duration or 0) > MAX_VIDEO_SECONDS else None,
        **capture_details(info.tags),
    }


def _capped(duration: float | None, limit: float) -> float | None:
    return None if duration is None else min(duration, limit)
