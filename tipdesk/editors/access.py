"""Who is asking: the one place editorial requests are authenticated.

Browsers carry the signed session cookie set at `/login`; scripts send
`Authorization: Bearer <token>`. A state-changing request made with the cookie must also carry
the session's CSRF token (`X-CSRF-Token`), so another site cannot act through a logged-in
browser. Every editorial URL (board, API, media) goes through `require_editor`.
"""

from __future__ import annotations

from datetime import datetime

from starlette.requests import Request
from tortoise.expressions import F

from tipdesk.editors.accounts import token_digest
from tipdesk.editors.csrf import check_csrf
from tipdesk.editors.models import ApiToken, Editor, Role
from tipdesk.errors import Forbidden, Unauthorized
from tipdesk.jobs.queue import utcnow

MAX_TOKEN_LENGTH = 256
SESSION_EDITOR = "editor_id"
SESSION_VERSION = "session_version"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def current_editor(request: Request) -> Editor | None:
    """The editor behind the bearer token, else behind the session; None when neither."""
    if request.headers.get("authorization"):
        return await editor_from_bearer(request.headers["authorization"])
    session = request.scope.get("session", {})
    editor_id = session.get(SESSION_EDITOR)
    version = session.get(SESSION_VERSION)
    if not isinstance(editor_id, int) or not isinstance(version, int):
        return None
    return await Editor.get_or_none(id=editor_id, active=True, session_version=version)


async def end_sessions(editor_id: int) -> None:
    """Every cookie issued to this editor stops working on its next request."""
    await Editor.filter(id=editor_id).update(session_version=F("session_version") + 1)


async def require_editor(request: Request) -> Editor:
    editor = await current_editor(request)
    if editor is None:
        raise Unauthorized("log in, or send an API token as Authorization: Bearer <token>")
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
    if editor.role not in (Role.CHIEF, Role.ADMIN):
        raise Forbidden("reports are for desk chiefs and admins")
    return editor
