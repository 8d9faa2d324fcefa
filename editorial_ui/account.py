"""An editor's own account: changing the password (current, new, new again). A change ends
every session of the editor, on every device, and issues the changer a fresh cookie."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from editorial_ui import flash
from editorial_ui.flash import Notice, reason_words
from editorial_ui.forms import form_fields
from editorial_ui.i18n import LANGUAGE_NAMES, LANGUAGES, SESSION_LANGUAGE, page_language, text
from editorial_ui.pages import render
from tipdesk.editors.access import SESSION_EDITOR, SESSION_VERSION, current_editor
from tipdesk.editors.accounts import PasswordRefused, set_language, set_password, verify_password
from tipdesk.editors.models import Editor

MAX_FORM_BYTES = 8 * 1024
PAGE = "/account/password"


async def password_page(request: Request) -> Response:
    editor = await current_editor(request)
    if editor is None:
        return RedirectResponse(f"/login?next={PAGE}", status_code=303)
    return _page(request, editor)


def _page(
    request: Request,
    editor: Editor,
    status: int = 200,
    error: str | None = None,
    done: bool = False,
) -> Response:
    return render(
        request, "account_password.html", status, editor=editor, error=error, done=done,
        languages=LANGUAGE_NAMES,
    )  # fmt: skip


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
            problem = reason_words(exc, page_language(request, editor)) or exc.message
    if problem is not None:
        return _page(request, editor, 400, problem)
    request.session[SESSION_EDITOR] = changed.id
    request.session[SESSION_VERSION] = changed.session_version
    return _page(request, changed, done=True)


async def _problem(editor: Editor, current: str, new: str, form: dict[str, str]) -> str | None:
    if not await verify_password(editor.password_hash, current):
        return text("account.wrong_current", editor.language)
    if new != form.get("new_password_again", ""):
        return text("account.differ", editor.language)
    return None


async def change_language(request: Request) -> Response:
    """The editor's language for every page of the desk; the session keeps a copy so pages
    that do not look the editor up (error pages) speak it too."""
    editor = await current_editor(request)
    if editor is None:
        return RedirectResponse(f"/login?next={PAGE}", status_code=303)
    form = await form_fields(request, max_fields=5, max_bytes=MAX_FORM_BYTES)
    chosen = form.get("language", "")
    if chosen not in LANGUAGES:
        flash.keep(request, Notice("error.invalid_input", kind="error"))
        return RedirectResponse(PAGE, status_code=303)
    await set_language(editor, chosen)
    request.session[SESSION_LANGUAGE] = chosen
    flash.keep(request, Notice("account.language_saved"))
    return RedirectResponse(PAGE, status_code=303)


routes = [
    Route(PAGE, password_page, methods=["GET"]),
    Route(PAGE, change_password, methods=["POST"]),
    Route("/account/language", change_language, methods=["POST"]),
]
