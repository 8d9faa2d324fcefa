"""Rendering the board's pages: one Jinja2 environment, autoescaped, from package templates."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

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
        label=label(language), flash=_shown(notice, language),
        when=clock(request.app.state.settings.timezone), **context,
    )  # fmt: skip
    return HTMLResponse(page, status_code=status, headers={"cache-control": "no-store"})


def render_document(template: str, language: str, tz: ZoneInfo, **context: Any) -> str:
    """A page that leaves the desk as a file (the evidence bundle's manifest): the editor's
    language and the desk's way of writing times, but no request, session or form."""
    return _environment.get_template(template).render(
        lang=language, t=translator(language), label=label(language), when=clock(tz), **context
    )


def _shown(notice: flash.Notice | None, language: str) -> dict[str, str] | None:
    if notice is None:
        return None
    words = text(notice.key, language, **notice.values)
    return {
        "kind": notice.kind, "text": words, "detail": notice.detail,
        "detail_language": notice.detail_language,
    }  # fmt: skip


def clock(tz: ZoneInfo) -> Callable[[date | datetime | str], str]:
    """`when(moment)`: a day as `27-11-2026`, a moment as `27-11-2026 14:05` in the desk's time
    zone, the one way every page writes them (never ISO, never UTC). Takes ISO text too, as
    reports carry their period for the API."""

    def when(moment: date | datetime | str) -> str:
        if isinstance(moment, str):
            moment = datetime.fromisoformat(moment) if "T" in moment else date.fromisoformat(moment)
        if isinstance(moment, datetime):
            return moment.astimezone(tz).strftime("%d-%m-%Y %H:%M")
        return moment.strftime("%d-%m-%Y")

    return when


def exif_date(raw: str) -> str:
    """A camera's `2026:12:03 07:41:12` in the desk's `03-12-2026 07:41`; anything else as
    the camera wrote it (the evidence manifest quotes the medium's own details)."""
    try:
        taken = datetime.strptime(raw.strip(), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return raw
    return taken.strftime("%d-%m-%Y %H:%M")


_environment.globals.update(exif_date=exif_date)
