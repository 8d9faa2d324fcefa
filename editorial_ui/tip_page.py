"""`/tips/{id}`: one tip for an editor — the conversation, media, sender, history — and the
claim, release and status forms (CSRF-checked, through the same actions as the API)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from editorial_ui.board import local_times
from editorial_ui.pages import render
from tipdesk.audit.models import AuditEvent
from tipdesk.conversation import consent, readers, replies
from tipdesk.conversation.outbox import window_open
from tipdesk.conversation.read_receipts import tip_opened
from tipdesk.editors.access import current_editor
from tipdesk.editors.csrf import check_csrf
from tipdesk.editors.models import Editor
from tipdesk.errors import Conflict, Forbidden, InvalidInput, NotFound
from tipdesk.settings import Settings
from tipdesk.tips import actions
from tipdesk.tips.models import Sender, Tip, TipStatus
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
    message = request.query_params.get("message", "")[:300]
    statuses = [s.value for s in TipStatus]
    sender = await Sender.get(id=tip.sender_id)
    await tip_opened(tip.id, request.app.state.settings)
    return render(
        request, "tip.html", editor=editor, tip=summary, history=history, statuses=statuses,
        message=message, ticks=TICKS, window_open=window_open(sender),
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
                tip.id, editor, settings, status=fields.get("status", ""),
                note=fields.get("note", ""), published_url=fields.get("published_url") or None,
                override_reason=fields.get("override_reason") or None,
            )  # fmt: skip
            return "Status opgeslagen."
        if action in CONVERSATION_ACTIONS:
            return await CONVERSATION_ACTIONS[action](tip, editor, fields, settings)
    except (Conflict, Forbidden, InvalidInput) as exc:
        return exc.message
    raise NotFound("no such action")


async def _reply(tip: Tip, editor: Editor, fields: dict[str, str], settings: Settings) -> str:
    sent = await replies.reply_to_reader(
        tip.id, editor, settings, text=fields.get("text", ""), quote=fields.get("quote") or None
    )
    return sent.notice or "Antwoord verstuurd."


async def _consent(tip: Tip, editor: Editor, fields: dict[str, str], settings: Settings) -> str:
    await consent.request_consent(tip.id, editor, settings)
    return "Toestemming gevraagd."


async def _block(tip: Tip, editor: Editor, fields: dict[str, str], settings: Settings) -> str:
    await readers.set_blocked(tip.sender_id, editor, blocked=True)
    return "Lezer geblokkeerd: de desk stuurt deze lezer niets meer."


async def _unblock(tip: Tip, editor: Editor, fields: dict[str, str], settings: Settings) -> str:
    await readers.set_blocked(tip.sender_id, editor, blocked=False)
    return "Lezer gedeblokkeerd."


CONVERSATION_ACTIONS: dict[
    str, Callable[[Tip, Editor, dict[str, str], Settings], Awaitable[str]]
] = {"reply": _reply, "consent": _consent, "block": _block, "unblock": _unblock}
# How WhatsApp shows delivery: one tick sent, two delivered, two blue read.
TICKS = {
    "queued": "🕓", "sent": "✓", "delivered": "✓✓", "read": "✓✓", "played": "✓✓",
    "failed": "✗ mislukt", "held": "⏸ wacht op de lezer", "cancelled": "niet verstuurd",
}  # fmt: skip


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
