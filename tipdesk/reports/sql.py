"""The few SQL expressions that differ between SQLite and PostgreSQL, and running a query.

Reports aggregate in SQL (GROUP BY, COUNT, MIN) and bring back compact rows: counts per UTC
bucket, or seconds since the epoch per tip. Time zones stay out of SQL: the two databases
disagree on them, and Python's zoneinfo gets DST right.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise import connections

from tipdesk.plain_sql import numbered, unindexed

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Dialect:
    name: str

    @property
    def is_postgres(self) -> bool:
        return self.name == "postgres"

    def epoch(self, column: str) -> str:
        """Seconds since 1970-01-01 UTC of a timestamp column (fractional)."""
        if self.is_postgres:
            return f"EXTRACT(EPOCH FROM {column})::float8"
        return f"((julianday({column}) - 2440587.5) * 86400.0)"

    def bucket(self, column: str, seconds: int) -> str:
        """The number of the UTC bucket of `seconds` a timestamp falls in."""
        if self.is_postgres:
            return f"FLOOR(EXTRACT(EPOCH FROM {column}) / {seconds})::bigint"
        return f"(CAST(strftime('%s', {column}) AS INTEGER) / {seconds})"

    def unindexed(self, column: str) -> str:
        """The column, but not a reason for SQLite to pick its index: without statistics it
        prefers `audit_events.action` (every status change ever) to the period's `created_at`
        range."""
        return unindexed(column, postgres=self.is_postgres)

    def of_tips(self, column: str) -> str:
        """`column` holds the id of a tip of `[?, ?)` (by first message). PostgreSQL gets the ids
        as one array, which it looks up by index: for a few days' tips its planner would rather
        hash a join over the whole of `media_assets`."""
        tips = "SELECT id FROM tips WHERE first_message_at >= ? AND first_message_at < ?"
        if self.is_postgres:
            return f"{column} = ANY(ARRAY({tips}))"
        return f"{column} IN ({tips})"

    def json_text(self, column: str, key: str) -> str:
        """A JSON object's member as text (keys are our own constants, never user input)."""
        if self.is_postgres:
            return f"({column}->>'{key}')"
        return f"CAST(json_extract({column}, '$.{key}') AS TEXT)"

    def sql(self, text: str) -> str:
        """`?` placeholders become `$1, $2, ...` on PostgreSQL."""
        return numbered(text) if self.is_postgres else text


def dialect() -> Dialect:
    name = connections.get("default").capabilities.dialect
    return Dialect("postgres" if name == "postgres" else "sqlite")


async def rows(d: Dialect, text: str, values: list[Any]) -> Sequence[Any]:
    """The driver's own rows (asyncpg records, sqlite3 rows), read by column name: no dict per
    row, which counts when a year's tips come back one row each."""
    _, found = await connections.get("default").execute_query(d.sql(text), values)
    return list(found)


def microseconds(value: datetime | str) -> int:
    """A timestamp as the driver returns it (asyncpg: a datetime; SQLite: its text) in
    microseconds since the epoch: exact, where `Dialect.epoch` is a float."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - EPOCH) // timedelta(microseconds=1)
