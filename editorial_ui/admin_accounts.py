"""`/admin/editors` and `/admin/tokens`: the admin page's forms for accounts. A new password
or token is shown on the page that answers the form, once, and never stored in clear."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from editorial_ui import flash
from editorial_ui.admin import admin_or_login, admin_page
from editorial_ui.flash import Notice
from editorial_ui.forms import form_fields
from editorial_ui.i18n import page_language, text
from tipdesk.editors import administration
from tipdesk.editors.models import Editor
from tipdesk.errors import Conflict, Forbidden, InvalidInput, NotFound

MAX_FORM_BYTES = 8 * 1024
FAILURES = (Conflict, Forbidden, InvalidInput, NotFound)


async def _form(request: Request) -> dict[str, str]:
    return await form_fields(request, max_fields=10, max_bytes=MAX_FORM_BYTES)


def _back(request: Request, notice: Notice) -> Response:
    flash.keep(request, notice)
    return RedirectResponse("/admin#accounts", status_code=303)


def _number(raw: str) -> int:
    if not raw.isdigit() or len(raw) > 9:  # ids are 32-bit integers
        raise NotFound("no such thing", reason="no_such_page")
    return int(raw)


def _text(form: dict[str, str], name: str, limit: int) -> str:
    return form.get(name, "")[:limit]


async def create_editor(request: Request) -> Response:
    admin = await admin_or_login(request)
    if isinstance(admin, Response):
        return admin
    form = await _form(request)
    try:
        created, password = await administration.add_editor(
            admin, _text(form, "email", 300), _text(form, "name", 200),
            _text(form, "role", 16), _text(form, "password", 1100),
        )  # fmt: skip
    except FAILURES as exc:
        return _back(request, flash.refusal(exc))
    who = {"name": created.display_name, "email": created.email}
    if password is None:
        return _back(request, Notice("flash.editor_created", who))
    secret = text("admin.password_for", page_language(request, admin), email=created.email,
                  password=password)  # fmt: skip
    return await admin_page(request, admin, Notice("flash.editor_created_password", who), secret)


async def editor_action(request: Request) -> Response:
    admin = await admin_or_login(request)
    if isinstance(admin, Response):
        return admin
    editor_id, action = _number(request.path_params["id"]), request.path_params["action"]
    if action not in ("role", "deactivate", "reactivate", "reset-password"):
        raise NotFound("no such action", reason="no_such_page")
    form = await _form(request)
    if action == "reset-password":
        return await _reset_password(request, admin, editor_id)
    try:
        if action == "role":
            await administration.change_role(admin, editor_id, _text(form, "role", 16))
        else:
            settings = request.app.state.settings
            await administration.set_active(admin, editor_id, action == "reactivate", settings)
    except FAILURES as exc:
        return _back(request, flash.refusal(exc))
    return _back(request, Notice("flash.saved"))


async def _reset_password(request: Request, admin: Editor, editor_id: int) -> Response:
    try:
        editor, temporary = await administration.reset_password(admin, editor_id)
    except FAILURES as exc:
        return _back(request, flash.refusal(exc))
    notice = Notice("flash.password_reset", {"email": editor.email})
    secret = text("admin.password_for", page_language(request, admin), email=editor.email,
                  password=temporary)  # fmt: skip
    return await admin_page(request, admin, notice, secret)


async def create_token(request: Request) -> Response:
    admin = await admin_or_login(request)
    if isinstance(admin, Response):
        return admin
    form = await _form(request)
    try:
        editor_id = _number(_text(form, "editor_id", 13))
        token = await administration.issue_token(admin, editor_id, _text(form, "label", 200))
    except FAILURES as exc:
        return _back(request, flash.refusal(exc))
    return await admin_page(request, admin, Notice("flash.token_created"), token)


async def revoke_token(request: Request) -> Response:
    admin = await admin_or_login(request)
    if isinstance(admin, Response):
        return admin
    token_id = _number(request.path_params["id"])
    await _form(request)
    try:
        await administration.revoke_token(admin, token_id)
    except FAILURES as exc:
        return _back(request, flash.refusal(exc))
    return _back(request, Notice("flash.token_revoked"))


routes = [
    Route("/admin/editors", create_editor, methods=["POST"]),
    Route("/admin/editors/{id}/{action}", editor_action, methods=["POST"]),
    Route("/admin/tokens", create_token, methods=["POST"]),
    Route("/admin/tokens/{id}/revoke", revoke_token, methods=["POST"]),
]
