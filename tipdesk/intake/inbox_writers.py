"""How the inbox commits a group of bodies and their job: one trip to the database per group.

The inbox is the desk's one hot write path. Every trip to the database costs a turn of the busy
event loop, so each group is written in a single round trip, as plain SQL with the values the
ORM itself would write (`tests/intake/test_inbox.py` reads them back through the models):

- PostgreSQL: one statement, `WITH bodies AS (INSERT …), jobs AS (INSERT …) SELECT
  pg_notify(…)`; a statement is its own transaction, so bodies and job commit together or not
  at all, and the worker processes hear of the job as it commits (`tipdesk/jobs/wakeup.py`).
- SQLite: the inbox's own connection in its own thread runs BEGIN, both INSERTs and COMMIT in one
  call, while it holds the ORM connection (tortoise's `acquire_connection`, in turn with the
  worker's statements), so no ORM transaction of this process is open meanwhile (SQLite has one
  writer; another process waits through the busy timeout as ever).
"""

from __future__ import annotations

import asyncio
import secrets
import sqlite3
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from tortoise import connections

from tipdesk.intake.models import InboundState
from tipdesk.jobs.kinds import payload_json
from tipdesk.jobs.queue import JOB_COLUMNS, queued_job_row
from tipdesk.plain_sql import columns_sql, db_value, execute, values_sql
from tipdesk.sqlite_client import DeskSqliteClient

PROCESS_WEBHOOK = "intake.process"


@dataclass(frozen=True)
class BodiesToProcess:
    """The `intake.process` payload: the bodies one group commit stored."""

    webhook_ids: tuple[str, ...] = ()
    # Jobs written before group jobs name one body.
    webhook_id: str | None = None

    @property
    def ids(self) -> list[str]:
        return list(self.webhook_ids) or ([self.webhook_id] if self.webhook_id else [])


WEBHOOK_COLUMNS = ("id", "body", "body_sha256", "state", "received_at")
Row = tuple[object, ...]


class GroupWriter(Protocol):
    async def write(self, webhooks: list[Row], jobs: list[Row]) -> None: ...

    async def close(self) -> None: ...


def time_ordered_id() -> uuid.UUID:
    """A UUID version 7 (RFC 9562): milliseconds since the epoch, then 74 random bits.

    Bodies' ids grow with time, so each group lands at the end of the primary-key index instead
    of on random pages all over it: fewer pages written per commit (bench/README.md)."""
    milliseconds = time.time_ns() // 1_000_000
    random_bits = int.from_bytes(secrets.token_bytes(10), "big") & ((1 << 74) - 1)
    value = (milliseconds & ((1 << 48) - 1)) << 80 | 0x7 << 76 | (random_bits >> 62) << 64
    value |= 0b10 << 62 | (random_bits & ((1 << 62) - 1))
    return uuid.UUID(int=value)


def webhook_row(webhook_id: uuid.UUID, body: bytes, sha256: str, now: datetime) -> Row:
    return (str(webhook_id), body, sha256, InboundState.RECEIVED.value, now)


def job_row(ids: list[uuid.UUID], priority: int, max_attempts: int, now: datetime) -> Row:
    """The group's `intake.process` job, as the queue itself writes a job."""
    payload = payload_json(BodiesToProcess(tuple(str(i) for i in ids)))
    return queued_job_row(
        PROCESS_WEBHOOK, payload, priority=priority, max_attempts=max_attempts, now=now
    )


class PostgresWriter:
    async def write(self, webhooks: list[Row], jobs: list[Row]) -> None:
        bodies = values_sql(len(webhooks), len(WEBHOOK_COLUMNS))
        job_values = values_sql(len(jobs), len(JOB_COLUMNS))
        # Only placeholders are built here; every value travels as a parameter.
        statement = (
            f'WITH bodies AS (INSERT INTO "inbound_webhooks" ({columns_sql(WEBHOOK_COLUMNS)}) '  # noqa: S608 - our own names and placeholders only; values go as parameters
            f'VALUES {bodies}), jobs AS (INSERT INTO "jobs" ({columns_sql(JOB_COLUMNS)}) '
            f"VALUES {job_values}) SELECT pg_notify('tipdesk_jobs', '')"
        )
        values = [value for row in [*webhooks, *jobs] for value in row]
        await execute(connections.get("default"), statement, values)

    async def close(self) -> None:
        return None


class SqliteWriter:
    def __init__(self, path: str, busy_timeout_ms: int) -> None:
        self.path = path
        self.busy_timeout = busy_timeout_ms / 1000
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="tipdesk-inbox")
        self._connection: sqlite3.Connection | None = None

    async def write(self, webhooks: list[Row], jobs: list[Row]) -> None:
        loop = asyncio.get_running_loop()
        width = len(WEBHOOK_COLUMNS)
        statements = [
            (
                f'INSERT INTO "inbound_webhooks" ({columns_sql(WEBHOOK_COLUMNS)}) '  # noqa: S608 - our own names and placeholders only; values go as parameters
                f"VALUES {values_sql(len(webhooks), width)}",
                [db_value(value, postgres=False) for row in webhooks for value in row],
            ),
            (
                f'INSERT INTO "jobs" ({columns_sql(JOB_COLUMNS)}) '  # noqa: S608 - our own names and placeholders only; values go as parameters
                f"VALUES {values_sql(len(jobs), len(JOB_COLUMNS))}",
                [db_value(value, postgres=False) for row in jobs for value in row],
            ),
        ]
        # The ORM's connection: no ORM query or transaction of this process runs while the
        # group commits, so neither waits on the other's write lock.
        client = connections.get("default")
        if not isinstance(client, DeskSqliteClient):
            raise TypeError("the inbox needs the desk's SQLite client (tipdesk.db.tortoise_config)")
        async with client.acquire_connection():
            await loop.run_in_executor(self._thread, self._commit, statements)

    def _commit(self, statements: list[tuple[str, list[object]]]) -> None:
        """In the inbox's thread: as little Python as possible, since each step needs the GIL."""
        connection = self._open()
        connection.execute("BEGIN IMMEDIATE")
        try:
            for sql, values in statements:
                connection.execute(sql, values)
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise

    def _open(self) -> sqlite3.Connection:
        if self._connection is None:
            self._connection = sqlite3.connect(
                self.path, timeout=self.busy_timeout, isolation_level=None, check_same_thread=False
            )
            # As the ORM's connections (db.py; tortoise sets the size limit): the WAL shrinks
            # back after a checkpoint instead of keeping old pages at its high-water mark.
            self._connection.execute("PRAGMA secure_delete=ON")
            self._connection.execute("PRAGMA journal_size_limit=16384")
        return self._connection

    async def close(self) -> None:
        def close_connection() -> None:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

        await asyncio.get_running_loop().run_in_executor(self._thread, close_connection)
        self._thread.shutdown(wait=True)
