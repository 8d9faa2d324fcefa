"""Who is asking: the one place editorial requests are authenticated.

Browsers carry the signed session cookie set at `/login`; scripts send
`Authorization: Bearer <token>`. A state-changing request made with the cookie must also carry
the session's CSRF token (`X-CSRF-Token`), so another site cannot act through a logged-in
browser. Every editorial URL (board, API, media) goes through `require_editor`.
"""

from __future__ import annotations

from starlette.requests import Request

from tipdesk.editors.accounts import token_digest
from tipdesk.editors.csrf import check_csrf
from tipdesk.editors.models import ApiToken, Editor, Role
from tipdesk.errors import Forbidden, Unauthorized
from tipdesk.jobs.queue import utcnow

MAX_TOKEN_LENGTH = 256
SESSION_EDITOR = "editor_id"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def current_editor(request: Request) -> Editor | None:
    """The editor behind the bearer token, else behind the session; None when neither."""
    if request.headers.get("authorization"):
        return await editor_from_bearer(request.headers["authorization"])
    editor_id = request.scope.get("session", {}).get(SESSION_EDITOR)
    if not isinstance(editor_id, int):
        return None
    return await Editor.get_or_none(id=editor_id, active=True)


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
    if found is None or not found.editor.active:
        return None
    await ApiToken.filter(id=found.id).update(last_used_at=utcnow())
    return found.editor


async def require_chief(request: Request) -> Editor:
    """Reports are for desk chiefs and admins."""
    editor = await require_editor(request)
    if editor.role not in (Role.CHIEF, Role.ADMIN):
        raise Forbidden("reports are for desk chiefs and admins")
    return editor
