"""The desk's SQLite client: transactions that hold the write lock from their start, the inbox's
turn on the ORM's connection, and each connection's durability."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest
from tortoise import connections
from tortoise.transactions import in_transaction

from tipdesk.clock import utcnow
from tipdesk.db import sqlite_path
from tipdesk.intake.inbox import Inbox
from tipdesk.intake.models import InboundWebhook
from tipdesk.settings import Settings
from tipdesk.sqlite_client import DeskSqliteClient
from tipdesk.tips.models import Sender


@pytest.mark.usefixtures("db")
async def test_the_inbox_commits_between_the_orms_transactions(settings: Settings) -> None:
    """The inbox writes on its own connection while it holds the ORM's (tortoise's lock, in
    turn with the worker's statements): a group waits for the worker's open transaction to end,
    then commits; neither fails on the other's write lock."""
    client = connections.get("default")
    if not isinstance(client, DeskSqliteClient):
        pytest.skip("PostgreSQL: the inbox's statement is its own transaction")
    written, done = asyncio.Event(), asyncio.Event()

    async def a_worker_transaction() -> None:
        async with in_transaction() as connection:
            await Sender.create(
                channel="whatsapp", address="31600000002", phone="31600000002",
                first_contact_at=utcnow(), using_db=connection,
            )  # fmt: skip
            written.set()
            await done.wait()

    inbox = Inbox(settings)
    try:
        worker = asyncio.create_task(a_worker_transaction())
        # Bounded: a worker transaction that failed would never set `written`.
        await asyncio.wait_for(written.wait(), 5)
        stored = asyncio.create_task(inbox.store(b'{"object": "whatsapp_business_account"}'))
        await asyncio.sleep(0.3)
        assert not stored.done()
        done.set()
        await worker
        await asyncio.wait_for(stored, 5)
    finally:
        await inbox.close()
    assert await InboundWebhook.all().count() == 1


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
