"""The one place errors become responses: JSON for machines, HTML for people."""

from __future__ import annotations

import html
import json
import logging
from collections.abc import Callable, Mapping

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.types import ASGIApp, ExceptionHandler, Message, Receive, Scope, Send

from tipdesk.errors import STATUS_CODES, ErrorCode, PasswordChangeRequired, TipdeskError

log = logging.getLogger("tipdesk.errors")
INTERNAL_MESSAGE = "Something went wrong on our side."
# How the app draws an error page for people (`app.state.error_page`, set by `create_app`): this
# layer sits below the board's templates, so they are handed in rather than imported.
# The refusal itself is handed on when there is one, so the page can word its reason.
ErrorPage = Callable[[Request, int, ErrorCode, str, TipdeskError | None], Response]
MACHINE_PREFIXES = ("/api/", "/webhooks/", "/health", "/sandbox/api/", "/sandbox/graph/")


def handlers() -> Mapping[type[Exception] | int, ExceptionHandler]:
    """What Starlette's exception middleware renders; anything else reaches `UnexpectedErrors`."""
    return {TipdeskError: tipdesk_error, HTTPException: http_exception}


def error_body(code: ErrorCode, message: str, reason: str | None = None) -> bytes:
    """The JSON shape of every error for machines: `{"error": {"code", "message"}}`, and the
    refusal's `reason` when it has one."""
    error: dict[str, dict[str, str]] = {"error": {"code": code.value, "message": message}}
    if reason is not None:
        error["error"]["reason"] = reason
    return json.dumps(error, ensure_ascii=False, separators=(",", ":")).encode()


def _for_machines(request: Request) -> bool:
    return request.url.path.startswith(MACHINE_PREFIXES) or request.url.path == "/api"


def render(
    request: Request, status: int, code: ErrorCode, message: str,
    refusal: TipdeskError | None = None,
) -> Response:  # fmt: skip
    if _for_machines(request):
        reason = refusal.reason if refusal is not None else None
        body = error_body(code, message, reason)
        return Response(body, status, media_type="application/json")
    error_page: ErrorPage | None = getattr(
        getattr(request.scope.get("app"), "state", None), "error_page", None
    )
    if error_page is not None:
        try:
            return error_page(request, status, code, message, refusal)
        except Exception as exc:  # the plain page below still answers
            log.error("error page failed: %s", type(exc).__name__)
    page = (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>{status} · Tipdesk</title></head><body><main>"
        f"<h1>{html.escape(message)}</h1><p>Error code: <code>{code.value}</code></p>"
        '<p><a href="/">Back to the desk</a></p></main></body></html>'
    )
    return HTMLResponse(page, status_code=status)


async def tipdesk_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, TipdeskError):  # pragma: no cover - registered for this type only
        raise exc
    if isinstance(exc, PasswordChangeRequired) and _asks_for_a_page(request):
        return RedirectResponse(exc.page, status_code=303)
    return render(request, exc.status, exc.code, exc.message, exc)


def _asks_for_a_page(request: Request) -> bool:
    return request.method in ("GET", "HEAD") and not _for_machines(request)


async def http_exception(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, HTTPException):  # pragma: no cover - registered for this type only
        raise exc
    code = STATUS_CODES.get(exc.status_code, ErrorCode.BAD_REQUEST)
    response = render(request, exc.status_code, code, str(exc.detail))
    if exc.headers:
        response.headers.update(exc.headers)
    return response


class UnexpectedErrors:
    """Any other exception becomes the desk's 500 here, inside the security headers.

    Starlette sends a handler for `Exception` to its outermost middleware, whose answer skips
    every middleware (no security headers) and which raises the exception again afterwards,
    so the server logged its traceback: a traceback's lines quote the values in play, a
    reader's message or number among them. Here the type alone is logged, and nothing is
    raised on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception as exc:
            request = Request(scope)
            log.error("unexpected %s on %s %s", type(exc).__name__, scope["method"], scope["path"])
            if not started:  # else the client sees the response break off
                await render(request, 500, ErrorCode.INTERNAL, INTERNAL_MESSAGE)(
                    scope, receive, send
                )
