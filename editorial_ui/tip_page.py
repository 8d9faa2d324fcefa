"""`/tips/{id}`: one tip for an editor — the conversation, media, sender, history — and the
claim, release and status forms (CSRF-checked, through the same actions as the API)."""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from editorial_ui.board import local_times
from editorial_ui.pages import render
from tipdesk.audit.models import AuditEvent
from tipdesk.editors.access import current_editor
from tipdesk.editors.csrf import check_csrf
from tipdesk.editors.models import Editor
from tipdesk.errors import Conflict, Forbidden, InvalidInput, NotFound
from tipdesk.tips import actions
from tipdesk.tips.models import Tip, TipStatus
from tipdesk.tips.presenting import tip_summary

MAX_FORM_BYTES = 16 * 1024


async def show(request: Request) -> Response:
    editor = await current_editor(request)
    if editor is None:
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
    tip = await _tip(request)
    settings = request.app.state.settings
    summary = await tip_summary(tip, retention=settings.retention)
    summary = local_times([summary], settings.timezone)[0]
    events = (
        await AuditEvent.filter(tip_id=tip.id).order_by("created_at").prefetch_related("editor")
    )
    tz = request.app.state.settings.timezone
    history = [
        {"at": e.created_at.astimezone(tz).strftime("%d-%m %H:%M"), "action": e.action,
         "editor": e.editor.display_name if e.editor else None, "note": e.detail.get("note")}
        for e in events
    ]  # fmt: skip
    message = request.query_params.get("message", "")[:200]
    statuses = [s.value for s in TipStatus]
    return render(
        request, "tip.html", editor=editor, tip=summary, history=history, statuses=statuses,
        message=message,
    )  # fmt: skip


async def act(request: Request) -> Response:
    editor = await current_editor(request)
    if editor is None:
        return RedirectResponse("/login", status_code=303)
    tip = await _tip(request)
    async with request.form(max_files=0, max_fields=10, max_part_size=MAX_FORM_BYTES) as form:
        check_csrf(request, form.get("csrf_token"))
        fields = {key: str(value) for key, value in form.items()}
    message = await _apply(request.path_params["action"], tip, editor, fields, request)
    return RedirectResponse(f"/tips/{tip.id}?message={quote(message)}", status_code=303)


async def _apply(
    action: str, tip: Tip, editor: Editor, fields: dict[str, str], request: Request
) -> str:
    settings = request.app.state.settings
    try:
        if action == "claim":
            await actions.claim_tip(tip.id, editor, settings)
            return "Geclaimd."
        if action == "release":
            await actions.release_tip(tip.id, editor, settings)
            return "Vrijgegeven."
        if action == "status":
            await actions.change_status(
                tip.id,
                editor,
                settings,
                status=fields.get("status", ""),
                note=fields.get("note", ""),
            )
            return "Status opgeslagen."
    except (Conflict, Forbidden, InvalidInput) as exc:
        return exc.message
    raise NotFound("no such action")


async def _tip(request: Request) -> Tip:
    raw = request.path_params["id"]
    tip = await Tip.get_or_none(id=int(raw)) if raw.isdigit() and len(raw) <= 12 else None
    if tip is None:
        raise NotFound("no such tip")
    return tip


routes = [
    Route("/tips/{id}", show, methods=["GET"]),
    Route("/tips/{id}/{action}", act, methods=["POST"]),
]
