"""How the desk reaches its database: one tortoise config built from the settings."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tortoise import Tortoise, connections
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.exceptions import DBConnectionError
from tortoise.migrations.api import migrate
from tortoise.migrations.executor import MigrationExecutor

from tipdesk.errors import DatabaseUnavailable
from tipdesk.settings import Settings, redact_url

log = logging.getLogger("tipdesk.db")
APP_LABEL = "tipdesk"
MODEL_MODULES = (
    "tipdesk.tips.models",
    "tipdesk.editors.models",
    "tipdesk.conversation.models",
    "tipdesk.audit.models",
    "tipdesk.intake.models",
    "tipdesk.jobs.models",
    "tipdesk.reports.models",
    "tipdesk.webform.models",
    "tipdesk.media.models",
    "tipdesk.webhooks.models",
)
SQLITE_BUSY_TIMEOUT_MS = 15_000
UNREACHABLE = (OSError, ConnectionError, DBConnectionError)


def tortoise_config(database_url: str) -> dict[str, Any]:
    return {
        "connections": {"default": _connection(database_url)},
        "apps": {
            APP_LABEL: {
                "models": list(MODEL_MODULES),
                "default_connection": "default",
                "migrations": "tipdesk.migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def _connection(database_url: str) -> str | dict[str, Any]:
    """SQLite waits for a busy writer instead of failing at once (web and workers share it),
    and through the desk's client its transactions take the write lock as they begin
    (`tipdesk/sqlite_client.py`).

    The ORM's SQLite connection commits with `synchronous=NORMAL`: no fsync per commit, still
    never corrupt, and nothing lost when a process dies; a power cut can take back its last
    commits. Everything it writes is derived from what the inbox stored, and the inbox's own
    connection keeps `FULL`: every acked body is fsynced, and with it every earlier commit in
    the same WAL file, and a job whose finish was lost runs again. The fsync was 0.3–1 ms per
    commit on the one connection every statement waits for (ARCHITECTURE.md, Durability)."""
    if not database_url.startswith("sqlite"):
        return database_url
    if "busy_timeout" not in database_url:
        separator = "&" if "?" in database_url else "?"
        database_url = f"{database_url}{separator}busy_timeout={SQLITE_BUSY_TIMEOUT_MS}"
    connection = expand_db_url(database_url)
    connection["engine"] = "tipdesk.sqlite_client"
    connection["credentials"].setdefault("synchronous", "NORMAL")
    # Deleted rows are overwritten with zeros, not just unlinked from the b-tree: an erased
    # reader's number must not stay readable in a free page of the file.
    connection["credentials"].setdefault("secure_delete", "ON")
    return connection


def sqlite_path(database_url: str) -> str | None:
    """The file of a SQLite URL as tortoise-orm opens it; None for PostgreSQL."""
    if not database_url.startswith("sqlite"):
        return None
    parts = urlsplit(database_url)
    return (parts.netloc + parts.path).split("?")[0]


def ensure_sqlite_folder(settings: Settings) -> None:
    path = sqlite_path(settings.database_url)
    if path is not None:
        Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)


async def migrate_database(settings: Settings) -> None:
    """Apply every pending migration; a database that does not answer is one clear error."""
    try:
        ensure_sqlite_folder(settings)
        await migrate(config=tortoise_config(settings.database_url))
    except UNREACHABLE as exc:
        raise _unavailable(settings, exc) from exc
    finally:
        await Tortoise.close_connections()


@asynccontextmanager
async def database(settings: Settings) -> AsyncIterator[None]:
    """The ORM for a command or a worker process (the web app uses RegisterTortoise)."""
    try:
        ensure_sqlite_folder(settings)
        await Tortoise.init(config=tortoise_config(settings.database_url))
        await check_database()
    except UNREACHABLE as exc:
        raise _unavailable(settings, exc) from exc
    try:
        yield
    finally:
        await Tortoise.close_connections()


async def pending_migrations(settings: Settings) -> list[str]:
    """Names of migrations not yet applied (inside `database()`)."""
    app_config = tortoise_config(settings.database_url)["apps"]
    executor = MigrationExecutor(connections.get("default"), app_config)
    return [step.migration.name for step in await executor.plan(None) if not step.backward]


async def leave_no_copies() -> None:
    """After an erasure or a purge: SQLite's write-ahead log still holds the pages as they were
    before the delete (the erased text and number in full) until a checkpoint copies it into
    the database and truncates it. PostgreSQL keeps dead rows until VACUUM (SECURITY.md).

    TRUNCATE waits through the busy timeout for other connections' transactions; a checkpoint
    that another process's long read still keeps from finishing is done by the next one."""
    connection = connections.get("default")
    if connection.capabilities.dialect != "sqlite":
        return
    rows = await connection.execute_query_dict("PRAGMA wal_checkpoint(TRUNCATE)")
    if rows and rows[0].get("busy"):
        log.info("the write-ahead log is in use; its erased pages go at the next checkpoint")


async def check_database() -> None:
    await connections.get("default").execute_query("SELECT 1")


def _unavailable(settings: Settings, exc: BaseException) -> DatabaseUnavailable:
    reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return DatabaseUnavailable(
        f"TIPDESK_DATABASE_URL: cannot reach {redact_url(settings.database_url)}: {reason}"
    )


# For `tortoise -c tipdesk.db.MIGRATIONS_CONFIG makemigrations` (see `make migrations`).
MIGRATIONS_CONFIG = tortoise_config("sqlite://:memory:")
