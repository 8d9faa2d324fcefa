"""What the desk's few plain-SQL hot paths (the inbox's group commit, the job queue) share:
placeholders in each database's style, quoted column lists, and values as the ORM writes them,
so rows written either way read back alike through the models."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime


def placeholders(count: int, *, numbered: bool, start: int = 1) -> list[str]:
    """`?` each for SQLite, `$1`, `$2`, ... for PostgreSQL."""
    if not numbered:
        return ["?"] * count
    return [f"${n}" for n in range(start, start + count)]


def values_sql(rows: int, width: int, *, numbered: bool, start: int = 1) -> str:
    """`(?,?),(?,?)` for SQLite, `($1,$2),($3,$4)` for PostgreSQL."""
    marks = placeholders(rows * width, numbered=numbered, start=start)
    return ",".join(
        "(" + ",".join(marks[row * width : (row + 1) * width]) + ")" for row in range(rows)
    )


def columns_sql(columns: Iterable[str]) -> str:
    return ",".join(f'"{name}"' for name in columns)


def db_value(value: object, *, postgres: bool) -> object:
    """Times as the ORM stores them: timestamps on PostgreSQL, ISO 8601 text with a space on
    SQLite (so they sort and compare, as text, with the ORM's own)."""
    if not postgres and isinstance(value, datetime):
        return value.isoformat(" ")
    return value
