"""What the desk's plain SQL (the inbox's group commit, the job queue, delivery receipts,
sends, reports) shares: statements written once with `?` placeholders and numbered for
PostgreSQL (`numbered`, `execute`, `fetch`), quoted column lists, and values as the ORM writes
them, so rows written either way read back alike through the models."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model

ModelT = TypeVar("ModelT", bound=Model)


def values_sql(rows: int, width: int) -> str:
    """`(?,?),(?,?)`: the placeholders of a multi-row VALUES."""
    row = "(" + marks(width) + ")"
    return ",".join([row] * rows)


def columns_sql(columns: Iterable[str]) -> str:
    return ",".join(f'"{name}"' for name in columns)


def db_value(value: object, *, postgres: bool) -> object:
    """Times as the ORM stores them: timestamps on PostgreSQL, ISO 8601 text with a space on
    SQLite (so they sort and compare, as text, with the ORM's own)."""
    if not postgres and isinstance(value, datetime):
        return value.isoformat(" ")
    return value


def unindexed(column: str, *, postgres: bool) -> str:
    """The column, but not a reason for SQLite to pick an index on it (`+column`): without
    statistics it may prefer a range on that column to the index that serves the ORDER BY or a
    better filter. PostgreSQL plans by statistics and has no unary plus for text or times."""
    return column if postgres else f"+{column}"


def numbered(sql: str) -> str:
    """A statement written with `?` placeholders in PostgreSQL's `$1`, `$2`, ... style (the
    statements of the hot paths hold no literal `?`)."""
    parts = sql.split("?")
    return "".join(f"{part}${n}" for n, part in enumerate(parts[:-1], 1)) + parts[-1]


def _prepared(
    connection: BaseDBAsyncClient, sql: str, values: Sequence[object]
) -> tuple[str, list[object]]:
    postgres = connection.capabilities.dialect == "postgres"
    return numbered(sql) if postgres else sql, [db_value(v, postgres=postgres) for v in values]


async def execute(connection: BaseDBAsyncClient, sql: str, values: Sequence[object]) -> int:
    """Run a statement written with `?` placeholders on either database; the rows it changed.
    For the few statements every tip runs several times, where the ORM's query building
    cost more than the query."""
    changed, _ = await connection.execute_query(*_prepared(connection, sql, values))
    return int(changed)


async def fetch(
    connection: BaseDBAsyncClient, sql: str, values: Sequence[object]
) -> list[dict[str, Any]]:
    """The rows of a query written with `?` placeholders, as dicts by column name."""
    rows: list[dict[str, Any]] = await connection.execute_query_dict(
        *_prepared(connection, sql, values)
    )
    return rows


def marks(count: int) -> str:
    """`?,?,?`: the placeholders of an IN list."""
    return ",".join("?" * count)


async def insert_unless_conflict(connection: BaseDBAsyncClient, instance: ModelT) -> ModelT | None:
    """Insert a new model instance as the ORM would (its fields' own conversions, `auto_now`
    times), skipping it when a unique column already holds its value; the stored row, read
    back in the same statement (`INSERT … ON CONFLICT DO NOTHING RETURNING`), or None. One
    round trip where the ORM takes two (insert ignoring conflicts, then select), which a new
    reader's first message and every queued message pay."""
    meta = instance._meta
    columns, values = [], []
    for name, column in meta.fields_db_projection.items():
        field = meta.fields_map[name]
        if field.pk and field.generated:
            continue
        columns.append(column)
        values.append(field.to_db_value(getattr(instance, name), instance))
    rows = await fetch(
        connection,
        f'INSERT INTO "{meta.db_table}" ({columns_sql(columns)}) VALUES ({marks(len(values))}) '  # noqa: S608 - our own names and placeholders only
        f"ON CONFLICT DO NOTHING RETURNING {columns_sql(meta.fields_db_projection.values())}",
        values,
    )
    return type(instance)._init_from_db(**rows[0]) if rows else None
