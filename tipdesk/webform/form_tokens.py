"""The form's token: proof that a submission comes from a form the desk served, not from a page
elsewhere posting in a reader's name or a script that never loaded the form.

The form is embedded in newsroom sites (a frame on another origin), where browsers withhold the
desk's cookies, so the token cannot live in a session: it is the time it was served, signed
with the desk's key, and good for `LIFETIME`. Together with the `Origin` check and the limits per
address it keeps forged and scripted submissions out without an account or a cookie.
"""

from __future__ import annotations

import hashlib
import hmac
import time

LIFETIME = 6 * 3600


def form_token(secret_key: str, now: float | None = None) -> str:
    served = int(now if now is not None else time.time())
    return f"{served}.{_mac(secret_key, served)}"


def token_problem(secret_key: str, token: str, now: float | None = None) -> str | None:
    """None for a good token; else "forged" or "expired"."""
    served_text, _, mac = token.partition(".")
    if not served_text.isdigit() or len(served_text) > 12:
        return "forged"
    served = int(served_text)
    if not hmac.compare_digest(mac, _mac(secret_key, served)):
        return "forged"
    age = (now if now is not None else time.time()) - served
    if age > LIFETIME or age < -60:
        return "expired"
    return None


def _mac(secret_key: str, served: int) -> str:
    message = f"webform-token:{served}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()[:32]
