"""403, 404, 500 and the rest for people: the desk's own page, in the editor's language
(the session's copy, or the browser's), with the desk's header and styles. The words come from
the error's code; the domain's own English detail is shown only on the English page."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from editorial_ui.i18n import page_language
from editorial_ui.pages import render
from tipdesk.errors import ErrorCode


def error_page(request: Request, status: int, code: ErrorCode, message: str) -> Response:
    detail = message if page_language(request, None) == "en" else ""
    response = render(
        request, "error.html", status, editor=None, status_code=status, code=code.value,
        detail=detail,
    )  # fmt: skip
    return response
