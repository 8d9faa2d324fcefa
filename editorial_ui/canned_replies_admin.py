"""`/admin/replies` for chiefs and admins: the canned replies editors may start a reply from,
written, changed and deleted through conversation/canned_replies.py (audited)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from editorial_ui import flash
from editorial_ui.flash import Notice
from editorial_ui.forms import form_fields
from editorial_ui.gates import editor_allowed
from editorial_ui.pages import render
from tipdesk.conversation.canned_replies import (
    MAX_BODY,
    MAX_TITLE,
    VARIABLES,
    canned_replies,
    delete_canned_reply,
    save_canned_reply,
)
from tipdesk.editors.models import Editor
from tipdesk.editors.permissions import may_keep_canned_replies
from tipdesk.errors import Forbidden, InvalidInput, NotFound

PAGE = "/admin/replies"
MAX_FORM_BYTES = 64 * 1024


async def _keeper(request: Request) -> Editor | Response:
    return await editor_allowed(
        request,
        may_keep_canned_replies,
        Forbidden("only a chief or an admin may keep canned replies", reason="canned_chiefs"),
    )


async def overview(request: Request) -> Response:
    editor = await _keeper(request)
    if isinstance(editor, Response):
        return editor
    return render(
        request, "canned_replies.html", editor=editor, replies=await canned_replies(),
        variables=VARIABLES, max_title=MAX_TITLE, max_body=MAX_BODY,
    )  # fmt: skip


async def save(request: Request) -> Response:
    editor = await _keeper(request)
    if isinstance(editor, Response):
        return editor
    fields = await form_fields(request, max_fields=5, max_bytes=MAX_FORM_BYTES)
    raw = request.path_params.get("id")
    try:
        reply_id = _id(raw) if raw is not None else None
        await save_canned_reply(editor, fields.get("title", ""), fields.get("body", ""), reply_id)
    except (InvalidInput, NotFound) as refusal:
        flash.keep(request, flash.refusal(refusal))
    else:
        flash.keep(request, Notice("flash.saved"))
    return RedirectResponse(PAGE, status_code=303)


async def delete(request: Request) -> Response:
    editor = await _keeper(request)
    if isinstance(editor, Response):
        return editor
    await form_fields(request, max_fields=2, max_bytes=1024)
    try:
        await delete_canned_reply(editor, _id(request.path_params["id"]))
    except NotFound as refusal:
        flash.keep(request, flash.refusal(refusal))
    else:
        flash.keep(request, Notice("canned.deleted"))
    return RedirectResponse(PAGE, status_code=303)


def _id(raw: str) -> int:
    if not raw.isdigit() or len(raw) > 9:
        raise NotFound("no such canned reply", reason="no_such_canned")
    return int(raw)


routes = [
    Route(PAGE, overview, methods=["GET"]),
    Route(PAGE, save, methods=["POST"]),
    Route(PAGE + "/{id}", save, methods=["POST"]),
    Route(PAGE + "/{id}/delete", delete, methods=["POST"]),
]
