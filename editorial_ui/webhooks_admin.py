"""`/admin/webhooks` for admins: the outbound webhook subscriptions (address, events, on or off),
their secrets shown once, and the delivery log with a button to send one again. Every change
goes through tipdesk/webhooks/subscriptions.py (audited)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from editorial_ui import flash
from editorial_ui.flash import Notice
from editorial_ui.forms import form_with_lists
from editorial_ui.gates import editor_allowed
from editorial_ui.i18n import page_language, text
from editorial_ui.pages import render
from tipdesk.clock import utcnow
from tipdesk.editors.models import Editor
from tipdesk.editors.permissions import may_administer
from tipdesk.errors import Forbidden, InvalidInput, NotFound
from tipdesk.webhooks import subscriptions
from tipdesk.webhooks.events import WebhookEvent

PAGE = "/admin/webhooks"
LOG_SIZE = 50
MAX_FORM_BYTES = 8 * 1024


async def _admin(request: Request) -> Editor | Response:
    return await editor_allowed(
        request, may_administer, Forbidden(subscriptions.REFUSAL, reason="admins_only")
    )


async def page(request: Request, editor: Editor, secret: str | None = None) -> Response:
    return render(
        request, "webhooks.html", editor=editor, secret=secret,
        hooks=await subscriptions.subscriptions(),
        deliveries=await subscriptions.recent_deliveries(LOG_SIZE),
        events=[event.value for event in WebhookEvent], log_size=LOG_SIZE, now=utcnow(),
    )  # fmt: skip


async def overview(request: Request) -> Response:
    editor = await _admin(request)
    if isinstance(editor, Response):
        return editor
    return await page(request, editor)


async def _wanted(request: Request) -> subscriptions.Wanted:
    fields, lists = await form_with_lists(
        request, max_fields=20, max_bytes=MAX_FORM_BYTES, lists=("events",)
    )
    return subscriptions.Wanted(
        url=fields.get("url", ""), events=lists["events"],
        description=fields.get("description", ""), active=fields.get("active") == "on",
    )  # fmt: skip


async def create(request: Request) -> Response:
    """Answered with the page itself, not a redirect: the secret is shown this once and never
    kept in the session."""
    editor = await _admin(request)
    if isinstance(editor, Response):
        return editor
    try:
        hook, secret = await subscriptions.create_subscription(
            editor, await _wanted(request), request.app.state.settings
        )
    except InvalidInput as refusal:
        flash.keep(request, flash.refusal(refusal))
        return RedirectResponse(PAGE, status_code=303)
    return await page(request, editor, _secret_line(request, editor, hook.id, secret))


async def change(request: Request) -> Response:
    editor = await _admin(request)
    if isinstance(editor, Response):
        return editor
    try:
        await subscriptions.change_subscription(
            editor, _id(request), await _wanted(request), request.app.state.settings
        )
    except (InvalidInput, NotFound) as refusal:
        flash.keep(request, flash.refusal(refusal))
    else:
        flash.keep(request, Notice("hooks.saved"))
    return RedirectResponse(PAGE, status_code=303)


async def renew(request: Request) -> Response:
    editor = await _admin(request)
    if isinstance(editor, Response):
        return editor
    await form_with_lists(request, max_fields=2, max_bytes=1024, lists=())
    hook_id = _id(request)
    secret = await subscriptions.renew_secret(editor, hook_id)
    return await page(request, editor, _secret_line(request, editor, hook_id, secret))


async def delete(request: Request) -> Response:
    editor = await _admin(request)
    if isinstance(editor, Response):
        return editor
    await form_with_lists(request, max_fields=2, max_bytes=1024, lists=())
    await subscriptions.delete_subscription(editor, _id(request))
    flash.keep(request, Notice("hooks.deleted"))
    return RedirectResponse(PAGE, status_code=303)


async def redeliver(request: Request) -> Response:
    editor = await _admin(request)
    if isinstance(editor, Response):
        return editor
    await form_with_lists(request, max_fields=2, max_bytes=1024, lists=())
    await subscriptions.redeliver(editor, _id(request))
    flash.keep(request, Notice("hooks.redelivered"))
    return RedirectResponse(PAGE + "#log", status_code=303)


def _secret_line(request: Request, editor: Editor, hook_id: int, secret: str) -> str:
    return text("hooks.secret_once", page_language(request, editor), id=hook_id, secret=secret)


def _id(request: Request) -> int:
    raw = request.path_params["id"]
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        raise NotFound("no such webhook", reason="no_such_hook")
    return int(raw)


routes = [
    Route(PAGE, overview, methods=["GET"]),
    Route(PAGE, create, methods=["POST"]),
    Route(PAGE + "/{id}", change, methods=["POST"]),
    Route(PAGE + "/{id}/secret", renew, methods=["POST"]),
    Route(PAGE + "/{id}/delete", delete, methods=["POST"]),
    Route(PAGE + "/deliveries/{id}/redeliver", redeliver, methods=["POST"]),
]
