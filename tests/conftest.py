"""Shared fixtures: a real database (SQLite file, or PostgreSQL when TIPDESK_TEST_DATABASE_URL
names one), real settings, and the real app behind an httpx client.

The schema is migrated once per session with the real migrations; each test then starts from
empty tables (a copy of the migrated SQLite file, or TRUNCATE on PostgreSQL).
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from tortoise import Tortoise, connections

from tipdesk.app import create_app
from tipdesk.db import database, migrate_database, tortoise_config
from tipdesk.settings import Settings

POSTGRES_URL = os.environ.get("TIPDESK_TEST_DATABASE_URL", "").strip()
# Fixed, so sessions signed in one test process can be checked by another; random-looking, so
# the desk accepts it (tipdesk/secret_key.py).
TEST_SECRET = "Tq7vR2mXk9LpW4sZc8NbY3hJd6FgA1eU5oIx0tQw"


def base_environ(data_dir: Path, database_url: str) -> dict[str, str]:
    """What a test desk runs with; tests add or override variables on top."""
    return {
        "TIPDESK_DATA_DIR": str(data_dir),
        "TIPDESK_DATABASE_URL": database_url,
        "TIPDESK_SECRET_KEY": TEST_SECRET,
        "TIPDESK_JOB_POLL_INTERVAL": "50ms",
        # Tests search right after the worker drains; the default delay has its own tests.
        "TIPDESK_SEARCH_DELAY": "0",
        "TIPDESK_LOG_LEVEL": "warning",
        # A model load per clip would slow every media test; tests/media/test_transcripts.py
        # turns it on.
        "TIPDESK_WHISPER_MODEL": "off",
    }


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The database every test starts from, migrated once with the real migrations."""
    if POSTGRES_URL:
        asyncio.run(_reset_postgres_schema(POSTGRES_URL))
        url = POSTGRES_URL
    else:
        url = f"sqlite://{tmp_path_factory.mktemp('template') / 'tipdesk.sqlite3'}"
    environ = base_environ(tmp_path_factory.mktemp("template-data"), url)
    asyncio.run(migrate_database(Settings.from_env(environ, env_file=None)))
    return url


async def _reset_postgres_schema(url: str) -> None:
    await Tortoise.init(config=tortoise_config(url))
    try:
        connection = connections.get("default")
        await connection.execute_script("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await Tortoise.close_connections()


@pytest.fixture
def database_url(migrated_template: str, tmp_path: Path) -> str:
    """An empty, migrated database for this test alone."""
    if POSTGRES_URL:
        asyncio.run(_truncate_all(POSTGRES_URL))
        return POSTGRES_URL
    copy = tmp_path / "tipdesk.sqlite3"
    template = Path(migrated_template.removeprefix("sqlite://"))
    shutil.copyfile(template, copy)
    return f"sqlite://{copy}"


@pytest.fixture
def environ(tmp_path: Path, database_url: str) -> dict[str, str]:
    return base_environ(tmp_path / "data", database_url)


@pytest.fixture
def settings(environ: dict[str, str]) -> Settings:
    return Settings.from_env(environ, env_file=None)


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[None]:
    """The ORM on an empty, migrated database."""
    async with database(settings):
        yield


async def _truncate_all(url: str) -> None:
    await Tortoise.init(config=tortoise_config(url))
    try:
        connection = connections.get("default")
        rows = await connection.execute_query_dict(
            "SELECT tablename FROM pg_tables"
            " WHERE schemaname = 'public' AND tablename <> 'tortoise_migrations'"
        )
        names = ", ".join(f'"{row["tablename"]}"' for row in rows)
        if names:
            await connection.execute_script(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    finally:
        await Tortoise.close_connections()


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[Starlette]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://desk.test") as http:
        yield http


@pytest.fixture
def cli_env(environ: dict[str, str]) -> Iterator[dict[str, str]]:
    """The environment for `tipdesk` subprocesses: the test's desk, nothing of the caller's."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith("TIPDESK_")}
    yield {**keep, **environ}
