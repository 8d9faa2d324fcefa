"""The reader's private conversation link: unguessable, without an account, never stored.

The link names the reader's address and a MAC of it under the desk's secret key, so the desk
needs no table of links (and leaks none in a backup): only the desk can make a valid one, and an
erased reader's link leads nowhere because the address is gone. Changing the secret key
(TIPDESK_SECRET_KEY) ends every link, as it ends every editor's session.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from tipdesk.webform.channel import PREFIX

_TOKEN = re.compile(r"^([0-9a-f]{32})-([0-9a-f]{32})$")


def link_token(secret_key: str, address: str) -> str:
    return f"{address.removeprefix(PREFIX)}-{_mac(secret_key, address)}"


def address_of(secret_key: str, token: str) -> str | None:
    """The reader's address a token opens, or None for any token the desk did not make."""
    found = _TOKEN.fullmatch(token)
    if found is None:
        return None
    address = PREFIX + found.group(1)
    if not hmac.compare_digest(found.group(2), _mac(secret_key, address)):
        return None
    return address


def _mac(secret_key: str, address: str) -> str:
    message = f"webform-conversation:{address}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()[:32]
