"""Read-side questions about tips that plain ORM queries answer by scanning every tip."""

from __future__ import annotations

from tortoise import connections

# A loose index scan: each step asks `idx_tips_desk` for the next desk after the last one, so
# a handful of desks cost a handful of lookups. `SELECT DISTINCT desk` read all 100,000 tips
# on PostgreSQL (23 ms, bench/board.py), on every tip page.
DESKS_IN_USE = """
WITH RECURSIVE found(desk) AS (
    SELECT MIN(desk) FROM tips WHERE desk IS NOT NULL
    UNION ALL
    SELECT (SELECT MIN(t.desk) FROM tips AS t WHERE t.desk > found.desk)
    FROM found WHERE found.desk IS NOT NULL
)
SELECT desk FROM found WHERE desk IS NOT NULL LIMIT {limit}
"""


async def desks_in_use(limit: int = 50) -> list[str]:
    """The desks tips are filed under, in order (the tip page offers them)."""
    rows = await connections.get("default").execute_query_dict(
        DESKS_IN_USE.format(limit=int(limit))
    )
    return [str(row["desk"]) for row in rows]
