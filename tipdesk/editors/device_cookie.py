"""The device cookie (OWASP's answer to lockout by an attacker): a successful login leaves a
signed, long-lived cookie naming the editor on that browser. A login from a browser carrying a
valid one for the account is counted against that device only, so a stranger's failed
guesses for the same address do not slow the editor down on their own laptop."""

from __future__ import annotations

import secrets

from itsdangerous import BadSignature, TimestampSigner

DEVICE_COOKIE = "tipdesk_device"
DEVICE_MAX_AGE = 180 * 24 * 3600


def _signer(secret_key: str) -> TimestampSigner:
    return TimestampSigner(secret_key, salt="tipdesk device cookie")


def issue(secret_key: str, editor_id: int) -> str:
    value = f"{editor_id}.{secrets.token_urlsafe(16)}"
    return _signer(secret_key).sign(value).decode()


def device_of(secret_key: str, cookie: str | None, editor_id: int) -> str | None:
    """The device's nonce when the cookie is valid and names this editor, else None."""
    if not cookie or len(cookie) > 200:
        return None
    try:
        value = _signer(secret_key).unsign(cookie, max_age=DEVICE_MAX_AGE).decode()
    except BadSignature:
        return None
    named, _, nonce = value.partition(".")
    return nonce if named == str(editor_id) and nonce else None
