"""Verification aids on the tip page, over HTTP, after the real fetch and transcode jobs:
"lijkt op" across readers with the distance, keyframes to download, capture facts in the
desk's time zone with a map link and warnings, and forwarded media marked beside them."""

from __future__ import annotations

import io
import re
from pathlib import Path

import httpx
import pytest
from PIL import Image

from tests.cli import tipdesk
from tests.editorial_ui.sessions import PASSWORD, log_in_as
from tests.media.conftest import Desk
from tests.media_store import verification_clips
from tests.media_store.clips import ffmpeg
from tests.media_store.street_scenes import Shot, captioned, halved, jpeg, photo
from tipdesk.editors.accounts import create_editor
from tipdesk.editors.models import Role
from tipdesk.media.models import MediaLikeness
from tipdesk.tips.models import MediaAsset, MediaKind, MediaState, Message

pytestmark = pytest.mark.usefixtures("app")


@pytest.fixture
async def editor(client: httpx.AsyncClient) -> httpx.AsyncClient:
    await create_editor("anne@desk.example", "Anne de Jong", Role.EDITOR, PASSWORD)
    await log_in_as(client, "anne@desk.example")
    return client


def jpeg_bytes(picture: Image.Image, quality: int = 90, exif: Image.Exif | None = None) -> bytes:
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=quality, **({"exif": exif} if exif else {}))
    return buffer.getvalue()


def lookalike_tips(page: str) -> dict[int, int]:
    found = re.findall(r'href="/tips/(\d+)" data-distance="(\d+)"', page)
    return {int(tip): int(apart) for tip, apart in found}


async def test_a_recompressed_photo_from_another_reader_looks_like_it(
    desk: Desk, editor: httpx.AsyncClient
) -> None:
    street = jpeg(photo(Shot(3, 200, 10, 21)))
    original = jpeg_bytes(street)
    first = await desk.asset(original, "image/jpeg", MediaKind.IMAGE, sender="31611111111")
    resent = await desk.asset(
        jpeg_bytes(captioned(halved(street)), quality=60), "image/jpeg", MediaKind.IMAGE,
        sender="31622222222",
    )  # fmt: skip
    same_file = await desk.asset(original, "image/jpeg", MediaKind.IMAGE, sender="31633333333")
    own_again = await desk.asset(
        jpeg_bytes(street, quality=60), "image/jpeg", MediaKind.IMAGE, sender="31611111111"
    )
    other_view = await desk.asset(
        jpeg_bytes(jpeg(photo(Shot(3, 700, 17, 22)))), "image/jpeg", MediaKind.IMAGE,
        sender="31644444444",
    )  # fmt: skip
    await desk.settle()
    assert await MediaAsset.filter(state=MediaState.READY).count() == 5
    page = (await editor.get(f"/tips/{first.tip_id}")).text
    links = lookalike_tips(page)
    assert list(links) == [resent.tip_id], "not the same file, the same reader or another view"
    assert 0 < links[resent.tip_id] <= 22 and f"afstand {links[resent.tip_id]}" in page
    assert "ook gestuurd door 1 andere lezer" in page  # the same file stays "zelfde bestand"
    back = lookalike_tips((await editor.get(f"/tips/{resent.tip_id}")).text)
    assert set(back) == {first.tip_id, same_file.tip_id, own_again.tip_id}
    assert lookalike_tips((await editor.get(f"/tips/{other_view.tip_id}")).text) == {}
    await MediaAsset.filter(id=resent.id).delete()  # erased: its hashes go with it
    assert not await MediaLikeness.filter(asset_id=resent.id).exists()
    assert lookalike_tips((await editor.get(f"/tips/{first.tip_id}")).text) == {}


async def test_a_video_shows_its_keyframes_to_download(
    desk: Desk, editor: httpx.AsyncClient, tmp_path: Path
) -> None:
    clip = verification_clips.scene_cuts(tmp_path / "cuts.mp4")
    video = await desk.asset(clip.read_bytes(), "video/mp4", MediaKind.VIDEO)
    still = await desk.asset(
        verification_clips.still_video(tmp_path / "still.mp4").read_bytes(), "video/mp4",
        MediaKind.VIDEO, sender="31655555555",
    )  # fmt: skip
    await desk.settle()
    page = (await editor.get(f"/tips/{video.tip_id}")).text
    strip = page[page.index('class="keyframe-strip"') :]
    frames = re.findall(r'<a href="(/media/[^"]+/keyframe_\d\d)" download', strip)
    assert len(frames) == 3 and "0:00" in strip and "0:04" in strip and "0:08" in strip
    for url in frames:
        got = await editor.get(url)
        assert got.status_code == 200 and got.headers["content-type"] == "image/jpeg"
        assert Image.open(io.BytesIO(got.content)).getexif() == {}
    editor.cookies.clear()
    assert (await editor.get(frames[0])).status_code == 401, "for logged-in editors only"
    await log_in_as(editor, "anne@desk.example")
    page = (await editor.get(f"/tips/{still.tip_id}")).text
    assert len(re.findall(r"/keyframe_\d\d\" download", page)) == 1, "at least one, the first"
    bars = tmp_path / "bars.jpg"
    ffmpeg("-f", "lavfi", "-i", "smptebars=size=640x480", "-frames:v", "1", str(bars))
    photo_of_it = await desk.asset(
        bars.read_bytes(), "image/jpeg", MediaKind.IMAGE, sender="31688888888"
    )
    await desk.settle()
    page = (await editor.get(f"/tips/{photo_of_it.tip_id}")).text
    assert list(lookalike_tips(page)) == [video.tip_id], "a photo of the video's second shot"


async def test_quicktime_facts_in_the_desk_time_zone_with_a_map_and_a_warning(
    desk: Desk, editor: httpx.AsyncClient, tmp_path: Path
) -> None:
    clip = verification_clips.quicktime_phone_clip(
        tmp_path / "phone.mov", taken="2025-06-01T18:45:03.000000Z"
    )
    video = await desk.asset(clip.read_bytes(), "video/quicktime", MediaKind.VIDEO)
    await desk.settle()
    page = (await editor.get(f"/tips/{video.tip_id}")).text
    assert "gemaakt 01-06-2025 20:45" in page, "18:45 UTC is 20:45 in Amsterdam in summer"
    assert "Apple iPhone 15" in page
    assert "https://www.openstreetmap.org/?mlat=52.090700&amp;mlon=5.121400" in page
    assert re.search(r"gemaakt \d+ dagen vóór de tip", page)


async def test_edited_and_garbage_exif_photos_and_a_forwarded_one(
    desk: Desk, editor: httpx.AsyncClient
) -> None:
    exif = Image.Exif()
    exif[0x0131] = "Adobe Photoshop 25.1 (Windows)"
    exif[0x0132] = "2026:12:01 09:00:00"
    exif.get_ifd(0x8769)[0x9003] = "2026:11:30 22:10:00"
    exif.get_ifd(0x8769)[0x9011] = "+01:00"
    street = jpeg(photo(Shot(5, 200, 10, 1)))
    edited = await desk.asset(jpeg_bytes(street, exif=exif), "image/jpeg", MediaKind.IMAGE)
    garbage = bytearray(jpeg_bytes(street, exif=exif))
    start = garbage.index(b"Exif\x00\x00") + 6
    garbage[start + 8 : start + 40] = b"\xff" * 32  # the IFD's entry count and tags: nonsense
    broken = await desk.asset(bytes(garbage), "image/jpeg", MediaKind.IMAGE, sender="31666666666")
    await Message.filter(id=broken.message_id).update(
        forwarded=True, content={"frequently_forwarded": True}
    )
    await desk.settle()
    page = (await editor.get(f"/tips/{edited.tip_id}")).text
    assert "gemaakt 30-11-2026 22:10" in page and "bewerkt met Adobe Photoshop 25.1" in page
    broken = await MediaAsset.get(id=broken.id)
    assert broken.state is MediaState.READY, broken.error
    page = (await editor.get(f"/tips/{broken.tip_id}")).text
    figure = page[page.index('<figure class="medium') : page.index("</figure>")]
    assert "vaak doorgestuurd" in figure


async def test_media_made_before_hashes_are_backfilled(desk: Desk, environ: dict[str, str]) -> None:
    street = jpeg(photo(Shot(4, 200, 10, 5)))
    first = await desk.asset(jpeg_bytes(street), "image/jpeg", MediaKind.IMAGE)
    second = await desk.asset(
        jpeg_bytes(halved(street), quality=60), "image/jpeg", MediaKind.IMAGE, sender="3167777"
    )
    await desk.settle()
    await MediaLikeness.all().delete()  # as a desk that made them before migration 0024
    ran = tipdesk(environ, "backfill-media")
    assert ran.returncode == 0 and "2 media queued" in ran.stderr, ran.stderr
    await desk.settle()
    assert await MediaLikeness.filter(asset_id__in=[first.id, second.id]).count() == 2
    assert (await MediaAsset.get(id=first.id)).state is MediaState.READY
    again = tipdesk(environ, "backfill-media")
    assert "0 media queued" in again.stderr
