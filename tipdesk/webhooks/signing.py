"""The signature receivers check: HMAC-SHA256 over `{timestamp}.{body}` with the subscription's
secret, sent as `Tipdesk-Signature: t=<unix seconds>,v1=<hex>` (docs/api.md). The timestamp is
signed with the body, so a receiver that refuses bodies older than five minutes cannot be fed
a recorded one again."""

from __future__ import annotations

import hashlib
import hmac
import secrets

REPLAY_WINDOW_SECONDS = 300


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: str) -> str:
    signed = f"{timestamp}.{body}".encode()
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def header(secret: str, timestamp: int, body: str) -> str:
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def verify(secret: str, value: str, body: str, now: int) -> bool:
    """What a receiver does (and the tests do, as one): the signature matches and is fresh."""
    parts = dict(part.partition("=")[::2] for part in value.split(","))
    stamp, given = parts.get("t", ""), parts.get("v1", "")
    if not stamp.isdigit() or abs(now - int(stamp)) > REPLAY_WINDOW_SECONDS:
        return False
    return hmac.compare_digest(signature(secret, int(stamp), body), given)
