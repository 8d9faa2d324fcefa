"""Videos for the verification aids, made with the real ffmpeg's lavfi sources: a clip with
scene cuts, and a phone clip with QuickTime's capture time, place and device."""

from __future__ import annotations

from pathlib import Path

from tests.media_store.clips import ffmpeg

# Three shots: a moving test card, colour bars, a plain orange field.
SHOTS = (
    "testsrc=size=320x240:rate=25",
    "smptebars=size=320x240:rate=25",
    "color=c=orange:size=320x240:rate=25",
)


def scene_cuts(path: Path, seconds_each: float = 4) -> Path:
    """Three different shots cut together: three keyframes, at 0, 4 and 8 s."""
    inputs = [arg for shot in SHOTS for arg in ("-f", "lavfi", "-t", str(seconds_each), "-i", shot)]
    ffmpeg(
        *inputs,
        "-filter_complex", "[0:v][1:v][2:v]concat=n=3:v=1:a=0,format=yuv420p[v]",
        "-map", "[v]", "-c:v", "libx264", "-preset", "ultrafast", str(path),
    )  # fmt: skip
    return path


def still_video(path: Path, seconds: float = 5) -> Path:
    """One shot without a cut: one keyframe, the first frame."""
    ffmpeg(
        "-f", "lavfi", "-i", f"color=c=navy:size=320x240:rate=25:duration={seconds}",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path),
    )  # fmt: skip
    return path


def quicktime_phone_clip(path: Path, taken: str = "2026-11-20T18:45:03.000000Z") -> Path:
    """A .mov as an iPhone writes it: creation time, ISO 6709 place, make and model."""
    ffmpeg(
        "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25:duration=2",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
        "-movflags", "use_metadata_tags",
        "-metadata", f"creation_time={taken}",
        "-metadata", "com.apple.quicktime.location.ISO6709=+52.0907+005.1214+003.000/",
        "-metadata", "com.apple.quicktime.make=Apple",
        "-metadata", "com.apple.quicktime.model=iPhone 15",
        str(path),
    )  # fmt: skip
    return path
