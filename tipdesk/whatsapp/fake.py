"""A fake Graph API that speaks the Cloud API contract over real HTTP.

For tests, demos and the sandbox phone: it delivers signed webhooks to the desk the way Meta
does (see fake_delivery), serves media through the two-step id → short-lived URL → bearer
download, accepts sends with the contract's limits and error bodies, enforces the 24-hour window
(131047, asynchronously, as Meta mostly does) and reports delivery with status webhooks.

Besides the Graph paths it has a small control surface under `/_fake/` to play the reader:
send inbound messages and media, list what the desk sent, and read delivery figures.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import itertools
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tipdesk.whatsapp.contract import GRAPH_API_VERSION, SendRejected, validate_send
from tipdesk.whatsapp.fake_delivery import Deliverer, DeliveryPolicy
from tipdesk.whatsapp.fake_profile import FakeProfiles, ProfileRefused
from tipdesk.whatsapp.fake_reader import inbound_notification, status_notification
from tipdesk.whatsapp.schema import SchemaViolation, SendSchema

SERVICE_WINDOW = 24 * 3600
# Meta's own description of the send API (an extract of facebook/openapi, with its source):
# every body the fake accepts must fit it, so a test that sends checks the desk against Meta.
SEND_SCHEMA = (
    Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "whatsapp"
    / f"meta-send-message-{GRAPH_API_VERSION}.json"
)  # fmt: skip
WINDOW_CLOSED = (
    "More than 24 hours have passed since the recipient last replied to the sender number."
)
VERSION = r"{version:str}"
PROFILE = "whatsapp_business_profile"
SEND_FAULTS = {
    130429: "Cloud API message throughput has been reached.",
    131016: "Service temporarily unavailable.",
    131026: "Message undeliverable.",
    131047: WINDOW_CLOSED,
    131050: "User has chosen to stop receiving marketing messages.",
    131056: "Too many messages sent from this phone number to the same phone number.",
}


@dataclass
class FakeGraphConfig:
    app_secret: str
    access_token: str
    phone_number_id: str
    webhook_url: str | None = None
    # More numbers of the same business account (regional desks): readers may write to any.
    other_numbers: tuple[str, ...] = ()
    display_phone_number: str = "31851234567"
    url_lifetime: float = 300.0
    skip_delivered_rate: float = 0.2
    policy: DeliveryPolicy = field(default_factory=DeliveryPolicy)
    seed: int | None = None
    # In the sandbox the fake delivers to the desk in the same process, over ASGI.
    transport: httpx.AsyncBaseTransport | None = None
    # Absent outside a source checkout (an installed wheel has no tests/): the contract's own
    # rules still apply then.
    send_schema: Path = SEND_SCHEMA


@dataclass
class StoredMedia:
    data: bytes
    mime_type: str
    sha256: str
    # Where media_info says the file lives, instead of the fake's own download URL: for tests
    # of a Graph API that points the desk somewhere it must not go.
    url: str | None = None


@dataclass
class FakeGraphState:
    media: dict[str, StoredMedia] = field(default_factory=dict)
    downloads: dict[str, tuple[str, float]] = field(default_factory=dict)
    sent: list[dict[str, Any]] = field(default_factory=list)
    # Sends that broke the contract, with the reason: tests assert there are none.
    rejected: list[dict[str, Any]] = field(default_factory=list)
    read_receipts: list[str] = field(default_factory=list)
    received: list[dict[str, Any]] = field(default_factory=list)
    # Fetch faults per media id, for tests: see FakeGraph.media_info and .download.
    faults: dict[str, list[str]] = field(default_factory=dict)
    last_inbound: dict[str, float] = field(default_factory=dict)
    # Send refusals to play per recipient, in order: Graph error codes, or 500 for an outage.
    send_faults: dict[str, list[int]] = field(default_factory=dict)
    profiles: FakeProfiles = field(default_factory=FakeProfiles)
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))


def graph_error(code: int, details: str, status: int = 400) -> JSONResponse:
    titles = {
        1: "An unknown error occurred",
        190: "Invalid OAuth access token",
        131047: "Re-engagement message",
        130429: "Rate limit hit",
    }
    title = titles.get(code, "Invalid parameter")
    return JSONResponse(
        {
            "error": {
                "message": f"(#{code}) {title}",
                "type": "OAuthException",
                "code": code,
                "error_data": {"messaging_product": "whatsapp", "details": details},
                "fbtrace_id": secrets.token_urlsafe(12),
            }
        },
        status_code=status,
    )


class FakeGraph:
    def __init__(self, config: FakeGraphConfig) -> None:
        self.config = config
        self.state = FakeGraphState()
        self.deliverer = Deliverer(
            config.webhook_url, config.app_secret, config.policy, config.seed, config.transport
        )

    # -- the reader's side -------------------------------------------------------------------
    def store_media(
        self,
        data: bytes,
        mime_type: str,
        faults: list[str] | None = None,
        *,
        url: str | None = None,
    ) -> str:
        media_id = str(900_000_000_000 + next(self.state.ids))
        self.state.faults[media_id] = list(faults or [])
        digest = base64.b64encode(hashlib.sha256(data).digest()).decode()
        self.state.media[media_id] = StoredMedia(data, mime_type, digest, url)
        return media_id

    def reader_sends(
        self, message: dict[str, Any], wa_id: str, name: str, to: str | None = None
    ) -> str:
        """A reader's message to the desk's number `to` (its first by default), delivered as
        Meta would; returns its wamid."""
        number = to or self.config.phone_number_id
        wamid = message.setdefault("id", f"wamid.fake.{secrets.token_hex(12)}")
        message.setdefault("timestamp", str(int(time.time())))
        message.setdefault("from", wa_id)
        self.state.last_inbound[wa_id] = time.time()
        self.state.received.append(
            {"id": wamid, "from": wa_id, "to": number, "at": time.time(), "body": message}
        )
        self.deliverer.submit(inbound_notification(self.config, message, wa_id, name, number))
        return str(wamid)

    @property
    def numbers(self) -> tuple[str, ...]:
        return (self.config.phone_number_id, *self.config.other_numbers)

    # -- Graph endpoints ---------------------------------------------------------------------
    def authorised(self, request: Request) -> bool:
        given = request.headers.get("authorization", "")
        expected = f"Bearer {self.config.access_token}"
        return hmac.compare_digest(given.encode(), expected.encode())

    async def media_info(self, request: Request) -> Response:
        if not self.authorised(request):
            return graph_error(190, "Error validating access token", 401)
        media_id = request.path_params["media_id"]
        media = self.state.media.get(media_id)
        if media is not None and self._fault(media_id, "gone_once"):
            media = None
        if media is None:
            return graph_error(
                100, f"Unsupported get request. Object with ID '{media_id[:40]}' does not exist"
            )
        token = secrets.token_urlsafe(24)
        lifetime = -1.0 if self._fault(media_id, "expired_once") else self.config.url_lifetime
        self.state.downloads[token] = (media_id, time.monotonic() + lifetime)
        digest = media.sha256
        if "bad_checksum" in self.state.faults.get(media_id, []):
            digest = base64.b64encode(hashlib.sha256(b"something else").digest()).decode()
        return JSONResponse(
            {
                "messaging_product": "whatsapp",
                "url": media.url or str(request.url_for("fake_download", token=token)),
                "mime_type": media.mime_type,
                "sha256": digest,
                "file_size": str(len(media.data)),
                "id": media_id,
            }
        )

    async def delete_media(self, request: Request) -> Response:
        if not self.authorised(request):
            return graph_error(190, "Error validating access token", 401)
        self.state.media.pop(request.path_params["media_id"], None)
        return JSONResponse({"success": True})

    async def download(self, request: Request) -> Response:
        found = self.state.downloads.get(request.path_params["token"])
        media_id = found[0] if found else ""
        if not self.authorised(request) or "unauthorized" in self.state.faults.get(media_id, []):
            return Response(status_code=401)
        if found is None or found[1] < time.monotonic() or media_id not in self.state.media:
            return Response(status_code=404)
        media = self.state.media[media_id]
        if self._fault(media_id, "reset_once"):
            return StreamingResponse(_broken_off(media.data), media_type=media.mime_type)
        if "endless" in self.state.faults.get(media_id, []):
            return StreamingResponse(_endless(), media_type=media.mime_type)
        if "slow" in self.state.faults.get(media_id, []):
            return StreamingResponse(_drip(media.data), media_type=media.mime_type)
        return Response(media.data, media_type=media.mime_type)

    def _fault(self, media_id: str, fault: str) -> bool:
        """True once for each time `fault` was listed for this media id."""
        faults = self.state.faults.get(media_id, [])
        if fault in faults:
            faults.remove(fault)
            return True
        return False

    async def upload_media(self, request: Request) -> Response:
        if not self.authorised(request):
            return graph_error(190, "Error validating access token", 401)
        async with request.form(max_part_size=100 * 1024 * 1024) as form:
            upload = form.get("file")
            if upload is None or isinstance(upload, str):
                return graph_error(131008, "file is required")
            data = await upload.read()
            mime = str(form.get("type") or upload.content_type or "application/octet-stream")
        return JSONResponse({"id": self.store_media(data, mime)})

    async def send(self, request: Request) -> Response:
        if not self.authorised(request):
            return graph_error(190, "Error validating access token", 401)
        number = request.path_params["phone_number_id"]
        if number not in self.numbers:
            return graph_error(100, "Unsupported post request: unknown phone number id")
        try:
            body = await request.json()
        except ValueError:
            return graph_error(100, "the request body is not JSON")
        read = isinstance(body, dict) and body.get("status") == "read"
        try:
            # The contract's rules first: their codes are Meta's own for each mistake.
            if not read:
                validate_send(body)
            self._check_schema(body)
        except SendRejected as exc:
            self.state.rejected.append({"code": exc.code, "details": exc.details, "body": body})
            return graph_error(exc.code, exc.details)
        if read:
            self.state.read_receipts.append(str(body.get("message_id", "")))
            return JSONResponse({"success": True})
        if (fault := self._send_fault(body)) is not None:
            return fault
        return JSONResponse(self.accept(body, number))

    async def profile(self, request: Request) -> Response:
        """GET or POST a number's business profile, refused as Meta would (#100)."""
        if not self.authorised(request):
            return graph_error(190, "Error validating access token", 401)
        number = request.path_params["phone_number_id"]
        if number not in self.numbers:
            return graph_error(100, "Unsupported request: unknown phone number id")
        try:
            if request.method == "GET":
                return JSONResponse(
                    self.state.profiles.read(number, request.query_params.get("fields", ""))
                )
            try:
                body = await request.json()
            except ValueError:
                body = None
            self.state.profiles.write(number, body)
        except ProfileRefused as exc:
            return graph_error(100, str(exc))
        return JSONResponse({"success": True})

    def _check_schema(self, body: Any) -> None:
        """Meta's published schema refuses what it does not describe, as (#100)."""
        schema = send_schema(self.config.send_schema)
        if schema is None:
            return
        try:
            schema.check(body)
        except SchemaViolation as exc:
            raise SendRejected(
                100, f"the body does not fit Meta's {GRAPH_API_VERSION} send schema: {exc}"
            ) from exc

    def fail_next_sends(self, wa_id: str, codes: list[int]) -> None:
        """The next sends to `wa_id` are refused with these codes, one each (500: an outage)."""
        self.state.send_faults.setdefault(wa_id, []).extend(codes)

    def _send_fault(self, body: dict[str, Any]) -> Response | None:
        to = str(body.get("to") or body.get("recipient"))
        faults = self.state.send_faults.get("".join(ch for ch in to if ch.isdigit()) or to)
        if not faults:
            return None
        code = faults.pop(0)
        if code == 500:
            return graph_error(1, "An unknown error occurred", 500)
        return graph_error(code, SEND_FAULTS.get(code, "refused by the fake"))

    def accept(self, body: dict[str, Any], number: str | None = None) -> dict[str, Any]:
        to = str(body.get("to") or body.get("recipient"))
        wa_id = "".join(ch for ch in to if ch.isdigit()) or to
        wamid = f"wamid.fake.out.{secrets.token_hex(12)}"
        sender = number or self.config.phone_number_id
        self.state.sent.append(
            {"id": wamid, "to": wa_id, "from": sender, "at": time.time(), "body": body}
        )
        kind = body.get("type", "text")
        asyncio.get_running_loop().call_soon(self._report, wamid, wa_id, kind, sender)
        return {
            "messaging_product": "whatsapp",
            "contacts": [{"input": to, "wa_id": wa_id}],
            "messages": [{"id": wamid}],
        }

    def _report(self, wamid: str, wa_id: str, kind: str, number: str) -> None:
        """Status webhooks: 131047 outside the window, else sent → (delivered) → read."""
        last = self.state.last_inbound.get(wa_id)
        if kind != "template" and (last is None or time.time() - last > SERVICE_WINDOW):
            error = {
                "code": 131047,
                "title": "Re-engagement message",
                "message": "Re-engagement message",
                "error_data": {"details": WINDOW_CLOSED},
            }
            failed = status_notification(self.config, wamid, wa_id, "failed", [error], number)
            self.deliverer.submit(failed)
            return
        statuses = ["sent", "delivered", "read"]
        if self.deliverer.random.random() < self.config.skip_delivered_rate:
            statuses.remove("delivered")
        for status in statuses:
            self.deliverer.submit(
                status_notification(self.config, wamid, wa_id, status, None, number)
            )

    # -- control surface -----------------------------------------------------------------------
    async def control_inbound(self, request: Request) -> Response:
        body = await request.json()
        if not isinstance(body, dict) or not isinstance(body.get("message"), dict):
            return JSONResponse({"error": "expected {from, name, message}"}, status_code=400)
        wa_id, name = str(body.get("from", "31600000000")), str(body.get("name", ""))
        to = body.get("to")
        if to is not None and to not in self.numbers:
            return JSONResponse({"error": "to: not one of the fake's numbers"}, status_code=400)
        wamid = self.reader_sends(body["message"], wa_id, name, to)
        return JSONResponse({"wamid": wamid})

    async def control_media(self, request: Request) -> Response:
        data = await request.body()
        mime = request.headers.get("content-type", "application/octet-stream")
        faults = [f for f in request.query_params.get("faults", "").split(",") if f]
        return JSONResponse({"id": self.store_media(data, mime, faults)})

    async def control_send_faults(self, request: Request) -> Response:
        body = await request.json()
        codes = body.get("codes") if isinstance(body, dict) else None
        if not isinstance(codes, list) or not all(isinstance(c, int) for c in codes):
            return JSONResponse({"error": "expected {to, codes: [int]}"}, status_code=400)
        self.fail_next_sends(str(body.get("to", "")), codes)
        return JSONResponse({"queued": len(codes)})

    async def control_sent(self, request: Request) -> Response:
        to = request.query_params.get("to")
        return JSONResponse([m for m in self.state.sent if to is None or m["to"] == to])

    async def control_stats(self, request: Request) -> Response:
        stats = self.deliverer.stats
        return JSONResponse(
            {
                "submitted": stats.submitted,
                "posts": stats.posts,
                "acked": stats.acked,
                "refused": stats.refused,
                "dropped": stats.dropped,
                "duplicates": stats.duplicates,
                "idle": self.deliverer.idle,
                "sent": len(self.state.sent),
            }
        )


@cache
def send_schema(path: Path) -> SendSchema | None:
    return SendSchema.load(path) if path.is_file() else None


async def _drip(data: bytes) -> AsyncIterator[bytes]:
    """A download that trickles: a few bytes at a time, slowly."""
    for start in range(0, len(data), 16):
        await asyncio.sleep(0.25)
        yield data[start : start + 16]


async def _endless() -> AsyncIterator[bytes]:
    """A download that never ends (and declares no length): the client must cap it."""
    chunk = b"\x00" * (1024 * 1024)
    while True:
        yield chunk
        await asyncio.sleep(0)


async def _broken_off(data: bytes) -> AsyncIterator[bytes]:
    """Half the file, then the connection drops."""
    yield data[: len(data) // 2]
    raise ConnectionResetError("the fake Graph API drops the connection")


def create_fake_graph(config: FakeGraphConfig) -> Starlette:
    fake = FakeGraph(config)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await fake.deliverer.start()
        try:
            yield
        finally:
            await fake.deliverer.stop()

    app = Starlette(routes=[*control_routes(fake), *graph_routes(fake)], lifespan=lifespan)
    app.state.fake = fake
    return app


def control_routes(fake: FakeGraph) -> list[Route]:
    """Playing the reader: for tests and demos, never exposed by the desk itself."""
    return [
        Route("/_fake/inbound", fake.control_inbound, methods=["POST"]),
        Route("/_fake/media", fake.control_media, methods=["POST"]),
        Route("/_fake/sent", fake.control_sent, methods=["GET"]),
        Route("/_fake/send-faults", fake.control_send_faults, methods=["POST"]),
        Route("/_fake/stats", fake.control_stats, methods=["GET"]),
    ]


def graph_routes(fake: FakeGraph) -> list[Route]:
    """The Graph API paths the desk calls, plus the short-lived media download URLs."""
    return [
        Route("/_fake/download/{token}", fake.download, methods=["GET"], name="fake_download"),
        Route(f"/{VERSION}/{{phone_number_id}}/messages", fake.send, methods=["POST"]),
        Route(f"/{VERSION}/{{phone_number_id}}/media", fake.upload_media, methods=["POST"]),
        Route(f"/{VERSION}/{{phone_number_id}}/{PROFILE}", fake.profile, methods=["GET", "POST"]),
        Route(f"/{VERSION}/{{media_id}}", fake.media_info, methods=["GET"]),
        Route(f"/{VERSION}/{{media_id}}", fake.delete_media, methods=["DELETE"]),
    ]
