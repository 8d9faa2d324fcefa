"""`X-Hub-Signature-256`: HMAC-SHA256 of the raw body with the app secret.

The raw bytes are hashed exactly as received: Meta signs its own ASCII-escaped serialisation, and
re-serialising the parsed JSON would change the bytes (and the hash) of any non-ASCII text.
"""

from __future__ import annotations

import hashlib
import hmac

PREFIX = "sha256="
DIGEST_HEX = 64
HEX_DIGITS = frozenset("0123456789abcdef")


def sign(app_secret: str, body: bytes) -> str:
    return PREFIX + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def signature_is_well_formed(header: str | None) -> bool:
    """`sha256=` and 64 hex digits: anything else cannot match, whatever the body."""
    if not header:
        return False
    value = header.strip().lower()
    digest = value.removeprefix(PREFIX)
    return len(value) == len(PREFIX) + DIGEST_HEX and value.startswith(PREFIX) and _is_hex(digest)


def _is_hex(text: str) -> bool:
    return all(char in HEX_DIGITS for char in text)


def signature_matches(app_secret: str, body: bytes, header: str | None) -> bool:
    if not header or not header.startswith(PREFIX):
        return False
    # `hmac.digest` is the one-shot C path: every webhook passes here before its ack.
    expected = PREFIX + hmac.digest(app_secret.encode(), body, "sha256").hex()
    return hmac.compare_digest(expected.encode(), header.strip().lower().encode())
