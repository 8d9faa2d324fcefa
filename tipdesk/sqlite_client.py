"""tortoise-orm's SQLite client, with transactions that take the write lock when they begin.

tortoise begins a SQLite transaction with a plain (deferred) `BEGIN`: it reads without the
write lock and asks for it at its first write. When another connection wrote in between (the
inbox's own connection, a `tipdesk worker` or a CLI command on the same file), SQLite cannot
let it write on its now stale snapshot and fails at once with "database is locked", without
waiting through the busy timeout: under a storm, web and worker processes on one SQLite file
failed and retried intake jobs all the time. `BEGIN IMMEDIATE` takes the write lock first,
waiting through the busy timeout for it, so no transaction fails because another connection
wrote meanwhile. Within one process nothing changes: the client's single connection already
runs one transaction at a time.

It also begins in one trip to the connection's thread instead of tortoise's two (a `COMMIT`
of nothing, then `BEGIN`): every trip waits for a turn of the busy event loop while the
connection is held.

The connection's lock is tortoise's own: its statements and transactions, and the inbox's group
commit (`acquire_connection`), take turns in order of asking. (A lock of our own once let the
inbox go first; without it the confirmation and ingest benchmarks stayed within their noise,
bench/README.md, so the embedded desk does without.)
"""

from __future__ import annotations

import sqlite3

from tortoise.backends.base.client import TransactionContext
from tortoise.backends.sqlite.client import (
    SqliteClient,
    SqliteTransactionContext,
    SqliteTransactionWrapper,
)
from tortoise.exceptions import TransactionManagementError

__all__ = ["DeskSqliteClient", "client_class"]


class DeskSqliteClient(SqliteClient):
    def _in_transaction(self) -> TransactionContext:
        return SqliteTransactionContext(ImmediateTransaction(self), self._lock)


class ImmediateTransaction(SqliteTransactionWrapper):
    async def begin(self) -> None:
        try:
            await self._connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise TransactionManagementError(exc) from exc


# tortoise finds a backend's client by this name in the engine's module.
client_class = DeskSqliteClient
