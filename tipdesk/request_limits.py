"""Limits on what a client sends: the whole body within a deadline, and bodies read under a cap.

A client that trickles its body (a byte every few seconds) holds a connection, a task and a
growing buffer for as long as it likes; the deadline ends that for every HTTP request of the desk
(`Desk.__call__` in tipdesk/app.py wraps `receive` and `send`). A cap is counted as the bytes
arrive, so a 150 MB body is refused after its first chunks, never buffered first.

Slow headers are not the desk's to judge: uvicorn has no header deadline, so the reverse proxy
drops them (docker/Caddyfile `read_header`, SECURITY.md's checklist).
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.types import Message, Receive, Scope, Send

from tipdesk.errors import BadRequest, PayloadTooLarge, RequestTimeout

# Long enough for a 256 KB form over a poor mobile link; Meta's webhooks take milliseconds.
BODY_DEADLINE = 15.0
CLOSE = (b"connection", b"close")


class BodyDeadline:
    """`receive` raises `RequestTimeout` once the body is not complete `seconds` after the
    request began; `send` then closes the connection (the rest of the body is never read).

    After the last body chunk `receive` is passed through untouched: streamed responses (the
    board's live updates) wait on it for `http.disconnect` for hours."""

    def __init__(self, receive: Receive, send: Send, seconds: float) -> None:
        self._receive = receive
        self._send = send
        self._deadline = asyncio.get_running_loop().time() + seconds
        self._body_done = False
        self.expired = False

    async def receive(self) -> Message:
        if self._body_done:
            return await self._receive()
        remaining = self._deadline - asyncio.get_running_loop().time()
        try:
            async with asyncio.timeout(max(remaining, 0.0)):
                message = await self._receive()
        except TimeoutError:
            self.expired = True
            raise RequestTimeout("the body did not arrive in time", reason="body_late") from None
        self._body_done = message["type"] != "http.request" or not message.get("more_body")
        return message

    async def send(self, message: Message) -> None:
        if self.expired and message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), CLOSE]}
        await self._send(message)


async def read_capped_body(scope: Scope, receive: Receive, limit: int) -> bytes:
    """The body, refused with 413 as soon as it is over `limit`, without reading the rest."""
    declared = header(scope, b"content-length") or ""
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"the body is over {limit} bytes", reason="body_too_large")
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            raise BadRequest(
                "the client went away before the body arrived", reason="body_broken_off"
            )
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"the body is over {limit} bytes", reason="body_too_large")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def capped_body(request: Request, limit: int) -> bytes:
    """`request.body()` under a cap: read as it arrives, then kept where Starlette keeps it, so
    `request.form()` and `request.json()` parse these bytes instead of reading again."""
    body = await read_capped_body(request.scope, request.receive, limit)
    # Starlette keeps a body it has read here (Request.body); stream() and form() replay it.
    request._body = body
    return body


def header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            text: str = value.decode("latin-1")
            return text
    return None
