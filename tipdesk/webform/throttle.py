"""Limits on the public form: per sender address and per private link, in fixed windows.

One `INSERT … ON CONFLICT DO UPDATE … RETURNING` per attempt counts it: the database orders
parallel attempts, so a thousand requests at once from one address get exactly the limit in.
Addresses are kept only as a keyed hash: the desk needs to recognise a sender, not to know them.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass

from tortoise import connections

from tipdesk.plain_sql import fetch


@dataclass(frozen=True)
class Limit:
    most: int
    per_seconds: int


TIPS_PER_ADDRESS = Limit(most=10, per_seconds=3600)
MESSAGES_PER_LINK = Limit(most=30, per_seconds=3600)

_COUNT = (
    'INSERT INTO "webform_throttle" ("key", "window_start", "count") VALUES (?, ?, 1) '
    'ON CONFLICT ("key") DO UPDATE SET '
    '"count" = CASE WHEN "webform_throttle"."window_start" <= ? THEN 1 '
    'ELSE "webform_throttle"."count" + 1 END, '
    '"window_start" = CASE WHEN "webform_throttle"."window_start" <= ? '
    'THEN excluded."window_start" ELSE "webform_throttle"."window_start" END '
    'RETURNING "count"'
)


def address_key(secret_key: str, address: str) -> str:
    digest = hmac.new(secret_key.encode(), address.encode(), hashlib.sha256).hexdigest()
    return f"ip:{digest[:40]}"


async def allowed(key: str, limit: Limit) -> bool:
    """Count one attempt; False when it is over the limit of the key's current window."""
    now = time.time()
    expired = now - limit.per_seconds
    rows = await fetch(connections.get("default"), _COUNT, [key, now, expired, expired])
    return int(rows[0]["count"]) <= limit.most
