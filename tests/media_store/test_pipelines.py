"""The transcoding pipelines on real clips, checked by probing what they made."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from PIL import Image

from media_store.documents import process_pdf
from media_store.ffmpeg import Ffmpeg, PinnedFfmpeg
from media_store.images import process_image
from media_store.paths import MediaStore
from media_store.renditions import MediaRejected, Processed
from media_store.video import fit, transcode_audio, transcode_video
from tests.media_store import clips

FFMPEG = Ffmpeg.locate()  # unpinned: only for probing what the pipelines made
MP4, OGG = FFMPEG.pinned("video/mp4"), FFMPEG.pinned("audio/ogg")


@pytest.fixture
def store(tmp_path: Path) -> MediaStore:
    return MediaStore(tmp_path / "media")


def by_name(processed: Processed) -> dict[str, Path]:
    return {r.name: r.path for r in processed.renditions}


def test_fit_keeps_aspect_and_orientation() -> None:
    assert fit(1920, 1080, 1280, 720) == (1280, 720)
    assert fit(1080, 1920, 1280, 720) == (720, 1280)
    assert fit(320, 240, 1280, 720) == (320, 240)
    assert fit(4000, 1000, 1280, 720) == (1280, 320)
    assert fit(333, 241, 1280, 720) == (332, 240)


async def test_landscape_video_becomes_faststart_h264_aac_with_poster(
    store: MediaStore, tmp_path: Path
) -> None:
    source = clips.video(tmp_path / "in.mp4", size="1920x1080", seconds=2)
    processed = await transcode_video(MP4, store, source, time_limit=120)
    files = by_name(processed)
    info = await FFMPEG.probe(files["web"])
    assert (info.video_codec, info.audio_codec) == ("h264", "aac")
    assert (info.width, info.height) == (1280, 720)
    assert clips.top_level_atoms(files["web"]).index("moov") < clips.top_level_atoms(
        files["web"]
    ).index("mdat")
    assert info.duration is not None and 1.8 < info.duration < 2.3
    with Image.open(files["poster"]) as poster:
        assert poster.size == (1280, 720)
    assert processed.details["video_codec"] == "h264"


async def test_portrait_phone_video_stays_portrait_and_loses_its_location(
    store: MediaStore, tmp_path: Path
) -> None:
    landscape = clips.video(tmp_path / "raw.mp4", size="640x360")
    source = clips.portrait_phone_video(tmp_path / "portrait.mp4", landscape)
    assert (await FFMPEG.probe(source)).rotation in (90, -90)
    processed = await transcode_video(MP4, store, source, time_limit=120)
    files = by_name(processed)
    info = await FFMPEG.probe(files["web"])
    assert (info.width, info.height, info.rotation) == (360, 640, 0)
    assert b"loci" in source.read_bytes()  # the phone's location atom
    assert b"loci" not in files["web"].read_bytes()
    with Image.open(files["poster"]) as poster:
        assert poster.height > poster.width


async def test_3gp_with_amr_from_an_old_phone(store: MediaStore, tmp_path: Path) -> None:
    source = clips.phone_3gp(tmp_path / "old.3gp")
    processed = await transcode_video(MP4, store, source, time_limit=120)
    info = await FFMPEG.probe(by_name(processed)["web"])
    assert (info.video_codec, info.audio_codec, info.width, info.height) == (
        "h264",
        "aac",
        176,
        144,
    )


@pytest.mark.skipif(not clips.has_encoder("libx265"), reason="this ffmpeg has no HEVC encoder")
async def test_hevc_video(store: MediaStore, tmp_path: Path) -> None:
    source = clips.video(tmp_path / "hevc.mp4", size="640x480", codec="libx265")
    assert (await FFMPEG.probe(source)).video_codec == "hevc"
    processed = await transcode_video(MP4, store, source, time_limit=180)
    assert (await FFMPEG.probe(by_name(processed)["web"])).video_codec == "h264"


@pytest.mark.parametrize(
    ("make", "name", "mime"),
    [(clips.voice_note, "voice.ogg", "audio/ogg"), (clips.amr_voice, "voice.amr", "audio/amr")],
)
async def test_voice_notes_become_aac_in_m4a(
    store: MediaStore, tmp_path: Path, make: object, name: str, mime: str
) -> None:
    source = make(tmp_path / name)  # type: ignore[operator]
    processed = await transcode_audio(FFMPEG.pinned(mime), store, source, time_limit=60)
    audio = by_name(processed)["audio"]
    info = await FFMPEG.probe(audio)
    assert (info.audio_codec, info.video_codec) == ("aac", None)
    assert clips.top_level_atoms(audio)[0] == "ftyp"
    assert processed.renditions[0].duration and processed.renditions[0].duration > 1.5


async def test_a_video_without_picture_is_treated_as_audio(
    store: MediaStore, tmp_path: Path
) -> None:
    processed = await transcode_video(
        OGG, store, clips.voice_note(tmp_path / "v.ogg"), time_limit=60
    )
    assert [r.name for r in processed.renditions] == ["audio"]


def test_exif_photo_is_turned_upright_and_stripped_but_its_facts_are_kept(
    store: MediaStore, tmp_path: Path
) -> None:
    processed = process_image(store, clips.exif_jpeg(tmp_path / "photo.jpg"))
    files = by_name(processed)
    with Image.open(files["web"]) as web:
        assert web.size == (200, 400)
        assert len(web.getexif()) == 0
        assert web.getpixel((100, 10))[2] > 150  # the blue band is now on top
    with Image.open(files["thumb"]) as thumb:
        assert max(thumb.size) == 320
        assert len(thumb.getexif()) == 0
    assert processed.details["camera"] == "Fairphone FP5"
    assert processed.details["taken_at"] == "2026:11:23 14:31:07"
    gps = processed.details["gps"]
    assert isinstance(gps, dict)
    assert abs(gps["latitude"] - 52.3731) < 0.001 and abs(gps["longitude"] - 4.8922) < 0.001


def test_large_png_with_transparency_is_flattened_and_capped(
    store: MediaStore, tmp_path: Path
) -> None:
    processed = process_image(store, clips.png(tmp_path / "big.png", size=(4000, 3000)))
    with Image.open(by_name(processed)["web"]) as web:
        assert web.size == (2048, 1536)
        assert web.mode == "RGB"


def test_webp_sticker(store: MediaStore, tmp_path: Path) -> None:
    processed = process_image(store, clips.webp_sticker(tmp_path / "sticker.webp"))
    assert sorted(by_name(processed)) == ["thumb", "web"]


def test_pdf_gets_page_count_and_first_page_thumbnail(store: MediaStore, tmp_path: Path) -> None:
    processed = process_pdf(store, clips.pdf(tmp_path / "letter.pdf", pages=3))
    assert processed.details["pages"] == 3
    with Image.open(by_name(processed)["thumb"]) as thumb:
        assert max(thumb.size) == 320 and thumb.height > thumb.width


def test_decompression_bomb_is_refused_without_decoding(store: MediaStore, tmp_path: Path) -> None:
    with pytest.raises(MediaRejected, match="too large"):
        process_image(store, clips.png_bomb(tmp_path / "bomb.png"))


@pytest.mark.parametrize(
    "content", [b"", b"<html><body>not a photo</body></html>", b"\xff\xd8\xff\xe0" + b"\x00" * 50]
)
def test_broken_pictures_are_rejected_with_a_reason(
    store: MediaStore, tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "broken.jpg"
    path.write_bytes(content)
    with pytest.raises(MediaRejected):
        process_image(store, path)


async def test_truncated_and_empty_videos_are_rejected(store: MediaStore, tmp_path: Path) -> None:
    whole = clips.video(tmp_path / "whole.mp4").read_bytes()
    for name, content in (
        ("empty.mp4", b""),
        ("half.mp4", whole[: len(whole) // 3]),
        ("jpeg.mp4", b"\xff\xd8\xff" + b"\x01" * 2000),
    ):
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(MediaRejected):
            await transcode_video(MP4, store, path, time_limit=60)
    assert list((store.root / "tmp").iterdir()) == [] if (store.root / "tmp").exists() else True


@pytest.mark.parametrize("run", [transcode_video, transcode_audio])
async def test_an_unpinned_ffmpeg_is_refused(
    store: MediaStore, tmp_path: Path, run: object
) -> None:
    source = clips.video(tmp_path / "in.mp4")
    with pytest.raises(TypeError, match="pinned ffmpeg"):
        await run(FFMPEG, store, source, time_limit=60)  # type: ignore[operator]
    with pytest.raises(ValueError, match=r"Ffmpeg\.pinned"):
        PinnedFfmpeg(FFMPEG.binary)


async def test_ten_hours_declared_is_capped_and_quick(store: MediaStore, tmp_path: Path) -> None:
    source = clips.ten_hour_video(tmp_path / "long.mp4")
    assert (await FFMPEG.probe(source)).duration > 30_000  # type: ignore[operator]
    processed = await asyncio.wait_for(transcode_video(MP4, store, source, time_limit=60), 90)
    assert processed.details["cut_to_seconds"] == 1800
    web = next(r for r in processed.renditions if r.name == "web")
    assert web.duration == 1800
    assert web.path.stat().st_size < 200_000  # no ten hours of frames were made


async def test_the_time_limit_stops_ffmpeg(store: MediaStore, tmp_path: Path) -> None:
    source = clips.video(tmp_path / "in.mp4", size="1920x1080", seconds=4)
    with pytest.raises(MediaRejected, match="took longer than"):
        await transcode_video(MP4, store, source, time_limit=0.05)
    assert list((store.root / "tmp").iterdir()) == []
