"""`/api/v1/tips/{id}/…` for what editors add to a tip: notes, tags, desk, assignment, and
merging and splitting. Each handler reads the body and calls one domain action."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tipdesk.api.bodies import is_row_id, json_body, path_id
from tipdesk.editors.access import require_editor
from tipdesk.errors import InvalidInput
from tipdesk.tips import editing, merging
from tipdesk.tips.presenting import tip_summary


async def add_note(request: Request) -> Response:
    editor = await require_editor(request)
    data = await json_body(request)
    note = await editing.add_note(
        path_id(request), editor, request.app.state.settings, data.get("text")
    )
    return JSONResponse(await tip_summary(await note.tip), status_code=201)


async def tags(request: Request) -> Response:
    editor = await require_editor(request)
    data = await json_body(request)
    if not {"tags", "add", "remove"} & data.keys():
        raise InvalidInput('send "tags" (the new list), or "add" and/or "remove"')
    tip = await editing.change_tags(
        path_id(request), editor, request.app.state.settings,
        replace=data.get("tags"), add=data.get("add"), remove=data.get("remove"),
    )  # fmt: skip
    return JSONResponse(await tip_summary(tip))


async def desk(request: Request) -> Response:
    editor = await require_editor(request)
    data = await json_body(request)
    if "desk" not in data:
        raise InvalidInput('send "desk": a desk name, or null to clear it')
    tip = await editing.set_desk(path_id(request), editor, request.app.state.settings, data["desk"])
    return JSONResponse(await tip_summary(tip))


async def assign(request: Request) -> Response:
    editor = await require_editor(request)
    data = await json_body(request)
    tip = await editing.assign_tip(
        path_id(request), editor, request.app.state.settings, data.get("editor_id")
    )  # editing.assign_tip checks the id
    return JSONResponse(await tip_summary(tip))


async def merge(request: Request) -> Response:
    editor = await require_editor(request)
    data = await json_body(request)
    source = data.get("source_id")
    if not is_row_id(source):
        raise InvalidInput("source_id must be the id of the tip to merge into this one")
    tip = await merging.merge_tips(source, path_id(request), editor, request.app.state.settings)
    return JSONResponse(await tip_summary(tip))


async def split(request: Request) -> Response:
    editor = await require_editor(request)
    data = await json_body(request)
    # `wamid`: the name clients used before channels, still taken for WhatsApp's messages.
    message_id = data.get("external_id", data.get("wamid"))
    new = await merging.split_message(
        path_id(request), message_id, editor, request.app.state.settings
    )
    return JSONResponse(await tip_summary(new), status_code=201)


routes = [
    Route("/api/v1/tips/{id}/notes", add_note, methods=["POST"]),
    Route("/api/v1/tips/{id}/tags", tags, methods=["POST"]),
    Route("/api/v1/tips/{id}/desk", desk, methods=["POST"]),
    Route("/api/v1/tips/{id}/assign", assign, methods=["POST"]),
    Route("/api/v1/tips/{id}/merge", merge, methods=["POST"]),
    Route("/api/v1/tips/{id}/split", split, methods=["POST"]),
]
