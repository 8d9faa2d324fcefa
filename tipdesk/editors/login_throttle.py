"""Login backoff that parallel attempts cannot race and an attacker cannot turn into a lock.

Each attempt is counted BEFORE its password is checked, in one `INSERT … ON CONFLICT DO UPDATE
… WHERE … RETURNING` per key: the database serialises the increments, so 30 parallel wrong
passwords get at most FREE_FAILURES checks, not 30. After FREE_FAILURES a key waits 1 s, then
2 s, 4 s … at most LONGEST_WAIT: never a hard lock. A success takes its own attempt back.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from tortoise import connections

from tipdesk.clock import utcnow
from tipdesk.plain_sql import execute, fetch

FREE_FAILURES = 5
LONGEST_WAIT = 15 * 60


def wait_after(failures: int) -> int:
    """Seconds a key waits after this many failures."""
    if failures < FREE_FAILURES:
        return 0
    doubled: int = 2 ** min(failures - FREE_FAILURES, 20)
    return min(LONGEST_WAIT, doubled)


def _wait_sql(failures: str) -> str:
    steps = [f"WHEN {failures} < {FREE_FAILURES} THEN 0"]
    n = FREE_FAILURES
    while wait_after(n) < LONGEST_WAIT:
        steps.append(f"WHEN {failures} = {n} THEN {wait_after(n)}")
        n += 1
    return f"CASE {' '.join(steps)} ELSE {LONGEST_WAIT} END"


_FAILURES_AFTER = '"login_throttle"."failures" + 1'
_CLAIM = (
    'INSERT INTO "login_throttle" ("key", "failures", "last_failure", "retry_at") '  # noqa: S608 - our own numbers
    "VALUES (?, 1, ?, ?) "
    'ON CONFLICT ("key") DO UPDATE SET "failures" = "login_throttle"."failures" + 1, '
    '"last_failure" = excluded."last_failure", '
    f'"retry_at" = excluded."retry_at" + {_wait_sql(_FAILURES_AFTER)} '
    'WHERE "login_throttle"."retry_at" <= excluded."retry_at" '
    'RETURNING "failures"'
)
_GIVE_BACK = (
    'UPDATE "login_throttle" SET "failures" = "failures" - 1, '  # noqa: S608 - our own numbers
    f'"retry_at" = CASE WHEN "failures" - 1 < {FREE_FAILURES} THEN 0 ELSE "retry_at" END '
    'WHERE "key" = ? AND "failures" > 0'
)


@dataclass(frozen=True)
class Refused:
    """The attempt was not counted and may not be checked: wait this many seconds."""

    seconds: int


async def claim(keys: list[str]) -> Refused | None:
    """Count one attempt against every key; Refused (counting none) if any key must wait."""
    connection = connections.get("default")
    claimed: list[str] = []
    for key in keys:
        now = time.time()
        rows = await fetch(connection, _CLAIM, [key, utcnow(), now])
        if rows:
            claimed.append(key)
            continue
        await give_back(claimed)
        waiting = await fetch(
            connection, 'SELECT "retry_at" FROM "login_throttle" WHERE "key" = ?', [key]
        )
        retry_at = float(waiting[0]["retry_at"]) if waiting else now
        return Refused(max(1, math.ceil(retry_at - now)))
    return None


async def give_back(keys: list[str]) -> None:
    """Take back attempts that turned out not to be failures."""
    connection = connections.get("default")
    for key in keys:
        await execute(connection, _GIVE_BACK, [key])


async def forget(key: str) -> None:
    """A success: the key starts from zero."""
    await execute(connections.get("default"), 'DELETE FROM "login_throttle" WHERE "key" = ?', [key])
