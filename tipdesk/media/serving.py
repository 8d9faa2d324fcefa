"""`GET /media/{token}/{variant}`: media for logged-in editors only.

The token is the asset's random 32-character key, never its number, so URLs cannot be guessed
or enumerated. Files stream from disk with HTTP Range (video seeking), their real type, an ETag
and `Cache-Control: private` (shared caches must not keep readers' media).
"""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from tipdesk.editors.access import require_editor
from tipdesk.errors import NotFound
from tipdesk.media.states import media_store
from tipdesk.settings import Settings
from tipdesk.tips.models import MediaAsset, MediaVariant

ORIGINAL = "original"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_VARIANT = re.compile(r"^[a-z0-9_]{1,32}$")
CACHE = "private, max-age=3600"


async def serve_media(request: Request) -> Response:
    await require_editor(request)
    settings: Settings = request.app.state.settings
    token, name = request.path_params["token"], request.path_params["variant"]
    if not _TOKEN.match(token) or not _VARIANT.match(name):
        raise NotFound("no such media")
    asset = await MediaAsset.get_or_none(token=token)
    if asset is None:
        raise NotFound("no such media")
    store = media_store(settings)
    if name == ORIGINAL:
        if asset.sha256 is None:
            raise NotFound("this file has not arrived yet")
        path, mime = store.original(asset.sha256), asset.detected_mime or "application/octet-stream"
        disposition = {"content-disposition": f'attachment; filename="{_download_name(asset)}"'}
    else:
        variant = await MediaVariant.get_or_none(asset_id=asset.id, name=name)
        if variant is None:
            raise NotFound("no such variant")
        path, mime, disposition = store.resolve_stored(variant.path), variant.mime, {}
    if not path.is_file():
        raise NotFound("the file is missing from the media store")
    headers = {"cache-control": CACHE, "x-content-type-options": "nosniff", **disposition}
    response = FileResponse(path, media_type=mime, headers=headers, stat_result=path.stat())
    etag = response.headers["etag"]
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers={"etag": etag, "cache-control": CACHE})
    return response


def _download_name(asset: MediaAsset) -> str:
    """A safe file name: the reader's own name only when it is plain."""
    if asset.filename and re.match(r"^[\w .()-]{1,120}$", asset.filename):
        return asset.filename
    extension = (asset.detected_mime or "").split("/")[-1].split(";")[0][:8] or "bin"
    return f"tipdesk-media-{asset.id}.{re.sub(r'[^a-z0-9]', '', extension) or 'bin'}"


routes = [Route("/media/{token}/{variant}", serve_media, methods=["GET", "HEAD"])]
