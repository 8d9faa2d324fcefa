"""Who is asking: the one place editorial requests are authenticated.

Scripts send `Authorization: Bearer <token>`; the board's session login arrives with the board
issue and plugs in here. Every editorial URL (board, API, media) goes through `require_editor`.
"""

from __future__ import annotations

from starlette.requests import Request

from tipdesk.editors.accounts import token_digest
from tipdesk.editors.models import ApiToken, Editor
from tipdesk.errors import Unauthorized
from tipdesk.jobs.queue import utcnow

MAX_TOKEN_LENGTH = 256


async def require_editor(request: Request) -> Editor:
    editor = await editor_from_bearer(request.headers.get("authorization", ""))
    if editor is None:
        raise Unauthorized("log in, or send an API token as Authorization: Bearer <token>")
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
