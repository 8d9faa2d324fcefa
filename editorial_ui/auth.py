"""Login and logout for editors: argon2 passwords, a signed session cookie, CSRF on both forms,
and throttling after repeated failures (counted in the database, so every web process agrees)."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from editorial_ui.forms import form_fields
from editorial_ui.pages import render
from tipdesk.audit.models import AuditEvent
from tipdesk.editors.access import SESSION_EDITOR, SESSION_VERSION, current_editor, end_sessions
from tipdesk.editors.accounts import verify_password
from tipdesk.editors.models import Editor
from tipdesk.jobs.queue import utcnow

MAX_FAILURES = 5
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FORM_BYTES = 16 * 1024


async def login_page(request: Request) -> Response:
    if await current_editor(request) is not None:
        return RedirectResponse("/board", status_code=303)
    return render(
        request,
        "login.html",
        editor=None,
        error=None,
        email="",
        next=_next(request.query_params.get("next")),
    )


async def login(request: Request) -> Response:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_FORM_BYTES:
        return render(
            request,
            "login.html",
            413,
            editor=None,
            error="Te veel gegevens.",
            email="",
            next="/board",
        )
    form = await form_fields(request, max_fields=10, max_bytes=MAX_FORM_BYTES)
    email = form.get("email", "").strip().lower()[:254]
    password = form.get("password", "")[:1025]
    target = _next(form.get("next", ""))
    who = hashlib.sha256(email.encode()).hexdigest()[:16]
    since = utcnow() - THROTTLE_WINDOW
    failures = await _failures(who, since)
    if failures >= MAX_FAILURES:
        return render(
            request,
            "login.html",
            429,
            editor=None,
            email=email,
            next=target,
            error="Te veel mislukte pogingen. Probeer het over een kwartier opnieuw.",
        )
    editor = await Editor.get_or_none(email=email, active=True)
    matches = await verify_password(editor.password_hash if editor else None, password)
    if editor is None or not matches:
        await AuditEvent.create(action="login.failed", detail={"who": who})
        return render(
            request,
            "login.html",
            400,
            editor=None,
            email=email,
            next=target,
            error="Onbekend e-mailadres of verkeerd wachtwoord.",
        )
    request.session.clear()
    request.session[SESSION_EDITOR] = editor.id
    request.session[SESSION_VERSION] = editor.session_version
    await Editor.filter(id=editor.id).update(last_login_at=utcnow())
    await AuditEvent.create(action="login.succeeded", editor=editor, detail={})
    return RedirectResponse(target, status_code=303)


async def _failures(who: str, since: datetime) -> int:
    events = await AuditEvent.filter(action="login.failed", created_at__gte=since).values_list(
        "detail", flat=True
    )
    return sum(1 for detail in events if isinstance(detail, dict) and detail.get("who") == who)


async def logout(request: Request) -> Response:
    await form_fields(request, max_fields=5, max_bytes=MAX_FORM_BYTES)
    editor = await current_editor(request)
    if editor is not None:
        await end_sessions(editor.id)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


def _next(value: str | None) -> str:
    """Only a path on this desk: never an open redirect to another site."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/board"
    parts = urlsplit(value)
    return value if not parts.scheme and not parts.netloc else "/board"


routes = [
    Route("/login", login_page, methods=["GET"]),
    Route("/login", login, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
]
