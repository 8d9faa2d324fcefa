"""A Graph API that points the desk at a host outside TIPDESK_MEDIA_HOSTS gets nothing from it.

The fake Graph API on a real port hands out media URLs that lead to other real servers on
127.0.0.1, which record every request they get."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from tests.media.conftest import TOKEN, Desk
from tests.media_store import clips
from tests.servers import serving
from tipdesk.jobs.models import Job
from tipdesk.settings import Settings
from tipdesk.tips.models import MediaAsset, MediaKind, MediaState
from tipdesk.whatsapp.contract import graph_base_url

pytestmark = pytest.mark.usefixtures("db")


@dataclass
class Recorder:
    """A server that notes who asked for what; it redirects on /hop and serves on /file."""

    base: str = ""
    requests: list[dict[str, str]] = field(default_factory=list)
    file: bytes = b""

    async def hop(self, request: Request) -> Response:
        self._note(request)
        return RedirectResponse(request.query_params["to"], status_code=302)

    async def serve(self, request: Request) -> Response:
        self._note(request)
        return Response(self.file, media_type="image/png")

    def _note(self, request: Request) -> None:
        self.requests.append({"path": request.url.path, **dict(request.headers)})

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/hop", self.hop), Route("/file", self.serve)])


@pytest.fixture
async def inside() -> AsyncIterator[Recorder]:
    recorder = Recorder()
    async with serving(recorder.app()) as base:
        recorder.base = base
        yield recorder


@pytest.fixture
async def listed() -> AsyncIterator[Recorder]:
    recorder = Recorder()
    async with serving(recorder.app()) as base:
        recorder.base = base
        yield recorder


def allowing(desk: Desk, environ: dict[str, str], *hosts: str) -> Desk:
    """The same desk and fake, with TIPDESK_MEDIA_HOSTS set to `hosts`."""
    settings = Settings.from_env(
        {
            **environ,
            "TIPDESK_GRAPH_API_URL": graph_base_url(desk.settings),
            "TIPDESK_MEDIA_HOSTS": ",".join(hosts),
        },
        env_file=None,
    )
    return Desk(settings, desk.fake)


async def asset_at(desk: Desk, url: str, tmp_path: Path) -> MediaAsset:
    data = clips.png(tmp_path / "p.png").read_bytes()
    asset = await desk.asset(data, "image/png", MediaKind.IMAGE)
    # The fake's answer for this media id now points at `url` instead of its own download.
    desk.fake.state.media[str(asset.external_media_id)].url = url
    return asset


async def test_an_unlisted_loopback_url_gets_no_request_and_fails_the_asset_once(
    desk: Desk, inside: Recorder, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    # The Graph API's own origin is allowed, not its whole host: this is 127.0.0.1 too.
    assert graph_base_url(desk.settings).startswith("http://127.0.0.1:")
    asset = await asset_at(desk, f"{inside.base}/file?secret=QUERYSECRET", tmp_path)
    await desk.settle()
    assert inside.requests == [], "the internal server was asked, maybe with the token"
    asset = await MediaAsset.get(id=asset.id)
    assert asset.state is MediaState.FAILED
    origin = inside.base.removeprefix("http://")
    assert f"http://{origin} is not in TIPDESK_MEDIA_HOSTS" in str(asset.error)
    assert "Het bestand is niet gedownload" in str(asset.error)
    assert (await Job.get(kind="media.fetch")).attempts == 1, "a refused URL is never retried"
    assert "QUERYSECRET" not in caplog.text and TOKEN not in caplog.text


async def test_a_redirect_off_the_list_is_not_followed(
    desk: Desk,
    environ: dict[str, str],
    listed: Recorder,
    inside: Recorder,
    tmp_path: Path,
) -> None:
    origin = listed.base.removeprefix("http://")
    desk = allowing(desk, environ, "lookaside.fbsbx.com", origin)
    asset = await asset_at(desk, f"{listed.base}/hop?to={inside.base}/file", tmp_path)
    await desk.settle()
    assert [r["path"] for r in listed.requests] == ["/hop"]
    assert listed.requests[0]["authorization"] == f"Bearer {TOKEN}", "a listed host gets it"
    assert inside.requests == []
    asset = await MediaAsset.get(id=asset.id)
    assert asset.state is MediaState.FAILED
    assert f"{inside.base} is not in TIPDESK_MEDIA_HOSTS" in str(asset.error)
    assert (await Job.get(kind="media.fetch")).attempts == 1


async def test_a_redirect_within_the_list_is_followed_with_the_token(
    desk: Desk,
    environ: dict[str, str],
    listed: Recorder,
    inside: Recorder,
    tmp_path: Path,
) -> None:
    inside.file = clips.png(tmp_path / "p.png").read_bytes()
    hosts = (listed.base.removeprefix("http://"), inside.base.removeprefix("http://"))
    desk = allowing(desk, environ, *hosts)
    asset = await asset_at(desk, f"{listed.base}/hop?to={inside.base}/file", tmp_path)
    await desk.settle()
    asset = await MediaAsset.get(id=asset.id)
    assert asset.state is MediaState.READY, asset.error
    assert [r["path"] for r in inside.requests] == ["/file"]
    assert inside.requests[0]["authorization"] == f"Bearer {TOKEN}"


async def test_more_than_three_redirects_are_refused(
    desk: Desk, environ: dict[str, str], listed: Recorder, tmp_path: Path
) -> None:
    desk = allowing(desk, environ, listed.base.removeprefix("http://"))
    url = f"{listed.base}/file"
    for _ in range(4):
        url = f"{listed.base}/hop?to={quote(url, safe='')}"
    asset = await asset_at(desk, url, tmp_path)
    await desk.settle()
    assert [r["path"] for r in listed.requests] == ["/hop"] * 4
    asset = await MediaAsset.get(id=asset.id)
    assert asset.state is MediaState.FAILED
    assert "redirected more than 3 times" in str(asset.error)
