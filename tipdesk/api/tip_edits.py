"""`/api/v1/tips/{id}/…` for what editors add to a tip: notes, tags, desk, assignment, and
merging and splitting; `/api/v1/tips/bulk` for the board's bulk actions. Each handler reads
the body and calls one domain action."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tipdesk.api.bodies import is_row_id, json_body, path_id
from tipdesk.editors.access import require_editor
from tipdesk.errors import InvalidInput
from tipdesk.tips import bulk as bulk_actions
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


async def bulk(request: Request) -> Response:
    """The board's bulk form for scripts: archive, reject, tag or assign several tips; what was
    done and, per tip, what was refused and why (a refusal for one leaves the others done)."""
    editor = await require_editor(request)
    data = await json_body(request)
    ids, tags, assignee = data.get("tip_ids"), data.get("tags"), data.get("editor_id")
    if not isinstance(ids, list) or not all(is_row_id(tip_id) for tip_id in ids):
        raise InvalidInput("tip_ids must be a list of tip ids")
    if tags is not None and not (isinstance(tags, list) and all(isinstance(t, str) for t in tags)):
        raise InvalidInput("tags must be a list of strings", reason="tags_not_a_list")
    if assignee is not None and not is_row_id(assignee):
        raise InvalidInput("editor_id must be an editor's id", reason="choose_assignee")
    outcome = await bulk_actions.apply_to_tips(
        ids, editor, request.app.state.settings,
        bulk_actions.bulk_action(str(data.get("action", ""))), tags=tags, assignee_id=assignee,
    )  # fmt: skip
    refused = [
        {"id": tip_id, "code": why.code.value, "reason": why.reason, "message": why.message}
        for tip_id, why in outcome.refused
    ]
    return JSONResponse({"done": outcome.done, "refused": refused})


routes = [
    Route("/api/v1/tips/bulk", bulk, methods=["POST"]),
    Route("/api/v1/tips/{id}/notes", add_note, methods=["POST"]),
    Route("/api/v1/tips/{id}/tags", tags, methods=["POST"]),
    Route("/api/v1/tips/{id}/desk", desk, methods=["POST"]),
    Route("/api/v1/tips/{id}/assign", assign, methods=["POST"]),
    Route("/api/v1/tips/{id}/merge", merge, methods=["POST"]),
    Route("/api/v1/tips/{id}/split", split, methods=["POST"]),
]
