"""`GET /media/{token}/{variant}`: media for logged-in editors only.

The token is the asset's random 32-character key, never its number, so URLs cannot be guessed
or enumerated. Files stream from disk with HTTP Range (video seeking), their real type, an ETag
and `Cache-Control: private, no-store` (no cache may keep readers' media).
"""

from __future__ import annotations

import re
import string
import unicodedata
from urllib.parse import quote

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
# Readers' media stay in no cache, the browser's disk included (a shared newsroom PC).
CACHE = "private, no-store"


async def serve_media(request: Request) -> Response:
    await require_editor(request)
    settings: Settings = request.app.state.settings
    token, name = request.path_params["token"], request.path_params["variant"]
    if not _TOKEN.match(token) or not _VARIANT.match(name):
        raise NotFound("no such media", reason="no_such_media")
    asset = await MediaAsset.get_or_none(token=token)
    if asset is None:
        raise NotFound("no such media", reason="no_such_media")
    store = media_store(settings)
    if name == ORIGINAL:
        if asset.sha256 is None:
            raise NotFound("this file has not arrived yet", reason="media_not_arrived")
        path, mime = store.original(asset.sha256), asset.detected_mime or "application/octet-stream"
        disposition = {"content-disposition": attachment(asset)}
    else:
        variant = await MediaVariant.get_or_none(asset_id=asset.id, name=name)
        if variant is None:
            raise NotFound("no such variant", reason="no_such_media")
        path, mime, disposition = store.resolve_stored(variant.path), variant.mime, {}
    if not path.is_file():
        raise NotFound("the file is missing from the media store", reason="media_missing")
    headers = {"cache-control": CACHE, "x-content-type-options": "nosniff", **disposition}
    response = FileResponse(path, media_type=mime, headers=headers, stat_result=path.stat())
    etag = response.headers["etag"]
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers={"etag": etag, "cache-control": CACHE})
    return response


def attachment(asset: MediaAsset) -> str:
    """`Content-Disposition` for an original: the reader's name in UTF-8 (RFC 6266/5987) with
    an ASCII fallback for old clients, and always an extension of the type the bytes are."""
    name = download_name(asset)
    plain = "".join(ch for ch in unicodedata.normalize("NFKD", name) if ch in _PLAIN)
    if not plain.rsplit(".", 1)[0].strip(" ._-"):
        plain = f"tipdesk-media-{asset.id}.{name.rsplit('.', 1)[-1]}"
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"


def download_name(asset: MediaAsset) -> str:
    """The reader's file name as the stem, with an extension its detected type allows: a file
    named `.html` whose bytes are plain text downloads as `.html.txt`, never as a page."""
    allowed = EXTENSIONS.get(asset.detected_mime or "", ("bin",))
    raw = (asset.filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    stem = "".join(ch for ch in raw if ch.isprintable() and ch not in '"<>:;|*?')
    stem = stem.strip(" .")[:120] or f"tipdesk-media-{asset.id}"
    base, dot, suffix = stem.rpartition(".")
    if dot and base and suffix.lower() in allowed:
        return f"{base}.{suffix.lower()}"
    return f"{stem}.{allowed[0]}"


_PLAIN = frozenset(string.ascii_letters + string.digits + " ._()-")
# What an original may be called, by the type its bytes were found to be (media_store/sniff.py).
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "image/jpeg": ("jpg", "jpeg"),
    "image/png": ("png",),
    "image/gif": ("gif",),
    "image/heic": ("heic", "heif"),
    "image/webp": ("webp",),
    "video/mp4": ("mp4", "m4v"),
    "video/quicktime": ("mov",),
    "video/3gpp": ("3gp",),
    "video/x-msvideo": ("avi",),
    "video/webm": ("webm",),
    "video/x-matroska": ("mkv",),
    "audio/mp4": ("m4a",),
    "audio/mpeg": ("mp3",),
    "audio/ogg": ("ogg", "opus", "oga"),
    "audio/amr": ("amr",),
    "audio/aac": ("aac",),
    "audio/wav": ("wav",),
    "audio/flac": ("flac",),
    "application/pdf": ("pdf",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("xlsx",),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ("pptx",),
    "application/zip": ("zip",),
    # Word, Excel and PowerPoint before 2007 share one container format.
    "application/x-ole-storage": ("doc", "xls", "ppt", "msg"),
    "text/plain": ("txt", "csv", "log"),
}


routes = [Route("/media/{token}/{variant}", serve_media, methods=["GET", "HEAD"])]
