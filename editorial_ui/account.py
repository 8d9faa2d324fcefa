"""An editor's own account: changing the password (current, new, new again). A change ends
every session of the editor, on every device, and issues the changer a fresh cookie."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from editorial_ui.editor_texts import password_refusal
from editorial_ui.forms import form_fields
from editorial_ui.pages import render
from tipdesk.editors.access import SESSION_EDITOR, SESSION_VERSION, current_editor
from tipdesk.editors.accounts import PasswordRefused, set_password, verify_password
from tipdesk.editors.models import Editor

MAX_FORM_BYTES = 8 * 1024
PAGE = "/account/password"


async def password_page(request: Request) -> Response:
    editor = await current_editor(request)
    if editor is None:
        return RedirectResponse(f"/login?next={PAGE}", status_code=303)
    return render(request, "account_password.html", editor=editor, error=None, done=False)


async def change_password(request: Request) -> Response:
    editor = await current_editor(request)
    if editor is None:
        return RedirectResponse(f"/login?next={PAGE}", status_code=303)
    form = await form_fields(request, max_fields=10, max_bytes=MAX_FORM_BYTES)
    new = form.get("new_password", "")[:1025]
    problem = await _problem(editor, form.get("current_password", "")[:1025], new, form)
    if problem is None:
        try:
            changed = await set_password(editor.email, new, by=editor)
        except PasswordRefused as exc:
            problem = f"Het nieuwe wachtwoord is niet goed: {password_refusal(exc)}."
    if problem is not None:
        return render(request, "account_password.html", 400, editor=editor, error=problem)
    request.session[SESSION_EDITOR] = changed.id
    request.session[SESSION_VERSION] = changed.session_version
    return render(request, "account_password.html", editor=changed, error=None, done=True)


async def _problem(editor: Editor, current: str, new: str, form: dict[str, str]) -> str | None:
    if not await verify_password(editor.password_hash, current):
        return "Het huidige wachtwoord klopt niet."
    if new != form.get("new_password_again", ""):
        return "De twee nieuwe wachtwoorden verschillen."
    return None


routes = [
    Route(PAGE, password_page, methods=["GET"]),
    Route(PAGE, change_password, methods=["POST"]),
]
