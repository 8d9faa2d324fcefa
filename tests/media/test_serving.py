"""Media URLs: editors only, unguessable, with Range, types, ETag and private caching."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.media.conftest import Desk
from tests.media_store import clips
from tipdesk.clock import utcnow
from tipdesk.editors.accounts import create_editor, create_token
from tipdesk.editors.models import ApiToken, Role
from tipdesk.tips.models import MediaAsset, MediaKind

pytestmark = pytest.mark.usefixtures("app")


@pytest.fixture
async def auth() -> dict[str, str]:
    await create_editor("anne@desk.example", "Anne", Role.EDITOR, "long enough password")
    return {"authorization": f"Bearer {await create_token('anne@desk.example', 'tests')}"}


async def ready_video(desk: Desk, tmp_path: Path) -> MediaAsset:
    asset = await desk.asset(
        clips.video(tmp_path / "v.mp4").read_bytes(), "video/mp4", MediaKind.VIDEO
    )
    await desk.settle()
    return await MediaAsset.get(id=asset.id)


async def test_media_needs_an_editor(
    client: httpx.AsyncClient, desk: Desk, tmp_path: Path, auth: dict[str, str]
) -> None:
    asset = await ready_video(desk, tmp_path)
    url = f"/media/{asset.token}/web"
    assert (await client.get(url)).status_code == 401
    assert (await client.get(url, headers={"authorization": "Bearer td_wrong"})).status_code == 401
    assert (await client.get(url, headers={"authorization": "Basic abc"})).status_code == 401
    assert (await client.get(url, headers=auth)).status_code == 200
    await ApiToken.all().update(revoked_at=utcnow())
    assert (await client.get(url, headers=auth)).status_code == 401


async def test_variants_stream_with_type_etag_range_and_private_caching(
    client: httpx.AsyncClient, desk: Desk, tmp_path: Path, auth: dict[str, str]
) -> None:
    asset = await ready_video(desk, tmp_path)
    whole = await client.get(f"/media/{asset.token}/web", headers=auth)
    assert whole.headers["content-type"] == "video/mp4"
    assert whole.headers["cache-control"].startswith("private")
    assert whole.headers["accept-ranges"] == "bytes"
    part = await client.get(f"/media/{asset.token}/web", headers={**auth, "range": "bytes=0-99"})
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 0-99/{len(whole.content)}"
    assert part.content == whole.content[:100]
    again = await client.get(
        f"/media/{asset.token}/web", headers={**auth, "if-none-match": whole.headers["etag"]}
    )
    assert again.status_code == 304
    poster = await client.get(f"/media/{asset.token}/poster", headers=auth)
    assert poster.headers["content-type"] == "image/jpeg"


async def test_the_original_downloads_untouched(
    client: httpx.AsyncClient, desk: Desk, tmp_path: Path, auth: dict[str, str]
) -> None:
    asset = await ready_video(desk, tmp_path)
    original = await client.get(f"/media/{asset.token}/original", headers=auth)
    assert original.content == (tmp_path / "v.mp4").read_bytes()
    assert original.headers["content-disposition"].startswith("attachment;")


@pytest.mark.parametrize(
    "path",
    [
        "/media/{token}/nope",
        "/media/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/web",
        "/media/1/web",
        "/media/{token}/..%2F..%2Fsecret_key",
        "/media/{token}/WEB",
        "/media/%00%00%00%00%00%00%00%00%00%00%00%00%00%00%00%00/web",
    ],
)
async def test_unknown_or_malformed_media_urls_are_404(
    client: httpx.AsyncClient, desk: Desk, tmp_path: Path, auth: dict[str, str], path: str
) -> None:
    asset = await ready_video(desk, tmp_path)
    response = await client.get(path.format(token=asset.token), headers=auth)
    assert response.status_code == 404
    assert "secret" not in response.text.lower() or "key" not in response.text


async def test_media_tokens_are_long_and_random(desk: Desk, tmp_path: Path) -> None:
    first = await desk.asset(b"a", "image/png", MediaKind.IMAGE)
    second = await desk.asset(b"b", "image/png", MediaKind.IMAGE)
    assert len(first.token) >= 32 and first.token != second.token


async def _document(desk: Desk, data: bytes, filename: str | None) -> MediaAsset:
    asset = await desk.asset(data, "application/octet-stream", MediaKind.DOCUMENT)
    await MediaAsset.filter(id=asset.id).update(filename=filename)
    await desk.settle()
    return await MediaAsset.get(id=asset.id)


@pytest.mark.parametrize(
    ("filename", "fallback", "utf8"),
    [
        ("фото.pdf", "tipdesk-media-{id}.pdf", "%D1%84%D0%BE%D1%82%D0%BE.pdf"),
        ("Verslag café.PDF", "Verslag cafe.pdf", "Verslag%20caf%C3%A9.pdf"),
        ("invoice.html", "invoice.html.pdf", "invoice.html.pdf"),
        ('../../etc/"x";y.pdf', "xy.pdf", "xy.pdf"),
        (None, "tipdesk-media-{id}.pdf", "tipdesk-media-{id}.pdf"),
    ],
)
async def test_downloads_keep_the_readers_name_with_the_extension_of_what_it_is(
    client: httpx.AsyncClient,
    desk: Desk,
    tmp_path: Path,
    auth: dict[str, str],
    filename: str | None,
    fallback: str,
    utf8: str,
) -> None:
    """A non-ASCII name was a 500 with a traceback; a reader's `.html` would have downloaded as
    a page. The name keeps the reader's words, the extension comes from the bytes."""
    asset = await _document(desk, clips.pdf(tmp_path / "d.pdf").read_bytes(), filename)
    response = await client.get(f"/media/{asset.token}/original", headers=auth)
    assert response.status_code == 200
    expected = (
        f'attachment; filename="{fallback.format(id=asset.id)}"; '
        f"filename*=UTF-8''{utf8.format(id=asset.id)}"
    )
    assert response.headers["content-disposition"] == expected
    assert response.headers["cache-control"] == "private, no-store"


async def test_a_text_file_named_as_a_web_page_downloads_as_text(
    client: httpx.AsyncClient, desk: Desk, auth: dict[str, str]
) -> None:
    asset = await _document(desk, b"Just words, no markup here.\n", "page.html")
    response = await client.get(f"/media/{asset.token}/original", headers=auth)
    assert response.headers["content-type"].startswith("text/plain")
    assert 'filename="page.html.txt"' in response.headers["content-disposition"]
