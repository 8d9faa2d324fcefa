"""Login and logout for editors: argon2 passwords, a signed session cookie, CSRF on both forms,
and backoff after repeated failures per client address and per account (counted atomically in
the database, so every web process agrees and parallel attempts cannot race the count), with
a device cookie that keeps an editor's own browser out of a stranger's backoff."""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from editorial_ui.forms import form_fields
from editorial_ui.i18n import SESSION_LANGUAGE, page_language, text
from editorial_ui.pages import render
from tipdesk.client_address import client_address
from tipdesk.editors import device_cookie, login_throttle
from tipdesk.editors.access import SESSION_EDITOR, SESSION_VERSION, current_editor, end_sessions
from tipdesk.editors.accounts import verify_password
from tipdesk.editors.logins import record_failed_login, record_login
from tipdesk.editors.models import Editor
from tipdesk.settings import Settings

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
            error=text("login.too_much", page_language(request, None)),
            email="",
            next="/board",
        )
    form = await form_fields(request, max_fields=10, max_bytes=MAX_FORM_BYTES)
    email = form.get("email", "").strip().lower()[:254]
    password = form.get("password", "")[:1025]
    target = _next(form.get("next", ""))
    who = hashlib.sha256(email.encode()).hexdigest()[:16]
    settings: Settings = request.app.state.settings
    editor = await Editor.get_or_none(email=email, active=True)
    keys = _throttle_keys(request, settings, editor, who)
    refused = await login_throttle.claim(keys)
    if refused is not None:
        return render(
            request,
            "login.html",
            429,
            editor=None,
            email=email,
            next=target,
            error=text("login.throttled", page_language(request, None), seconds=refused.seconds),
        )
    matches = await verify_password(editor.password_hash if editor else None, password)
    if editor is None or not matches:
        await record_failed_login(who)
        return render(
            request,
            "login.html",
            400,
            editor=None,
            email=email,
            next=target,
            error=text("login.wrong", page_language(request, None)),
        )
    await login_throttle.give_back([key for key in keys if key.startswith("ip:")])
    for key in keys:
        if not key.startswith("ip:"):
            await login_throttle.forget(key)
    await login_throttle.forget(f"account:{who}")
    request.session.clear()
    request.session[SESSION_EDITOR] = editor.id
    request.session[SESSION_VERSION] = editor.session_version
    request.session[SESSION_LANGUAGE] = editor.language
    await record_login(editor)
    # A password someone else chose (the console's first one) is changed before anything else.
    chosen = "/account/password" if editor.must_change_password else target
    response = RedirectResponse(chosen, status_code=303)
    _remember_device(response, settings, editor.id)
    return response


def _throttle_keys(
    request: Request, settings: Settings, editor: Editor | None, who: str
) -> list[str]:
    """The editor's own known browser counts against itself only; any other attempt counts
    against its address and against the account."""
    if editor is not None:
        cookie = request.cookies.get(device_cookie.DEVICE_COOKIE)
        device = device_cookie.device_of(settings.secret_key, cookie, editor.id)
        if device is not None:
            return [f"device:{device}"]
    address = client_address(request.scope, settings.trusted_proxies)
    return [f"ip:{address}", f"account:{who}"]


def _remember_device(response: Response, settings: Settings, editor_id: int) -> None:
    response.set_cookie(
        device_cookie.DEVICE_COOKIE,
        device_cookie.issue(settings.secret_key, editor_id),
        max_age=device_cookie.DEVICE_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=settings.public_url.startswith("https://"),
    )


async def logout(request: Request) -> Response:
    await form_fields(request, max_fields=5, max_bytes=MAX_FORM_BYTES)
    editor = await current_editor(request)
    if editor is not None:
        await end_sessions(editor.id)
    language = request.session.get(SESSION_LANGUAGE)
    request.session.clear()
    if language is not None:  # a choice of words, not access: the login page keeps it
        request.session[SESSION_LANGUAGE] = language
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
