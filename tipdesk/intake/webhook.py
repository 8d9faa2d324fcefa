"""`/webhooks/whatsapp`: the verification handshake, and signed notifications stored durably.

The POST does the least it safely can before answering: check size and signature, check the
envelope, store the raw bytes together with the job that will parse them, answer 200. Meta asks
for a median under 250 ms; everything else happens in workers.
"""

from __future__ import annotations

import hmac
import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from tipdesk.errors import BadRequest, Forbidden, PayloadTooLarge, Unauthorized
from tipdesk.intake.inbox import PROCESS_WEBHOOK, Inbox
from tipdesk.intake.parser import EnvelopeError, load_envelope
from tipdesk.intake.signature import signature_matches
from tipdesk.settings import Settings

log = logging.getLogger("tipdesk.intake")
__all__ = ["PROCESS_WEBHOOK", "routes"]
MAX_CHALLENGE = 256


async def verify_subscription(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    params = request.query_params
    expected = settings.whatsapp_verify_token
    given = params.get("hub.verify_token", "")
    challenge = params.get("hub.challenge", "")
    if (
        expected is None
        or params.get("hub.mode") != "subscribe"
        or not hmac.compare_digest(given.encode(), expected.encode())
        or not challenge
        or len(challenge) > MAX_CHALLENGE
    ):
        raise Forbidden("the verify token does not match")
    return PlainTextResponse(challenge)


async def receive_notification(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    body = await read_capped_body(request, settings.webhook_max_bytes)
    if not signature_matches(
        settings.webhook_app_secret, body, request.headers.get("x-hub-signature-256")
    ):
        raise Unauthorized("missing or wrong X-Hub-Signature-256")
    try:
        load_envelope(body)
    except EnvelopeError as exc:
        raise BadRequest(str(exc)) from None
    inbox: Inbox = request.app.state.inbox
    webhook_id = await inbox.store(body)
    worker = request.app.state.worker
    if worker is not None:
        worker.wake()
    return JSONResponse({"status": "received", "id": str(webhook_id)})


async def read_capped_body(request: Request, limit: int) -> bytes:
    """The body, refused with 413 as soon as it is over `limit`, without reading the rest."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"the body is over {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"the body is over {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


# The POST first: a router that finds path and method on its first try stops looking.
routes = [
    Route("/webhooks/whatsapp", receive_notification, methods=["POST"]),
    Route("/webhooks/whatsapp", verify_subscription, methods=["GET"]),
]
