"""The sandbox phone: a reader's WhatsApp in the browser, for desks without Meta credentials.

It plays Meta with the fake Graph API mounted in the desk: a message typed here is delivered as
a signed webhook to `/webhooks/whatsapp` (over ASGI, in-process), and the desk's replies go to
the Graph API paths under `/sandbox/graph`, where the page picks them up. So the sandbox
exercises the same intake and the same send contract as production.

Only clients on the desk's own host may use it: it lets anyone pose as any reader.
"""

from __future__ import annotations

import ipaddress
import re
import time
from pathlib import Path
from typing import Any

import httpx
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from tipdesk.errors import InvalidInput, NotFound
from tipdesk.settings import Settings
from tipdesk.whatsapp.fake import FakeGraph, FakeGraphConfig, graph_routes
from tipdesk.whatsapp.fake_delivery import DeliveryPolicy

ASSETS = Path(__file__).with_name("sandbox_assets")
MAX_UPLOAD = 64 * 1024 * 1024
MAX_TEXT = 4096
_PHONE = re.compile(r"^[1-9]\d{6,14}$")


def create_sandbox(settings: Settings, desk: ASGIApp) -> FakeGraph:
    return FakeGraph(
        FakeGraphConfig(
            app_secret=settings.webhook_app_secret,
            access_token=settings.graph_access_token,
            phone_number_id=settings.desk_phone_number_id,
            webhook_url="http://desk.sandbox/webhooks/whatsapp",
            policy=DeliveryPolicy(concurrency=2),
            transport=httpx.ASGITransport(app=desk, client=("127.0.0.1", 0)),
            skip_delivered_rate=0.0,
        )
    )


def sandbox_routes(sandbox: FakeGraph) -> list[BaseRoute]:
    phone = SandboxPhone(sandbox)
    return [
        Route("/sandbox", phone.page, methods=["GET"]),
        Route("/sandbox/api/send", phone.send, methods=["POST"]),
        Route("/sandbox/api/media", phone.media, methods=["POST"]),
        Route("/sandbox/api/thread", phone.thread, methods=["GET"]),
        Mount(
            "/sandbox/static", LoopbackOnly(StaticFiles(directory=ASSETS)), name="sandbox_static"
        ),
        Mount(
            "/sandbox/graph", routes=graph_routes(sandbox), middleware=[Middleware(LoopbackOnly)]
        ),
    ]


class SandboxPhone:
    def __init__(self, fake: FakeGraph) -> None:
        self.fake = fake

    async def page(self, request: Request) -> Response:
        _only_from_this_host(request)
        return FileResponse(ASSETS / "sandbox.html", headers={"cache-control": "no-store"})

    async def send(self, request: Request) -> Response:
        _only_from_this_host(request)
        try:
            data = await request.json()
        except ValueError:
            raise InvalidInput("the body is not JSON") from None
        if not isinstance(data, dict):
            raise InvalidInput("the body must be a JSON object")
        reader, name = _reader(data)
        message = _message(data)
        return JSONResponse({"id": self.fake.reader_sends(message, reader, name)})

    async def media(self, request: Request) -> Response:
        _only_from_this_host(request)
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_UPLOAD + 65536:
            raise InvalidInput(f"files up to {MAX_UPLOAD // (1024 * 1024)} MB")
        async with request.form(max_files=1, max_part_size=MAX_UPLOAD) as form:
            upload = form.get("file")
            if upload is None or isinstance(upload, str):
                raise InvalidInput("choose a file to send")
            data = await upload.read()
            fields = {k: v for k, v in form.items() if isinstance(v, str)}
            reader, name = _reader(fields)
            mime = upload.content_type or "application/octet-stream"
            message = _media_message(
                self.fake.store_media(data, mime), mime, upload.filename, fields.get("caption", "")
            )
        return JSONResponse({"id": self.fake.reader_sends(message, reader, name)})

    async def thread(self, request: Request) -> Response:
        _only_from_this_host(request)
        reader = request.query_params.get("from", "")
        if not _PHONE.match(reader):
            raise InvalidInput("from must be a phone number in digits, like 31612345678")
        state = self.fake.state
        events = [_event("reader", item) for item in state.received if item["from"] == reader]
        events += [_event("desk", item) for item in state.sent if item["to"] == reader]
        events.sort(key=lambda event: float(event["at"]))
        # What a reader sees under the desk's name: the profile's "about" text.
        about = state.profiles.about(self.fake.config.phone_number_id)
        return JSONResponse({"events": events, "now": time.time(), "about": about})


class LoopbackOnly:
    """Guards a mounted app the way `_only_from_this_host` guards the phone's routes."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        _only_from_host(client[0] if client else "")
        await self.app(scope, receive, send)


def _only_from_this_host(request: Request) -> None:
    # The socket peer, never X-Forwarded-For: `tipdesk serve` runs uvicorn with proxy headers
    # off, so nothing a client sends can make it look local.
    _only_from_host(request.client.host if request.client else "")


def _only_from_host(host: str) -> None:
    try:
        local = ipaddress.ip_address(host).is_loopback
    except ValueError:
        local = host in ("localhost", "testclient")
    if not local:
        raise NotFound("Not Found")


def _reader(data: dict[str, Any]) -> tuple[str, str]:
    reader = str(data.get("from", ""))
    if not _PHONE.match(reader):
        raise InvalidInput("from must be a phone number in digits, like 31612345678")
    name = str(data.get("name", "")).strip()[:64]
    return reader, name


def _message(data: dict[str, Any]) -> dict[str, Any]:
    kind = data.get("type", "text")
    context = {"context": {"id": str(data["reply_to"])[:255]}} if data.get("reply_to") else {}
    if kind == "text":
        text = str(data.get("text", ""))
        if not text.strip() or len(text) > MAX_TEXT:
            raise InvalidInput(f"write 1 to {MAX_TEXT} characters")
        return {"type": "text", "text": {"body": text}, **context}
    if kind == "location":
        return {"type": "location", "location": _location(data)}
    if kind == "button_reply":
        reply = {
            "id": str(data.get("button_id", ""))[:256],
            "title": str(data.get("title", ""))[:20],
        }
        return {
            "type": "interactive",
            "interactive": {"type": "button_reply", "button_reply": reply},
            **context,
        }
    raise InvalidInput("type must be text, location or button_reply")


def _location(data: dict[str, Any]) -> dict[str, Any]:
    try:
        latitude, longitude = float(data["latitude"]), float(data["longitude"])
    except (KeyError, TypeError, ValueError):
        raise InvalidInput("a location needs latitude and longitude") from None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise InvalidInput("latitude or longitude is out of range")
    place: dict[str, Any] = {"latitude": latitude, "longitude": longitude}
    for key in ("name", "address"):
        if str(data.get(key, "")).strip():
            place[key] = str(data[key]).strip()[:256]
    return place


def _media_message(media_id: str, mime: str, filename: str | None, caption: str) -> dict[str, Any]:
    stored = {"id": media_id, "mime_type": mime}
    if mime.startswith("image/webp"):
        return {"type": "sticker", "sticker": {**stored, "animated": False}}
    if mime.startswith("audio/"):
        return {"type": "audio", "audio": {**stored, "voice": "ogg" in mime or "opus" in mime}}
    kind = (
        "image"
        if mime.startswith("image/")
        else "video"
        if mime.startswith("video/")
        else "document"
    )
    if caption.strip():
        stored["caption"] = caption.strip()[:1024]
    if kind == "document":
        stored["filename"] = (filename or "document")[:240]
    return {"type": kind, kind: stored}


def _event(direction: str, item: dict[str, Any]) -> dict[str, Any]:
    body = item["body"]
    kind = body.get("type", "text")
    part = body.get(kind) if isinstance(body.get(kind), dict) else {}
    text = part.get("body") or part.get("caption") or part.get("name") or ""
    event: dict[str, Any] = {
        "id": item["id"],
        "direction": direction,
        "at": item["at"],
        "type": kind,
        "text": text,
    }
    if kind == "interactive":
        event["text"] = (part.get("body") or {}).get("text", "")
        buttons = (part.get("action") or {}).get("buttons") or []
        event["buttons"] = [b.get("reply", {}) for b in buttons if isinstance(b, dict)]
        if part.get("type") == "button_reply":
            event["text"] = (part.get("button_reply") or {}).get("title", "")
    if kind in ("image", "video", "audio", "document", "sticker"):
        event["media"] = kind
        event["filename"] = part.get("filename", "")
    if kind == "location":
        event["text"] = part.get("name") or f"{part.get('latitude')}, {part.get('longitude')}"
    if kind == "template":
        # Meta shows the approved template's own text; the sandbox knows only its name.
        event["text"] = f"(template {part.get('name', '')})"
    return event
