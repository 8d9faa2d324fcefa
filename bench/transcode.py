"""Tipdesk's video and voice-note pipelines against the bare ffmpeg command line with the same
arguments on the same clips; the realtime factor on a 30 s 1080p clip; and the worker's Python
memory while fetching files of growing size (it should stay flat: downloads stream to disk).

    .venv/bin/python bench/transcode.py
"""

from __future__ import annotations

import asyncio
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT))

from media_store.ffmpeg import Ffmpeg
from media_store.paths import MediaStore
from media_store.video import (
    audio_arguments,
    fit,
    transcode_audio,
    transcode_video,
    video_arguments,
)

RUNS = 3


def make_clips(ffmpeg: Ffmpeg, folder: Path) -> tuple[Path, Path]:
    video, voice = folder / "1080p.mp4", folder / "voice.ogg"
    base = [ffmpeg.binary, "-hide_banner", "-loglevel", "error", "-y"]
    subprocess.run(
        [
            *base,
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=1920x1080:rate=30:duration=30",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:duration=30",
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-shortest",
            str(video),
        ],
        check=True,
    )
    subprocess.run(
        [
            *base,
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=220:duration=120:sample_rate=48000",
            "-c:a",
            "libopus",
            "-ac",
            "1",
            "-b:a",
            "24k",
            str(voice),
        ],
        check=True,
    )
    return video, voice


def bare(ffmpeg: Ffmpeg, arguments: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        [ffmpeg.binary, "-hide_banner", "-nostdin", "-y", *arguments],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


async def timed(coroutine_factory) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    processed = await coroutine_factory()
    elapsed = time.perf_counter() - start
    processed.discard()
    return elapsed


async def compare(ffmpeg: Ffmpeg, store: MediaStore, video: Path, voice: Path, out: Path) -> None:
    size = fit(1920, 1080, 1280, 720)
    poster = [
        "-ss",
        "1.00",
        "-i",
        str(video),
        "-frames:v",
        "1",
        "-vf",
        "scale=1280:720",
        "-q:v",
        "3",
        "-map_metadata",
        "-1",
        str(out / "poster.jpg"),
    ]
    # Ours is pinned and limited (darkroom_child exec), as the transcode job runs it.
    pinned_video, pinned_voice = ffmpeg.pinned("video/mp4"), ffmpeg.pinned("audio/ogg")
    bare_video = [
        bare(ffmpeg, video_arguments(video, out / "web.mp4", size, True)) + bare(ffmpeg, poster)
        for _ in range(RUNS)
    ]
    ours_video = [
        await timed(lambda: transcode_video(pinned_video, store, video, time_limit=900))
        for _ in range(RUNS)
    ]
    bare_voice = [bare(ffmpeg, audio_arguments(voice, out / "voice.m4a")) for _ in range(RUNS)]
    ours_voice = [
        await timed(lambda: transcode_audio(pinned_voice, store, voice, time_limit=900))
        for _ in range(RUNS)
    ]
    for name, theirs, ours, seconds in (
        ("video 30 s 1080p → 720p", bare_video, ours_video, 30),
        ("voice note 120 s opus → m4a", bare_voice, ours_voice, 120),
    ):
        t, o = statistics.median(theirs), statistics.median(ours)
        print(
            f"  {name:<28} bare ffmpeg {t:6.2f} s   Tipdesk {o:6.2f} s   ratio {o / t:5.2f}"
            f"   realtime ×{seconds / o:5.1f}"
        )


async def fetch_memory(folder: Path) -> None:
    """Peak Python memory of a fetch as the file grows: streaming keeps it flat. The fake Graph
    API runs in its own process so that only the fetching side is measured."""
    import httpx

    from tests.servers import free_port
    from tipdesk.settings import Settings
    from tipdesk.whatsapp.cloud import GraphClient

    port = free_port()
    env = {
        "TIPDESK_DATA_DIR": str(folder),
        "TIPDESK_SECRET_KEY": secrets.token_urlsafe(32),
        "PATH": "/usr/bin:/bin",
    }
    fake = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tipdesk",
            "fake-graph",
            "--port",
            str(port),
            "--access-token",
            "t",
            "--phone-number-id",
            "1",
            "--app-secret",
            "s",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(timeout=60) as http:
            for _ in range(100):
                try:
                    await http.get(f"{base}/_fake/stats")
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
            settings = Settings.from_env(
                {
                    **env,
                    "TIPDESK_GRAPH_API_URL": f"{base}/v23.0",
                    "TIPDESK_WHATSAPP_ACCESS_TOKEN": "t",
                    "TIPDESK_WHATSAPP_PHONE_NUMBER_ID": "1",
                    "TIPDESK_WHATSAPP_APP_SECRET": "s",
                    "TIPDESK_WHATSAPP_VERIFY_TOKEN": "v",
                },
                env_file=None,
            )
            client = GraphClient(settings)
            for megabytes in (4, 32, 96):
                body = b"\x00" * (megabytes * 1024 * 1024)
                media_id = (await http.post(f"{base}/_fake/media", content=body)).json()["id"]
                del body
                location = await client.locate_media(media_id)
                tracemalloc.start()
                await client.download(location, folder / "download.bin", 100 * 1024 * 1024)
                _, peak = tracemalloc.get_traced_memory()
                tracemalloc.stop()
                print(
                    f"  fetch {megabytes:3d} MB: peak Python allocations while fetching"
                    f" {peak / 1024 / 1024:5.2f} MB"
                )
            await client.aclose()
    finally:
        fake.terminate()
        fake.wait(timeout=10)


async def darkroom(store: MediaStore, folder: Path) -> None:
    """What the sandbox costs: the same photo/PDF work in a thread of this process (the old
    path) against the darkroom's limited child, and pinned+limited ffmpeg against plain."""
    from media_store.darkroom import develop
    from media_store.documents import process_pdf
    from media_store.images import process_image
    from tests.media_store import clips

    photo = clips.exif_jpeg(folder / "photo.jpg")
    big = clips.png(folder / "big.png", size=(4000, 3000))
    letter = clips.pdf(folder / "letter.pdf", pages=3)
    for name, kind, source, blocking in (
        ("photo (small JPEG)", "image", photo, process_image),
        ("photo 12 MP PNG", "image", big, process_image),
        ("PDF 3 pages", "pdf", letter, process_pdf),
    ):
        threaded = [
            await timed(lambda b=blocking, f=source: asyncio.to_thread(b, store, f))
            for _ in range(RUNS)
        ]
        child = [await timed(lambda k=kind, f=source: develop(k, store, f)) for _ in range(RUNS)]
        t, c = statistics.median(threaded), statistics.median(child)
        print(f"  {name:<28} in-thread {t:6.3f} s   darkroom {c:6.3f} s   ratio {c / t:5.2f}")


async def main() -> None:
    ffmpeg = Ffmpeg.locate()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        video, voice = make_clips(ffmpeg, folder)
        print(f"transcode: {ffmpeg.binary.split('/')[-1]}, median of {RUNS} runs")
        if sys.argv[1:] == ["darkroom"]:
            await darkroom(MediaStore(folder / "media"), folder)
            return
        await compare(ffmpeg, MediaStore(folder / "media"), video, voice, folder)
        await darkroom(MediaStore(folder / "media"), folder)
        await fetch_memory(folder)


if __name__ == "__main__":
    asyncio.run(main())
