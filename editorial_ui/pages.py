"""Rendering the board's pages: one Jinja2 environment, autoescaped, from package templates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from editorial_ui.labels import (
    CONSENT_SCOPES,
    CONSENT_STATES,
    FORWARDED,
    MESSAGE_TYPES,
    UNSUPPORTED_OTHER,
    UNSUPPORTED_TYPES,
)
from tipdesk.editors.csrf import csrf_token
from tipdesk.editors.permissions import (
    may_administer,
    may_assign,
    may_override_consent,
    may_see_reports,
)

TEMPLATES = Path(__file__).with_name("templates")
STATIC = Path(__file__).with_name("static")
_environment = Environment(
    loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), auto_reload=False
)
_environment.globals.update(
    consent_states=CONSENT_STATES, consent_scopes=CONSENT_SCOPES, message_types=MESSAGE_TYPES,
    unsupported_types=UNSUPPORTED_TYPES, unsupported_other=UNSUPPORTED_OTHER, forwarded=FORWARDED,
)  # fmt: skip
# Pages ask the same predicates as the routes behind their links and forms, so a page never
# offers what the desk would refuse.
_environment.globals.update(
    may_administer=may_administer, may_assign=may_assign,
    may_override_consent=may_override_consent, may_see_reports=may_see_reports,
)  # fmt: skip


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    page = _environment.get_template(template).render(csrf_token=csrf_token(request), **context)
    return HTMLResponse(page, status_code=status, headers={"cache-control": "no-store"})
