"""Which ffmpeg demuxer may open a file, from what the bytes were sniffed as.

ffmpeg guesses the container from the content when not told, and some containers are
playlists (HLS, DASH, concat) that open other files or URLs. Every run is therefore pinned to
the one demuxer the sniffed type calls for (`-f`), may read only the local file
(`-protocol_whitelist file,pipe`) and may open no other demuxer (`-format_whitelist`).
"""

from __future__ import annotations

from media_store.renditions import MediaRejected

DEMUXERS = {
    "video/mp4": "mov", "video/quicktime": "mov", "video/3gpp": "mov", "audio/mp4": "mov",
    "video/webm": "matroska", "video/x-matroska": "matroska", "video/x-msvideo": "avi",
    "audio/ogg": "ogg", "audio/mpeg": "mp3", "audio/wav": "wav", "audio/aac": "aac",
    "audio/amr": "amr", "audio/flac": "flac",
}  # fmt: skip


def input_options(mime: str) -> tuple[str, ...]:
    """ffmpeg/ffprobe input options that pin the demuxer for `mime`; refuses unknown types."""
    demuxer = DEMUXERS.get(mime)
    if demuxer is None:
        raise MediaRejected("the file is not a kind of video or audio the desk can read")
    return (
        "-f", demuxer, "-protocol_whitelist", "file,pipe", "-format_whitelist", demuxer,
    )  # fmt: skip
