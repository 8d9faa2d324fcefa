"""`/webhooks/whatsapp`: the verification handshake, and signed notifications stored durably.

The POST does the least it safely can before answering: check size and signature, check the
envelope, store the raw bytes together with the job that will parse them, answer 200. Meta asks
for a median under 250 ms; everything else happens in workers.

The POST is the desk's busiest path by far (a storm brings thousands a minute), so it is a plain
ASGI endpoint: no request or response objects, no middleware layers, the answer's bytes built
directly. `Desk` (tipdesk/app.py) hands it these requests before the middleware stack; it adds
the security headers and renders its own errors in the desk's JSON error shape.

It is the WhatsApp adapter's HTTP edge: it knows Meta's signature and envelope, and hands the
body to the app's durable inbox (`app.state.inbox`, any `channels.base.Inbox`) as it came.
"""

from __future__ import annotations

import hmac
import logging
import uuid

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from tipdesk.channels.base import Inbox
from tipdesk.errors import (
    BadRequest,
    ErrorCode,
    Forbidden,
    TipdeskError,
    Unauthorized,
)
from tipdesk.errors_http import INTERNAL_MESSAGE, error_body
from tipdesk.request_limits import header, read_capped_body
from tipdesk.security_headers import RAW_HEADERS
from tipdesk.settings import Settings
from tipdesk.whatsapp.inbound import EnvelopeError, load_envelope
from tipdesk.whatsapp.signature import signature_is_well_formed, signature_matches

log = logging.getLogger("tipdesk.intake")
__all__ = ["NOTIFICATION_PATH", "receive_notification", "routes"]
MAX_CHALLENGE = 256
NOTIFICATION_PATH = "/webhooks/whatsapp"
JSON_HEADERS = [(b"content-type", b"application/json"), *RAW_HEADERS]


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


class NotificationEndpoint:
    """The ASGI endpoint for `POST /webhooks/whatsapp` (`scope["app"]` is the desk).

    A class, so the router passes it ASGI messages instead of wrapping it in a request."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            webhook_id = await _store_notification(scope, receive)
        except TipdeskError as exc:
            await _answer(send, exc.status, error_body(exc.code, exc.message))
            return
        except Exception as exc:
            # The type only: an exception's text may quote the body.
            log.error("unexpected %s while storing a webhook", type(exc).__name__)
            await _answer(send, 500, error_body(ErrorCode.INTERNAL, INTERNAL_MESSAGE))
            return
        await _answer(send, 200, b'{"status":"received","id":"%s"}' % str(webhook_id).encode())


receive_notification = NotificationEndpoint()


async def _store_notification(scope: Scope, receive: Receive) -> uuid.UUID:
    state = scope["app"].state
    settings: Settings = state.settings
    signature = header(scope, b"x-hub-signature-256")
    # A missing or malformed header can never match: refuse before reading (and holding) the
    # body, so unsigned floods cost the desk a header parse, not megabytes each.
    if not signature_is_well_formed(signature):
        raise Unauthorized("missing or wrong X-Hub-Signature-256")
    body = await read_capped_body(scope, receive, settings.webhook_max_bytes)
    if not signature_matches(settings.webhook_app_secret, body, signature):
        raise Unauthorized("missing or wrong X-Hub-Signature-256")
    try:
        load_envelope(body)
    except EnvelopeError as exc:
        raise BadRequest(str(exc)) from None
    inbox: Inbox = state.inbox
    webhook_id = await inbox.store(body)
    if state.worker is not None:
        state.worker.wake()
    return webhook_id


async def _answer(send: Send, status: int, body: bytes) -> None:
    headers = [*JSON_HEADERS, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


# The POST first: a router that finds path and method on its first try stops looking.
routes = [
    Route(NOTIFICATION_PATH, receive_notification, methods=["POST"]),
    Route(NOTIFICATION_PATH, verify_subscription, methods=["GET"]),
]
