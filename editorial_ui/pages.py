"""Rendering the board's pages: one Jinja2 environment, autoescaped, from package templates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from editorial_ui import flash
from editorial_ui.i18n import label, page_language, text, translator
from tipdesk.editors.csrf import csrf_token
from tipdesk.editors.permissions import (
    may_administer,
    may_assign,
    may_keep_canned_replies,
    may_override_consent,
    may_see_reports,
    may_take_over,
)

TEMPLATES = Path(__file__).with_name("templates")
STATIC = Path(__file__).with_name("static")
_environment = Environment(
    loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), auto_reload=False
)
# Pages ask the same predicates as the routes behind their links and forms, so a page never
# offers what the desk would refuse.
_environment.globals.update(
    may_administer=may_administer, may_assign=may_assign,
    may_keep_canned_replies=may_keep_canned_replies,
    may_override_consent=may_override_consent, may_see_reports=may_see_reports,
    may_take_over=may_take_over,
)  # fmt: skip


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page in the editor's language, with the notice a form left in the session (or the
    one passed as `flash_notice`)."""
    language = page_language(request, context.get("editor"))
    notice = context.pop("flash_notice", None) or flash.take(request)
    page = _environment.get_template(template).render(
        csrf_token=csrf_token(request), lang=language, t=translator(language),
        label=label(language), flash=_shown(notice, language), **context,
    )  # fmt: skip
    return HTMLResponse(page, status_code=status, headers={"cache-control": "no-store"})


def _shown(notice: flash.Notice | None, language: str) -> dict[str, str] | None:
    if notice is None:
        return None
    words = text(notice.key, language, **notice.values)
    return {"kind": notice.kind, "text": words, "detail": notice.detail}
