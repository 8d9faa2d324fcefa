"""CSRF protection for everything a logged-in browser can change.

The token lives in the signed session; forms carry it as `csrf_token`, scripts using the session
send it as `X-CSRF-Token`. Bearer-token calls carry no cookie, so they need none.
"""

from __future__ import annotations

import hmac
import secrets

from starlette.requests import Request

from tipdesk.errors import Forbidden

SESSION_KEY = "csrf"


def csrf_token(request: Request) -> str:
    token = request.session.get(SESSION_KEY)
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        request.session[SESSION_KEY] = token
    return token


def check_csrf(request: Request, given: object) -> None:
    expected = request.session.get(SESSION_KEY)
    if not isinstance(expected, str) or not isinstance(given, str):
        raise Forbidden(
            "the form has expired; reload the page and try again", reason="form_expired"
        )
    if not hmac.compare_digest(expected.encode(), given.encode()):
        raise Forbidden(
            "the form has expired; reload the page and try again", reason="form_expired"
        )
