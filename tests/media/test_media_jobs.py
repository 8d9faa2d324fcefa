"""Fetch and transcode jobs against the fake Graph API on a real port, with real ffmpeg."""

from __future__ import annotations

import base64
import hashlib
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image

from tests.media.conftest import Desk
from tests.media_store import clips, hostile
from tipdesk.desk import desk_worker
from tipdesk.jobs.models import Job
from tipdesk.media.fetch import checksum_matches
from tipdesk.media.queries import also_sent_by
from tipdesk.media.states import media_store
from tipdesk.tips.models import (
    MediaAsset,
    MediaKind,
    MediaState,
    Message,
    Tip,
)

pytestmark = pytest.mark.usefixtures("db")
TOKEN = "media-test-token"
NUMBER = "104567890123456"


async def sender_of(asset: MediaAsset) -> int:
    return (await asset.tip).sender_id


async def refreshed(asset: MediaAsset) -> MediaAsset:
    return await MediaAsset.get(id=asset.id).prefetch_related("variants")


def variants(asset: MediaAsset) -> dict[str, str]:
    return {v.name: v.mime for v in asset.variants}


async def test_photo_is_fetched_kept_untouched_and_made_ready(desk: Desk, tmp_path: Path) -> None:
    data = clips.exif_jpeg(tmp_path / "p.jpg").read_bytes()
    asset = await desk.asset(data, "image/jpeg", MediaKind.IMAGE)
    await desk.settle()
    asset = await refreshed(asset)
    assert asset.state is MediaState.READY, asset.error
    assert variants(asset) == {"web": "image/jpeg", "thumb": "image/jpeg"}
    original = media_store(desk.settings).original(str(asset.sha256))
    assert original.read_bytes() == data
    assert stat.S_IMODE(original.stat().st_mode) == 0o400, "read-only, for the desk alone"
    assert asset.sha256 == hashlib.sha256(data).hexdigest()
    assert asset.detected_mime == "image/jpeg" and asset.size == len(data)
    assert asset.details["camera"] == "Fairphone FP5"
    web = media_store(desk.settings).resolve_stored(
        next(v.path for v in asset.variants if v.name == "web")
    )
    with Image.open(web) as picture:
        assert picture.size == (200, 400) and len(picture.getexif()) == 0


async def test_video_voice_note_and_pdf_become_ready(desk: Desk, tmp_path: Path) -> None:
    video = await desk.asset(
        clips.video(tmp_path / "v.mp4").read_bytes(), "video/mp4", MediaKind.VIDEO
    )
    voice = await desk.asset(
        clips.voice_note(tmp_path / "v.ogg").read_bytes(), "audio/ogg; codecs=opus", MediaKind.VOICE
    )
    letter = await desk.asset(
        clips.pdf(tmp_path / "l.pdf").read_bytes(), "application/pdf", MediaKind.DOCUMENT
    )
    await desk.settle()
    video, voice, letter = [await refreshed(a) for a in (video, voice, letter)]
    assert (video.state, variants(video)) == (
        MediaState.READY,
        {"web": "video/mp4", "poster": "image/jpeg", "keyframe_01": "image/jpeg"},
    )
    assert (voice.state, variants(voice)) == (MediaState.READY, {"audio": "audio/mp4"})
    assert (letter.state, variants(letter)) == (MediaState.READY, {"thumb": "image/jpeg"})
    assert letter.details["pages"] == 2
    assert video.details["video_codec"] == "h264"


async def test_the_same_file_from_two_readers_is_stored_once(desk: Desk, tmp_path: Path) -> None:
    data = clips.png(tmp_path / "same.png").read_bytes()
    first = await desk.asset(data, "image/png", MediaKind.IMAGE, sender="31600000001")
    second = await desk.asset(data, "image/png", MediaKind.IMAGE, sender="31600000002")
    await desk.settle()
    first, second = await refreshed(first), await refreshed(second)
    assert first.sha256 == second.sha256
    assert await also_sent_by(first, await sender_of(first)) == 1
    assert await also_sent_by(second, await sender_of(second)) == 1
    third = await desk.asset(data, "image/png", MediaKind.IMAGE, sender="31600000002")
    await desk.settle()
    third = await refreshed(third)
    assert await also_sent_by(third, await sender_of(third)) == 1  # a reader twice counts once
    assert first.state is second.state is MediaState.READY
    originals = list((media_store(desk.settings).root / "originals").rglob("*"))
    assert len([p for p in originals if p.is_file()]) == 1


@pytest.mark.parametrize("fault", ["gone_once", "expired_once", "reset_once"])
async def test_passing_faults_are_retried_until_the_file_arrives(
    desk: Desk, tmp_path: Path, fault: str
) -> None:
    asset = await desk.asset(
        clips.png(tmp_path / "f.png").read_bytes(), "image/png", MediaKind.IMAGE, faults=[fault]
    )
    await desk.settle()
    asset = await refreshed(asset)
    assert asset.state is MediaState.READY, asset.error
    job = await Job.get(kind="media.fetch")
    assert job.attempts == 2


async def test_slow_drip_completes_without_holding_up_other_media(
    desk: Desk, tmp_path: Path
) -> None:
    slow = await desk.asset(
        b"%PDF-1.4\n" + b"x" * 60, "application/pdf", MediaKind.DOCUMENT, faults=["slow"]
    )
    quick = await desk.asset(
        clips.png(tmp_path / "q.png").read_bytes(), "image/png", MediaKind.IMAGE
    )
    await desk.settle()
    assert (await refreshed(slow)).state is MediaState.READY
    assert (await refreshed(quick)).state is MediaState.READY


async def test_refused_token_is_shown_then_fails_after_the_last_attempt(
    desk: Desk, tmp_path: Path
) -> None:
    asset = await desk.asset(
        clips.png(tmp_path / "a.png").read_bytes(),
        "image/png",
        MediaKind.IMAGE,
        faults=["unauthorized"],
    )
    worker = desk_worker(desk.settings)
    await worker.drain()
    waiting = await refreshed(asset)
    assert waiting.state is MediaState.PENDING
    assert "TIPDESK_WHATSAPP_ACCESS_TOKEN" in str(waiting.error)
    await desk.settle()
    failed = await refreshed(asset)
    assert failed.state is MediaState.FAILED
    assert "access token (401)" in str(failed.error) and "gave up after 4 attempts" in str(
        failed.error
    )


async def test_checksum_mismatch_fails_after_three_tries(desk: Desk, tmp_path: Path) -> None:
    asset = await desk.asset(
        clips.png(tmp_path / "c.png").read_bytes(),
        "image/png",
        MediaKind.IMAGE,
        faults=["bad_checksum"],
        declare_checksum=False,
    )
    await desk.settle()
    failed = await refreshed(asset)
    assert failed.state is MediaState.FAILED
    assert "checksum" in str(failed.error)
    assert (await Job.get(kind="media.fetch")).attempts == 3


async def test_media_older_than_seven_days_is_given_up_at_once(desk: Desk, tmp_path: Path) -> None:
    asset = await desk.asset(
        clips.png(tmp_path / "o.png").read_bytes(),
        "image/png",
        MediaKind.IMAGE,
        faults=["gone_once"],
        age=timedelta(days=8),
    )
    await desk.settle()
    failed = await refreshed(asset)
    assert failed.state is MediaState.FAILED
    assert "7 days" in str(failed.error)


@pytest.mark.parametrize(
    ("content", "mime", "kind", "reason"),
    [
        (b"", "image/jpeg", MediaKind.IMAGE, "not a photo"),
        (
            b"<!doctype html><html><script>alert(1)</script></html>",
            "image/jpeg",
            MediaKind.IMAGE,
            "not a photo",
        ),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 3000, "video/mp4", MediaKind.VIDEO, "damaged"),
        ("bomb", "image/png", MediaKind.IMAGE, "too large to open safely"),
        ("truncated", "video/mp4", MediaKind.VIDEO, "video"),
        ("xobjects", "application/pdf", MediaKind.DOCUMENT, "could not be opened safely"),
    ],
)
async def test_hostile_media_fails_with_a_reason_and_leaves_the_tip_alone(
    desk: Desk, tmp_path: Path, content: bytes | str, mime: str, kind: MediaKind, reason: str
) -> None:
    if content == "bomb":
        content = clips.png_bomb(tmp_path / "bomb.png").read_bytes()
    elif content == "xobjects":  # grew a desk to 23 GB; now it costs the darkroom child
        content = hostile.nested_xobject_pdf(tmp_path / "x.pdf").read_bytes()
    elif content == "truncated":
        whole = clips.video(tmp_path / "w.mp4").read_bytes()
        content = whole[: len(whole) // 3]
    assert isinstance(content, bytes)
    good = await desk.asset(
        clips.png(tmp_path / "g.png").read_bytes(), "image/png", MediaKind.IMAGE
    )
    bad = await desk.asset(content, mime, kind)
    await Message.filter(id=(await refreshed(bad)).message_id).update(tip_id=good.tip_id)  # type: ignore[attr-defined]
    await desk.settle()
    bad, good = await refreshed(bad), await refreshed(good)
    assert bad.state is MediaState.FAILED
    assert reason in str(bad.error)
    assert good.state is MediaState.READY
    assert await Tip.filter(id=good.tip_id).exists()  # type: ignore[attr-defined]


async def test_a_jpeg_declared_as_video_is_handled_as_the_jpeg_it_is(
    desk: Desk, tmp_path: Path
) -> None:
    asset = await desk.asset(
        clips.exif_jpeg(tmp_path / "x.jpg").read_bytes(), "video/mp4", MediaKind.VIDEO
    )
    await desk.settle()
    ready = await refreshed(asset)
    assert (ready.state, ready.detected_mime, ready.declared_mime) == (
        MediaState.READY,
        "image/jpeg",
        "video/mp4",
    )
    assert variants(ready) == {"web": "image/jpeg", "thumb": "image/jpeg"}


async def test_a_download_that_never_ends_is_capped_at_100_mb(desk: Desk) -> None:
    asset = await desk.asset(b"\x00", "video/mp4", MediaKind.VIDEO, faults=["endless"])
    await desk.settle()
    failed = await refreshed(asset)
    assert failed.state is MediaState.FAILED
    assert "too large" in str(failed.error)


def test_checksums_in_base64_or_hex() -> None:
    digest = hashlib.sha256(b"tip").digest()
    assert checksum_matches(digest.hex(), base64.b64encode(digest).decode())
    assert checksum_matches(digest.hex(), digest.hex().upper())
    assert not checksum_matches(digest.hex(), "not base64 at all!")
    assert not checksum_matches(digest.hex(), base64.b64encode(b"other").decode())
