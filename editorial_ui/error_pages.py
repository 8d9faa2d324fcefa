"""403, 404, 500 and the rest for people: the desk's own page, in the editor's language
(the session's copy, or the browser's), with the desk's header and styles. The words come from
the refusal's reason when the table knows it, else from the error's code, with the domain's own
English detail shown only on the English page."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from editorial_ui.flash import reason_words
from editorial_ui.i18n import page_language
from editorial_ui.pages import render
from tipdesk.errors import ErrorCode, TipdeskError


def error_page(
    request: Request, status: int, code: ErrorCode, message: str,
    refusal: TipdeskError | None = None,
) -> Response:  # fmt: skip
    language = page_language(request, None)
    reason = reason_words(refusal, language) if refusal is not None else None
    detail = message if language == "en" and reason is None else ""
    response = render(
        request, "error.html", status, editor=None, status_code=status, code=code.value,
        detail=detail, reason=reason,
    )  # fmt: skip
    return response
