"""The one gate of the pages only some editors may open: a login first, then the role."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from tipdesk.editors.access import current_editor
from tipdesk.editors.models import Editor
from tipdesk.errors import Forbidden


async def editor_allowed(
    request: Request, may: Callable[[Editor], bool], refusal: Forbidden
) -> Editor | Response:
    """The editor when `may` lets them in; the login page (coming back here) when nobody is
    logged in; `refusal` for an editor of another role."""
    editor = await current_editor(request)
    if editor is None:
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
    if not may(editor):
        raise refusal
    return editor
