"""`create_app(settings)`: the desk as one Starlette app, with its lifespan and error handling."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send
from tortoise.contrib.starlette import RegisterTortoise

from editorial_ui import (
    account,
    admin,
    admin_accounts,
    auth,
    board,
    board_bulk,
    board_views,
    canned_replies_admin,
    error_pages,
    live,
    privacy,
    reports,
    tip_form,
    tip_live,
    tip_page,
    webhooks_admin,
)
from tipdesk import errors_http
from tipdesk.api import routes as api
from tipdesk.db import check_database, tortoise_config
from tipdesk.desk import check_settings, desk_worker
from tipdesk.intake.inbox import Inbox
from tipdesk.media import serving
from tipdesk.request_limits import BODY_DEADLINE, BodyDeadline
from tipdesk.search.index import INDEX_PROCESS
from tipdesk.security_headers import SecurityHeaders
from tipdesk.settings import Settings
from tipdesk.whatsapp import webhook
from tipdesk.whatsapp.contract import graph_base_url
from tipdesk.whatsapp.sandbox import create_sandbox, sandbox_routes

log = logging.getLogger("tipdesk.app")
WORKER_SHUTDOWN_GRACE = 30.0
SESSION_MAX_AGE = 12 * 3600  # one long shift
WEBHOOK_PREFIX = "/webhooks/"


def create_app(settings: Settings, *, workers_in_process: bool = False) -> Starlette:
    check_settings(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with RegisterTortoise(app, config=tortoise_config(settings.database_url)):
            app.state.inbox = Inbox(settings)
            if app.state.sandbox is not None:
                await app.state.sandbox.deliverer.start()
            try:
                if not workers_in_process:
                    yield
                    return
                async with _in_process_worker(app, settings):
                    yield
            finally:
                if app.state.sandbox is not None:
                    await app.state.sandbox.deliverer.stop()
                await app.state.inbox.close()
                await INDEX_PROCESS.close()

    app = Desk(
        routes=[
            *webhook.routes,
            Route("/health", health, methods=["GET"]),
            *serving.routes,
            *api.routes,
            *auth.routes,
            *live.routes,
            *board.routes,
            *tip_live.routes,  # before tip_page's catch-all /tips/{id}/{action}
            *board_views.routes,
            *board_bulk.routes,
            *tip_page.routes,
            *admin.routes,
            *canned_replies_admin.routes,
            *webhooks_admin.routes,
            *reports.routes,
            *privacy.routes,
            *tip_form.routes,
            *admin_accounts.routes,
            *account.routes,
        ],
        middleware=[
            Middleware(SecurityHeaders, https=settings.public_url.startswith("https://")),
            Middleware(errors_http.UnexpectedErrors),
            Middleware(
                EditorSessions,
                secret_key=settings.secret_key,
                session_cookie="tipdesk_session",
                max_age=SESSION_MAX_AGE,
                same_site="lax",
                https_only=settings.public_url.startswith("https://"),
            ),
        ],
        lifespan=lifespan,
        exception_handlers=errors_http.handlers(),
    )
    app.state.settings = settings
    app.state.error_page = error_pages.error_page
    app.state.worker = None
    app.state.sandbox = None
    if settings.sandbox:
        app.state.sandbox = create_sandbox(settings, app)
        app.router.routes.extend(sandbox_routes(app.state.sandbox))
    return app


class Desk(Starlette):
    """The desk's app. Every HTTP request must send its whole body within `BODY_DEADLINE`
    (tipdesk/request_limits.py). Meta's signed notifications skip the middleware stack: they
    are the busiest path by far, need no session, and their endpoint renders its own errors and
    security headers (`tipdesk/whatsapp/webhook.py`)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            deadline = BodyDeadline(receive, send, BODY_DEADLINE)
            receive, send = deadline.receive, deadline.send
        if (
            scope["type"] == "http"
            and scope["path"] == webhook.NOTIFICATION_PATH
            and scope["method"] == "POST"
        ):
            scope["app"] = self
            await webhook.receive_notification(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


class EditorSessions(SessionMiddleware):
    """Sessions are for editors; Meta's webhooks (the desk's busiest path) skip them."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(WEBHOOK_PREFIX):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


@asynccontextmanager
async def _in_process_worker(app: Starlette, settings: Settings) -> AsyncIterator[None]:
    """The embedded default: one process serves the desk and runs its jobs."""
    # In the sandbox, media and sends go to the desk's own fake Graph API, in-process.
    own_graph = graph_base_url(settings).startswith(f"{settings.public_url}/sandbox/graph")
    transport = httpx.ASGITransport(app=app) if settings.sandbox and own_graph else None
    worker = desk_worker(settings, http_transport=transport, give_way=app.state.inbox.lull)
    app.state.worker = worker
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    try:
        yield
    finally:
        stop.set()
        try:
            await asyncio.wait_for(task, timeout=WORKER_SHUTDOWN_GRACE)
        except TimeoutError:
            # Leases of jobs still running expire and another worker finishes them.
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def health(request: Request) -> Response:
    try:
        await check_database()
    except Exception as exc:
        log.warning("health check: database does not answer (%s)", type(exc).__name__)
        return JSONResponse({"status": "unavailable", "database": "down"}, status_code=503)
    return JSONResponse({"status": "ok"})
