"""tortoise-orm's SQLite client, with transactions that take the write lock when they begin.

tortoise begins a SQLite transaction with a plain (deferred) `BEGIN`: it reads without the
write lock and asks for it at its first write. When another process wrote in between (the web
process's inbox, another worker), SQLite cannot let it write on its now stale snapshot and fails
at once with "database is locked", without waiting through the busy timeout: under a storm, web
and worker processes on one SQLite file failed and retried intake jobs all the time.
`BEGIN IMMEDIATE` takes the write lock first, waiting through the busy timeout for it, so no
transaction fails because another process wrote meanwhile. Within one process nothing changes:
the client's single connection already runs one transaction at a time.

It also begins in one trip to the connection's thread instead of tortoise's two (a `COMMIT`
of nothing, then `BEGIN`): every trip waits for a turn of the busy event loop while the
connection is held.

The connection's lock (`ConnectionTurns`) lets the inbox go first: Meta waits for the inbox's
group commit, and behind the worker's statements in line (four slots of intake, sends, receipts)
each ack took many turns of the connection, while Meta delivers only so many webhooks at once.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import sqlite3
from collections.abc import AsyncIterator

from tortoise.backends.base.client import TransactionContext
from tortoise.backends.sqlite.client import (
    SqliteClient,
    SqliteTransactionContext,
    SqliteTransactionWrapper,
)
from tortoise.exceptions import TransactionManagementError

__all__ = ["ConnectionTurns", "DeskSqliteClient", "client_class"]


class ConnectionTurns:
    """A lock that hands the connection on in order of asking, except to those who go first.

    Ownership passes straight from `release` to the next in line, so nobody can slip in
    between; whoever gives up waiting after being handed a turn passes it on."""

    def __init__(self) -> None:
        self._held = False
        self._waiting: collections.deque[asyncio.Future[None]] = collections.deque()

    def locked(self) -> bool:
        return self._held

    async def acquire(self) -> bool:
        return await self._take(first=False)

    async def acquire_first(self) -> bool:
        """The next turn, ahead of everyone already waiting."""
        return await self._take(first=True)

    def release(self) -> None:
        if not self._held:
            raise RuntimeError("release of a connection that is not held")
        self._hand_on()

    async def _take(self, *, first: bool) -> bool:
        if not self._held and not self._waiting:
            self._held = True
            return True
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if first:
            self._waiting.appendleft(turn)
        else:
            self._waiting.append(turn)
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                self._hand_on()  # handed the connection just as we gave up: pass it on
            else:
                with contextlib.suppress(ValueError):
                    self._waiting.remove(turn)
            raise
        return True

    def _hand_on(self) -> None:
        while self._waiting:
            turn = self._waiting.popleft()
            if not turn.done():
                turn.set_result(None)
                return
        self._held = False


class DeskSqliteClient(SqliteClient):
    def __init__(self, file_path: str, **kwargs: object) -> None:
        super().__init__(file_path, **kwargs)
        self._lock: ConnectionTurns = ConnectionTurns()  # type: ignore[assignment]

    def _in_transaction(self) -> TransactionContext:
        return SqliteTransactionContext(ImmediateTransaction(self), self._lock)  # type: ignore[arg-type]

    @contextlib.asynccontextmanager
    async def next_turn(self) -> AsyncIterator[None]:
        """The connection, free of any statement or transaction of this process, ahead of
        everything else that waits for it (the inbox's group commit)."""
        await self._lock.acquire_first()
        try:
            yield
        finally:
            self._lock.release()


class ImmediateTransaction(SqliteTransactionWrapper):
    async def begin(self) -> None:
        try:
            await self._connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise TransactionManagementError(exc) from exc


# tortoise finds a backend's client by this name in the engine's module.
client_class = DeskSqliteClient
