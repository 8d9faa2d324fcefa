"""`X-Hub-Signature-256`: HMAC-SHA256 of the raw body with the app secret.

The raw bytes are hashed exactly as received: Meta signs its own ASCII-escaped serialisation, and
re-serialising the parsed JSON would change the bytes (and the hash) of any non-ASCII text.
"""

from __future__ import annotations

import hashlib
import hmac

PREFIX = "sha256="


def sign(app_secret: str, body: bytes) -> str:
    return PREFIX + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def signature_matches(app_secret: str, body: bytes, header: str | None) -> bool:
    if not header or not header.startswith(PREFIX):
        return False
    # `hmac.digest` is the one-shot C path: every webhook passes here before its ack.
    expected = PREFIX + hmac.digest(app_secret.encode(), body, "sha256").hex()
    return hmac.compare_digest(expected.encode(), header.strip().lower().encode())
