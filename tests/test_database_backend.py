"""Proof that each CI run really used the database it claims: a row written through the app is
read back with that database's own driver, bypassing the ORM."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import asyncpg
import pytest

from tests.conftest import POSTGRES_URL
from tipdesk.editors.accounts import create_editor
from tipdesk.editors.models import Role
from tipdesk.settings import Settings


@pytest.mark.skipif(bool(POSTGRES_URL), reason="this run uses PostgreSQL")
async def test_sqlite_run_writes_to_its_sqlite_file(settings: Settings, db: None) -> None:
    await create_editor("proof@desk.example", "Proof", Role.EDITOR, "long enough password")
    assert not settings.is_postgres
    path = Path(settings.database_url.removeprefix("sqlite://"))
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT email FROM editors").fetchall()
    assert rows == [("proof@desk.example",)]


@pytest.mark.skipif(not POSTGRES_URL, reason="this run uses SQLite")
async def test_postgres_run_writes_to_postgres(settings: Settings, db: None) -> None:
    await create_editor("proof@desk.example", "Proof", Role.EDITOR, "long enough password")
    assert settings.is_postgres
    connection = await asyncpg.connect(POSTGRES_URL)
    try:
        rows = await connection.fetch("SELECT email FROM editors")
        version = await connection.fetchval("SHOW server_version")
    finally:
        await connection.close()
    assert [row["email"] for row in rows] == ["proof@desk.example"]
    assert version
