"""The board's views: the three built in and the editor's own, each a search with its count
beside it (counted on every board render, so the live refresh keeps them current), and the
forms that save and delete an editor's own."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from editorial_ui import flash
from editorial_ui.flash import Notice
from editorial_ui.forms import form_fields
from tipdesk.editors.access import current_editor
from tipdesk.editors.models import Editor
from tipdesk.editors.saved_views import View, built_in_views, delete_view, own_views, save_view
from tipdesk.errors import InvalidInput, NotFound
from tipdesk.search.engine import count_tips
from tipdesk.settings import Settings


async def views_with_counts(
    settings: Settings, editor: Editor, current: str
) -> list[dict[str, Any]]:
    """Each view as the board lists it: words or name, link, count, and whether it is the
    search on screen now."""
    shown = []
    for view in [*built_in_views(editor), *await own_views(editor)]:
        shown.append(_shown(view, await count_tips(settings, view.query), current))
    return shown


def _shown(view: View, count: int | None, current: str) -> dict[str, Any]:
    return {
        "key": view.key, "name": view.name, "id": view.id, "query": view.query,
        "href": "/board?" + urlencode({"q": view.query}), "count": count,
        "current": " ".join(current.split()) == view.query,
    }  # fmt: skip


async def save(request: Request) -> Response:
    editor = await current_editor(request)
    if editor is None:
        return RedirectResponse("/login", status_code=303)
    fields = await form_fields(request, max_fields=4, max_bytes=4096)
    query = fields.get("query", "")
    try:
        view = await save_view(editor, fields.get("name", ""), query)
    except InvalidInput as refusal:
        flash.keep(request, flash.refusal(refusal))
        return RedirectResponse("/board?" + urlencode({"q": query[:500]}), status_code=303)
    flash.keep(request, Notice("views.saved", {"name": view.name}))
    return RedirectResponse("/board?" + urlencode({"q": view.query}), status_code=303)


async def delete(request: Request) -> Response:
    editor = await current_editor(request)
    if editor is None:
        return RedirectResponse("/login", status_code=303)
    await form_fields(request, max_fields=2, max_bytes=1024)
    raw = request.path_params["id"]
    try:
        if not raw.isdigit() or len(raw) > 9:
            raise NotFound("no such view", reason="no_such_view")
        await delete_view(editor, int(raw))
    except NotFound as refusal:
        flash.keep(request, flash.refusal(refusal))
    else:
        flash.keep(request, Notice("views.deleted"))
    return RedirectResponse("/board", status_code=303)


routes = [
    Route("/board/views", save, methods=["POST"]),
    Route("/board/views/{id}/delete", delete, methods=["POST"]),
]
