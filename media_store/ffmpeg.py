"""Running ffmpeg: finding a binary, a hard time limit on every run, and probing without ffprobe.

A system ffmpeg (with ffprobe) is preferred when present; otherwise the static binary from the
`imageio-ffmpeg` wheel, which has libx264, aac and libopus but no ffprobe, so files are probed by
reading what `ffmpeg -i` prints. ffmpeg runs as a subprocess, so the event loop never waits on it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shutil
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from media_store.capture_facts import MAX_TAG, container_tags
from media_store.demuxers import input_options


class FfmpegError(RuntimeError):
    """ffmpeg failed or ran out of time; `reason` is fit to show an editor."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class MediaInfo:
    duration: float | None
    video_codec: str | None = None
    width: int | None = None
    height: int | None = None
    rotation: int = 0
    audio_codec: str | None = None
    container: str | None = None
    # The container's own metadata tags (creation_time, location, make…): capture_facts.py.
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def display_size(self) -> tuple[int, int] | None:
        """Width and height as shown, after rotation (portrait phones store landscape frames)."""
        if self.width is None or self.height is None:
            return None
        if abs(self.rotation) % 180 == 90:
            return self.height, self.width
        return self.width, self.height


@dataclass(frozen=True)
class Ffmpeg:
    binary: str
    probe_binary: str | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    # Placed before the one `-i` of every run: options before `-i` apply to that input.
    input_options: tuple[str, ...] = ()

    @classmethod
    def locate(cls) -> Ffmpeg:
        system, probe = shutil.which("ffmpeg"), shutil.which("ffprobe")
        if system and probe:
            return cls(binary=system, probe_binary=probe)
        import imageio_ffmpeg

        return cls(binary=imageio_ffmpeg.get_ffmpeg_exe())

    def pinned(self, mime: str) -> PinnedFfmpeg:
        """This ffmpeg with its input pinned to the demuxer for `mime` (media_store/demuxers)."""
        return PinnedFfmpeg(self.binary, self.probe_binary, self.extra_env, input_options(mime))

    async def run(self, arguments: list[str], *, time_limit: float) -> str:
        """Run ffmpeg; its stderr on success, FfmpegError on failure or when out of time."""
        command = [self.binary, "-hide_banner", "-nostdin", "-y", *self.input_options, *arguments]
        return await _run(command, time_limit=time_limit, ok_codes=(0,))

    async def probe(self, path: Path, *, time_limit: float = 30) -> MediaInfo:
        if self.probe_binary:
            return await self._ffprobe(path, time_limit)
        # `ffmpeg -i` without an output exits non-zero by design; its stderr describes the input.
        text = await _run(
            [self.binary, "-hide_banner", "-nostdin", *self.input_options, "-i", str(path)],
            time_limit=time_limit,
            ok_codes=None,
        )
        if "Invalid data found" in text or "Stream #" not in text:
            raise FfmpegError("ffmpeg cannot read it as video or audio (damaged or unknown)")
        return parse_probe(text)

    async def _ffprobe(self, path: Path, time_limit: float) -> MediaInfo:
        command = [
            self.probe_binary or "ffprobe",
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_format",
            "-show_streams",
            *self.input_options,
            str(path),
        ]
        output = await _run(command, time_limit=time_limit, ok_codes=(0,), want_stdout=True)
        data: dict[str, Any] = json.loads(output or "{}")
        streams: list[dict[str, Any]] = data.get("streams", [])
        video = next((s for s in streams if s.get("codec_type") == "video"), {})
        audio = next((s for s in streams if s.get("codec_type") == "audio"), {})
        rotation = 0
        for side in video.get("side_data_list", []):
            if "rotation" in side:
                rotation = int(float(side["rotation"]))
        duration = data.get("format", {}).get("duration")
        return MediaInfo(
            duration=float(duration) if duration else None,
            video_codec=video.get("codec_name"),
            width=video.get("width"),
            height=video.get("height"),
            rotation=rotation,
            audio_codec=audio.get("codec_name"),
            container=data.get("format", {}).get("format_name"),
            tags={
                str(name): str(value)[:MAX_TAG]
                for name, value in (data.get("format", {}).get("tags") or {}).items()
            },
        )


@dataclass(frozen=True)
class PinnedFfmpeg(Ffmpeg):
    """An ffmpeg that may open only the one demuxer, and only local files: the only kind the
    pipelines that read reader media accept (media_store/video.py), checked by mypy and at
    run time."""

    def __post_init__(self) -> None:
        if "-protocol_whitelist" not in self.input_options or "-f" not in self.input_options:
            raise ValueError("a pinned ffmpeg needs its input options from Ffmpeg.pinned")


_DURATION = re.compile(r"Duration: (\d+):(\d{2}):(\d{2}(?:\.\d+)?)")
_VIDEO = re.compile(r"Stream #\d+:\d+.*?: Video: (\w+).*?, (\d{2,5})x(\d{2,5})")
_AUDIO = re.compile(r"Stream #\d+:\d+.*?: Audio: (\w+)")
_ROTATION = re.compile(r"rotation of (-?\d+(?:\.\d+)?) degrees", re.IGNORECASE)
_INPUT = re.compile(r"Input #0, ([\w,]+), from")


def parse_probe(text: str) -> MediaInfo:
    """What `ffmpeg -i` says about the first video and audio stream of its input."""
    duration = None
    if match := _DURATION.search(text):
        hours, minutes, seconds = match.groups()
        duration = int(hours) * 3600 + int(minutes) * 60 + float(seconds)
    video, audio = _VIDEO.search(text), _AUDIO.search(text)
    rotation = _ROTATION.search(text)
    container = _INPUT.search(text)
    return MediaInfo(
        duration=duration,
        video_codec=video.group(1) if video else None,
        width=int(video.group(2)) if video else None,
        height=int(video.group(3)) if video else None,
        rotation=int(float(rotation.group(1))) if rotation else 0,
        audio_codec=audio.group(1) if audio else None,
        container=container.group(1) if container else None,
        tags=container_tags(text),
    )


async def _run(
    command: list[str],
    *,
    time_limit: float,
    ok_codes: tuple[int, ...] | None,
    want_stdout: bool = False,
) -> str:
    # Through the darkroom child: hard limits set in the child, its own process group.
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "media_store.darkroom_child",
        "exec",
        *command,
        start_new_session=True,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE if want_stdout else asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), time_limit)
    except TimeoutError:
        _kill(process.pid)
        with contextlib.suppress(ProcessLookupError):
            await process.wait()
        raise FfmpegError(f"ffmpeg took longer than {time_limit:.0f} s and was stopped") from None
    except asyncio.CancelledError:
        _kill(process.pid)
        raise
    text = (stdout if want_stdout else stderr).decode("utf-8", errors="replace")
    if ok_codes is not None and process.returncode not in ok_codes:
        raise FfmpegError(f"ffmpeg failed: {_last_line(stderr.decode('utf-8', errors='replace'))}")
    return text


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1][:300] if lines else "no output"
