"""The desk's SQLite client: transactions that hold the write lock from their start, the
connection's turns (the inbox goes first), and each connection's durability."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest
from tortoise import connections
from tortoise.transactions import in_transaction

from tipdesk.clock import utcnow
from tipdesk.db import sqlite_path
from tipdesk.settings import Settings
from tipdesk.sqlite_client import ConnectionTurns, DeskSqliteClient
from tipdesk.tips.models import Sender


async def test_turns_go_in_order_of_asking_except_for_who_goes_first() -> None:
    turns = ConnectionTurns()
    order: list[str] = []

    async def take(name: str, *, first: bool = False) -> None:
        await (turns.acquire_first() if first else turns.acquire())
        order.append(name)
        await asyncio.sleep(0)
        turns.release()

    await turns.acquire()
    tasks = [asyncio.create_task(take(name)) for name in ("a", "b")]
    await asyncio.sleep(0)
    tasks.append(asyncio.create_task(take("inbox", first=True)))
    await asyncio.sleep(0)
    turns.release()
    await asyncio.gather(*tasks)
    assert order == ["inbox", "a", "b"]
    assert not turns.locked()


async def test_a_turn_given_up_is_passed_on_and_never_lost() -> None:
    turns = ConnectionTurns()
    await turns.acquire()
    gives_up = asyncio.create_task(turns.acquire())
    waits = asyncio.create_task(turns.acquire())
    await asyncio.sleep(0)
    turns.release()  # handed to `gives_up`, which is cancelled before it runs
    gives_up.cancel()
    assert await asyncio.wait_for(waits, 1) is True
    assert turns.locked()
    turns.release()
    assert not turns.locked()
    never_waited = asyncio.create_task(turns.acquire())
    await asyncio.sleep(0)
    assert never_waited.done() and turns.locked()
    turns.release()
    with pytest.raises(RuntimeError):
        turns.release()


@pytest.mark.usefixtures("db")
async def test_a_transaction_holds_the_write_lock_from_its_start(settings: Settings) -> None:
    """Another process that writes between a transaction's read and its write must wait for it;
    with a deferred BEGIN the other write went first and the transaction failed at its own."""
    path = sqlite_path(settings.database_url)
    if path is None:
        pytest.skip("PostgreSQL locks rows, not the database")
    other_process = sqlite3.connect(path, timeout=0.1, isolation_level=None)
    try:
        async with in_transaction() as connection:
            await Sender.all().using_db(connection).count()
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other_process.execute("BEGIN IMMEDIATE")
            await Sender.create(
                channel="whatsapp", address="31600000001", phone="31600000001",
                first_contact_at=utcnow(),
                using_db=connection,
            )  # fmt: skip
        other_process.execute("BEGIN IMMEDIATE")  # free again once it committed
        other_process.execute("ROLLBACK")
    finally:
        other_process.close()
    assert await Sender.filter(address="31600000001").exists()


@pytest.mark.usefixtures("db")
async def test_derived_writes_skip_the_fsync_and_acked_bodies_do_not(settings: Settings) -> None:
    """The ORM's connection runs synchronous=NORMAL; the inbox's own keeps FULL, so an acked body
    is on disk, with every commit before it in the same WAL file."""
    client = connections.get("default")
    if not isinstance(client, DeskSqliteClient):
        pytest.skip("PostgreSQL: durability is the server's")
    rows = await client.execute_query_dict("PRAGMA synchronous")
    assert rows == [{"synchronous": 1}]  # NORMAL
    path = sqlite_path(settings.database_url)
    assert path is not None
    inbox_connection = sqlite3.connect(path)
    try:
        assert inbox_connection.execute("PRAGMA synchronous").fetchone() == (2,)  # FULL
    finally:
        inbox_connection.close()
