"""What the desk's plain SQL (the inbox's group commit, the job queue, delivery receipts,
sends, reports) shares: statements written once with `?` placeholders and numbered for
PostgreSQL (`numbered`, `execute`, `fetch`), quoted column lists, and values as the ORM writes
them, so rows written either way read back alike through the models.

It reaches tortoise through its public API only (`Model.describe()`, the models' constructor,
`JSON_DUMPS`): its private helpers change between releases (`tests/test_tortoise_public_api.py`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from enum import Enum
from typing import Any, TypeVar
from uuid import UUID

from tortoise import fields
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.fields.data import JSON_DUMPS
from tortoise.models import Model

from tipdesk.clock import utcnow

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
    """Insert a new model instance as the ORM would (`insert_values`), skipping it when a
    unique column already holds its value; the stored row, read back in the same statement
    (`INSERT … ON CONFLICT DO NOTHING RETURNING`), or None. One round trip where the ORM takes
    two (insert ignoring conflicts, then select), which a new reader's first message and every
    queued message pay."""
    model = type(instance)
    values = insert_values(instance)
    rows = await fetch(
        connection,
        f'INSERT INTO "{table_of(model)}" ({columns_sql(values)}) VALUES ({marks(len(values))}) '  # noqa: S608 - our own names and placeholders only
        f"ON CONFLICT DO NOTHING RETURNING {columns_sql(columns_of(model))}",
        list(values.values()),
    )
    return record(model, rows[0]) if rows else None


def table_of(model: type[Model]) -> str:
    return str(_described(model)["table"])


def columns_of(model: type[Model]) -> tuple[str, ...]:
    """Every column of the model's table, its primary key first."""
    return tuple(field["db_column"] for field in _columns(model))


def record(model: type[ModelT], row: Mapping[str, object]) -> ModelT:
    """A row read by plain SQL as its model, as the ORM itself returns a stored row: each column
    converted by its field (the public constructor does that), the instance marked stored
    (`construct`), so it may be referred to (`Tip.create(sender=…)`) and updated."""
    names = _field_names(model)
    converted = model(**{names[column]: value for column, value in row.items()})
    return model.construct(
        _saved_in_db=True, **{name: getattr(converted, name) for name in names.values()}
    )


def insert_values(instance: Model) -> dict[str, object]:
    """A new instance's columns and values as the ORM writes them: `auto_now` and unset
    `auto_now_add` times set now (on the instance too), enums by value, JSON as tortoise
    encodes it; a generated primary key is left to the database."""
    now = utcnow()
    values: dict[str, object] = {}
    for field in _columns(type(instance)):
        if field["generated"]:
            continue
        name = field["name"]
        value = getattr(instance, name)
        if field.get("auto_now") or (field.get("auto_now_add") and value is None):
            value = now
            setattr(instance, name, value)
        values[field["db_column"]] = _written(field, value)
    return values


def from_db_time(value: object) -> datetime | None:
    """A time column read by plain SQL, as the ORM reads it: PostgreSQL gives a datetime,
    SQLite the ISO 8601 text `db_value` wrote; naive means UTC (`use_tz`)."""
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _written(field: Mapping[str, Any], value: object) -> object:
    if value is None:
        return None
    if issubclass(field["field_type"], fields.JSONField):
        return JSON_DUMPS(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, UUID):
        return str(value)
    return value


@functools.cache
def _described(model: type[Model]) -> dict[str, Any]:
    # Asked once the ORM is set up (at the first statement): before, tortoise has not yet added
    # the foreign keys' `<name>_id` columns to the description.
    described: dict[str, Any] = model.describe(serializable=False)
    return described


@functools.cache
def _columns(model: type[Model]) -> tuple[dict[str, Any], ...]:
    described = _described(model)
    return (described["pk_field"], *described["data_fields"])


@functools.cache
def _field_names(model: type[Model]) -> dict[str, str]:
    return {field["db_column"]: field["name"] for field in _columns(model)}
