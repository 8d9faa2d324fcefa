"""Who is asking: the one place editorial requests are authenticated.

Browsers carry the signed session cookie set at `/login`; scripts send
`Authorization: Bearer <token>`. A state-changing request made with the cookie must also carry
the session's CSRF token (`X-CSRF-Token`), so another site cannot act through a logged-in
browser. Every editorial URL (board, API, media) goes through `require_editor` or
`current_editor`, so the rules for a session live here: one whose password someone else chose
reaches nothing but the password page and logout until it is changed.
"""

from __future__ import annotations

from datetime import datetime

from starlette.requests import Request
from tortoise.expressions import F

from tipdesk.clock import utcnow
from tipdesk.editors.accounts import token_digest
from tipdesk.editors.csrf import check_csrf
from tipdesk.editors.models import ApiToken, Editor
from tipdesk.editors.permissions import may_see_reports
from tipdesk.errors import Forbidden, PasswordChangeRequired, Unauthorized

MAX_TOKEN_LENGTH = 256
SESSION_EDITOR = "editor_id"
SESSION_VERSION = "session_version"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# All a session may reach before its editor has replaced a password someone else chose
# (static assets and public pages ask for no editor at all).
OPEN_BEFORE_PASSWORD_CHANGE = frozenset({PasswordChangeRequired.page, "/logout"})


async def current_editor(request: Request) -> Editor | None:
    """The editor behind the bearer token, else behind the session; None when neither."""
    if request.headers.get("authorization"):
        return await editor_from_bearer(request.headers["authorization"])
    editor = await _session_editor(request)
    if editor is not None:
        check_password_chosen(request, editor)
    return editor


async def _session_editor(request: Request) -> Editor | None:
    session = request.scope.get("session", {})
    editor_id = session.get(SESSION_EDITOR)
    version = session.get(SESSION_VERSION)
    if not isinstance(editor_id, int) or not isinstance(version, int):
        return None
    return await Editor.get_or_none(id=editor_id, active=True, session_version=version)


def check_password_chosen(request: Request, editor: Editor) -> None:
    """A browser session whose password someone else chose (an admin's reset, the first-start
    console) may only change it or log out; every other page sends it to the password page
    (a GET) or is refused (anything else). Tokens are exempt: an admin issued them, not
    the temporary password."""
    if editor.must_change_password and request.url.path not in OPEN_BEFORE_PASSWORD_CHANGE:
        raise PasswordChangeRequired(
            "choose your own password first, at /account/password",
            reason="choose_own_password",
        )


async def end_sessions(editor_id: int) -> None:
    """Every cookie issued to this editor stops working on its next request."""
    await Editor.filter(id=editor_id).update(session_version=F("session_version") + 1)


async def require_editor(request: Request) -> Editor:
    editor = await current_editor(request)
    if editor is None:
        raise Unauthorized(
            "log in, or send an API token as Authorization: Bearer <token>", reason="log_in"
        )
    if not request.headers.get("authorization") and request.method not in SAFE_METHODS:
        check_csrf(request, request.headers.get("x-csrf-token"))
    return editor


async def editor_from_bearer(header: str) -> Editor | None:
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    found = await ApiToken.get_or_none(
        token_hash=token_digest(token), revoked_at=None
    ).prefetch_related("editor")
    now = utcnow()
    if found is None or not found.editor.active or _expired(found, now):
        return None
    await ApiToken.filter(id=found.id).update(last_used_at=now)
    return found.editor


def _expired(token: ApiToken, now: datetime) -> bool:
    return token.expires_at is not None and token.expires_at <= now


async def require_chief(request: Request) -> Editor:
    """Reports are for desk chiefs and admins."""
    editor = await require_editor(request)
    if not may_see_reports(editor):
        raise Forbidden("reports are for desk chiefs and admins", reason="chiefs_only")
    return editor
