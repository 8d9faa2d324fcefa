"""Security headers on every response: no inline scripts (CSP), no framing, no referrer leaks
of tip URLs, no type sniffing. A plain ASGI middleware, so streamed media is left untouched."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "media-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'; object-src 'none'"
)
HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}


RAW_HEADERS = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in HEADERS.items()]


# Browsers that once reached the desk over https refuse plain http to it for a year. Sent only
# when the public URL is https (on http it would be ignored, and a desk that moves to https
# should decide for itself); not for subdomains, which the newsroom's other sites may share.
STRICT_TRANSPORT = (b"strict-transport-security", b"max-age=31536000")


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, https: bool = False) -> None:
        self.app = app
        self.raw_headers = [*RAW_HEADERS, STRICT_TRANSPORT] if https else RAW_HEADERS

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                # Every response passes here (webhook acks too), so: one pass over the headers
                # the app set, then the missing ones appended; a route's own value wins.
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [raw for raw in self.raw_headers if raw[0] not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
