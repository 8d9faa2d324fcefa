"""`/tips/{id}`: one tip for an editor — the conversation, media, sender, notes, history — and
the forms that handle it (CSRF-checked, through the same domain actions as the API)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from editorial_ui import flash
from editorial_ui.board import local_times
from editorial_ui.flash import Notice
from editorial_ui.forms import form_fields
from editorial_ui.pages import render
from editorial_ui.tip_conversation import CONVERSATION_HANDLERS, conversation_view
from editorial_ui.tip_timeline import media_places, timeline
from editorial_ui.tip_verification import add_verification
from tipdesk.audit.models import AuditEvent
from tipdesk.conversation.consent_alerts import handle_alert
from tipdesk.conversation.models import ConsentRecord
from tipdesk.conversation.read_receipts import tip_opened
from tipdesk.editors.access import current_editor, require_editor
from tipdesk.editors.models import Editor
from tipdesk.editors.permissions import may_assign
from tipdesk.errors import Conflict, Forbidden, InvalidInput, NotFound
from tipdesk.settings import Settings
from tipdesk.tips import actions, editing, merging
from tipdesk.tips.models import Sender, Tip, TipStatus
from tipdesk.tips.presenting import consent_evidence, tip_summary
from tipdesk.tips.queries import desks_in_use
from tipdesk.tips.seen import mark_seen
from tipdesk.webform.models import WebformContact

# A note of 5,000 characters outside ASCII, percent-encoded, stays well under this.
MAX_FORM_BYTES = 128 * 1024
Form = dict[str, str]
PANE_HEADER = "x-tipdesk-pane"


async def show(request: Request) -> Response:
    editor = await current_editor(request)
    if editor is None:
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
    tip = await find_tip(request)
    settings: Settings = request.app.state.settings
    tz = settings.timezone
    summary = local_times(
        [
            await tip_summary(
                tip, retention=settings.retention, evidence_retention=settings.evidence_retention
            )
        ],
        tz,
    )[0]
    for note in summary["notes"]:
        note["local"] = _local(note["created_at"], tz)
    for shown in summary["messages"]:
        _local_moments(shown, tz)
    if summary["consent_alert_at"]:
        summary["consent_alert_local"] = _local(summary["consent_alert_at"], tz)
    records = await ConsentRecord.filter(tip_id=tip.id).order_by("-requested_at", "-id")
    consent_records = await consent_evidence(records)
    for record in consent_records:
        for moment in ("requested", "answered", "revoked"):
            at = record[f"{moment}_at"]
            record[f"{moment}_local"] = _local(at, tz) if at else None
    await add_verification(summary, tz)
    history = await _history(tip, tz)
    entries = timeline(summary, history, await media_places(tip.id))
    pane = in_pane(request)
    page = render(
        request, "tip.html", editor=editor, tip=summary, history=history, timeline=entries,
        consent_records=consent_records, contact=await _form_contact(tip),
        statuses=[s.value for s in TipStatus], pane=pane,
        **await _choices(tip, editor), **await conversation_view(tip, editor),
    )  # fmt: skip
    page.headers["vary"] = PANE_HEADER
    if pane:
        page.headers[PANE_HEADER] = "1"
    return page


def in_pane(request: Request) -> bool:
    """The board's right pane on a wide screen (panes.js) asks for the tip without the desk's
    header around it. A fetch keeps the header through the 303 after a form, so a form sent
    from the pane comes back as the pane too."""
    return request.headers.get(PANE_HEADER) == "1"


async def _form_contact(tip: Tip) -> WebformContact | None:
    """What a web form reader left to be reached by (nothing for WhatsApp's readers)."""
    sender = await Sender.get(id=tip.sender_id)
    return await WebformContact.get_or_none(address=sender.user_id) if sender.user_id else None


async def opened(request: Request) -> Response:
    """The tip page's script says it is on an editor's screen: the reader's messages are read
    now, not when something merely fetched the page (a GET changes nothing)."""
    editor = await require_editor(request)  # CSRF-checked: a POST made with the session cookie
    tip = await find_tip(request)
    await tip_opened(tip.id, request.app.state.settings)
    await mark_seen(tip.id, editor.id)
    return Response(status_code=204)


def _local_moments(message: dict[str, Any], tz: ZoneInfo) -> None:
    message["received_local"] = _local(message["received_at"], tz)
    for moment in ("edited", "revoked"):
        if message.get(f"{moment}_at"):
            message[f"{moment}_local"] = _local(message[f"{moment}_at"], tz)
    for version in message.get("content", {}).get("versions") or []:
        version["local"] = _local(str(version["at"]), tz)


def _local(iso: str, tz: ZoneInfo) -> str:
    return datetime.fromisoformat(iso).astimezone(tz).strftime("%d-%m %H:%M")


async def _history(tip: Tip, tz: ZoneInfo) -> list[dict[str, Any]]:
    events = (
        await AuditEvent.filter(tip_id=tip.id).order_by("created_at").prefetch_related("editor")
    )
    return [
        {"at": e.created_at.astimezone(tz).strftime("%d-%m %H:%M"), "action": e.action,
         "iso": e.created_at.isoformat(),
         "editor": e.editor.display_name if e.editor else None, "note": e.detail.get("note")}
        for e in events
    ]  # fmt: skip


async def _choices(tip: Tip, editor: Editor) -> dict[str, Any]:
    """What the forms offer: the reader's other open tips, desks in use, editors to assign."""
    closed = [status for status in TipStatus if status.is_closed]
    others = (
        await Tip.filter(sender_id=tip.sender_id, merged_into_id=None, status__not_in=closed)
        .exclude(id=tip.id)
        .order_by("-first_message_at", "-id")
        .limit(20)
    )
    active = Editor.filter(active=True).order_by("display_name")
    editors = await active if may_assign(editor) else []
    return {"other_tips": others, "desks": await desks_in_use(), "editors": editors}


async def act(request: Request) -> Response:
    editor = await current_editor(request)
    if editor is None:
        return RedirectResponse("/login", status_code=303)
    tip = await find_tip(request)
    handler = HANDLERS.get(request.path_params["action"])
    if handler is None:
        raise NotFound("no such action", reason="no_such_page")
    fields = await form_fields(request, max_fields=10, max_bytes=MAX_FORM_BYTES)
    try:
        notice, target = await handler(tip, editor, fields, request.app.state.settings)
    except (Conflict, Forbidden, InvalidInput, NotFound) as exc:
        notice, target = flash.refusal(exc), tip.id
    flash.keep(request, notice)
    return RedirectResponse(f"/tips/{target}", status_code=303)


Handler = Callable[[Tip, Editor, Form, Settings], Awaitable[tuple[Notice, int]]]


async def _claim(tip: Tip, editor: Editor, fields: Form, settings: Settings) -> tuple[Notice, int]:
    await actions.claim_tip(tip.id, editor, settings)
    return Notice("flash.claimed"), tip.id


async def _take_over(
    tip: Tip, editor: Editor, fields: Form, settings: Settings
) -> tuple[Notice, int]:
    """A chief or admin takes the claim from the editor who holds it (audited)."""
    await actions.claim_tip(tip.id, editor, settings, takeover=True)
    return Notice("flash.taken_over"), tip.id


async def _release(
    tip: Tip, editor: Editor, fields: Form, settings: Settings
) -> tuple[Notice, int]:
    await actions.release_tip(tip.id, editor, settings)
    return Notice("flash.released"), tip.id


async def _status(tip: Tip, editor: Editor, fields: Form, settings: Settings) -> tuple[Notice, int]:
    await actions.change_status(
        tip.id, editor, settings, status=fields.get("status", ""), note=fields.get("note", ""),
        published_url=fields.get("published_url") or None,
        override_reason=fields.get("override_reason") or None,
    )  # fmt: skip
    return Notice("flash.status_saved"), tip.id


async def _consent_alert(
    tip: Tip, editor: Editor, fields: Form, settings: Settings
) -> tuple[Notice, int]:
    await handle_alert(tip.id, editor, fields.get("note", ""))
    return Notice("flash.alert_handled"), tip.id


async def _note(tip: Tip, editor: Editor, fields: Form, settings: Settings) -> tuple[Notice, int]:
    await editing.add_note(tip.id, editor, settings, fields.get("text", ""))
    return Notice("flash.note_added"), tip.id


async def _tags(tip: Tip, editor: Editor, fields: Form, settings: Settings) -> tuple[Notice, int]:
    typed = fields.get("tags", "")
    if len(typed) > 2000:
        raise InvalidInput(
            "too many tags", reason="too_many_tags", values={"limit": editing.MAX_TAGS}
        )
    tags = editing.split_tags(typed)
    await editing.change_tags(tip.id, editor, settings, replace=tags)
    return Notice("flash.tags_saved"), tip.id


async def _desk(tip: Tip, editor: Editor, fields: Form, settings: Settings) -> tuple[Notice, int]:
    await editing.set_desk(tip.id, editor, settings, fields.get("desk", ""))
    return Notice("flash.desk_saved"), tip.id


async def _assign(tip: Tip, editor: Editor, fields: Form, settings: Settings) -> tuple[Notice, int]:
    await editing.assign_tip(tip.id, editor, settings, _number(fields.get("editor_id", "")))
    return Notice("flash.assigned"), tip.id


async def _merge(tip: Tip, editor: Editor, fields: Form, settings: Settings) -> tuple[Notice, int]:
    source = _number(fields.get("source_id", ""))
    await merging.merge_tips(source, tip.id, editor, settings)
    return Notice("flash.merged", {"source": source}), tip.id


async def _split(tip: Tip, editor: Editor, fields: Form, settings: Settings) -> tuple[Notice, int]:
    new = await merging.split_message(tip.id, fields.get("external_id", ""), editor, settings)
    return Notice("flash.split", {"tip": tip.id}), new.id


def _number(raw: str) -> int:
    if not raw.isdigit() or len(raw) > 9:  # ids are 32-bit integers
        raise InvalidInput("choose one from the list", reason="choose_from_list")
    return int(raw)


HANDLERS: dict[str, Handler] = {
    "claim": _claim, "takeover": _take_over, "release": _release, "status": _status,
    "note": _note, "tags": _tags, "desk": _desk, "assign": _assign, "merge": _merge,
    "split": _split,
    "consent-alert": _consent_alert,
    **CONVERSATION_HANDLERS,
}  # fmt: skip


async def find_tip(request: Request) -> Tip:
    raw = request.path_params["id"]
    tip = await Tip.get_or_none(id=int(raw)) if raw.isdigit() and len(raw) <= 9 else None
    if tip is None:
        raise NotFound("no such tip", reason="no_such_tip")
    return tip


routes = [
    Route("/tips/{id}", show, methods=["GET"]),
    Route("/tips/{id}/opened", opened, methods=["POST"]),
    Route("/tips/{id}/{action}", act, methods=["POST"]),
]
