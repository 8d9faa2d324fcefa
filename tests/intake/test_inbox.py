"""The inbox writes groups of bodies with plain SQL: what it writes must be what the ORM writes."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from starlette.applications import Starlette
from tortoise import connections

from tests.intake.builders import notification, text_message
from tests.intake.conftest import Meta, fixture
from tipdesk.intake.inbox_writers import time_ordered_id
from tipdesk.intake.models import InboundState, InboundWebhook
from tipdesk.jobs import queue
from tipdesk.jobs.models import Job, JobState
from tipdesk.tips.models import Direction, Message

pytestmark = pytest.mark.usefixtures("app")


async def test_concurrent_bodies_share_jobs_and_each_is_named_once(meta: Meta) -> None:
    payloads = [notification(text_message(f"wamid.inbox.{n}", f"Tip {n}")) for n in range(40)]
    responses = await asyncio.gather(*(meta.post(p) for p in payloads))
    assert {r.status_code for r in responses} == {200}
    acked = sorted(r.json()["id"] for r in responses)
    jobs = await Job.filter(kind="intake.process")
    named = sorted(i for job in jobs for i in job.payload["webhook_ids"])  # type: ignore[union-attr]
    assert named == acked
    assert sorted(str(w.id) for w in await InboundWebhook.all()) == acked
    assert len(jobs) < len(acked)  # grouped: fewer jobs than bodies
    await meta.worker.drain()
    assert await Message.filter(direction=Direction.INBOUND).count() == 40
    assert await InboundWebhook.filter(state=InboundState.PROCESSED).count() == 40


async def test_rows_read_back_through_the_models_as_the_orm_wrote_them(meta: Meta) -> None:
    before = datetime.now(UTC)
    response = await meta.post(notification(text_message("wamid.inbox.rows", "Hallo")))
    assert response.status_code == 200
    await queue.enqueue("orm.made", {}, max_attempts=3, priority=10)
    stored = await InboundWebhook.get(id=response.json()["id"])
    assert stored.state is InboundState.RECEIVED
    assert stored.processed_at is None
    assert before - timedelta(seconds=1) <= stored.received_at <= datetime.now(UTC)
    inbox_job = await Job.get(kind="intake.process")
    orm_job = await Job.get(kind="orm.made")
    for job in (inbox_job, orm_job):
        assert job.state is JobState.QUEUED
        assert (job.attempts, job.priority, job.lease_until, job.dedupe_key) == (0, 10, None, None)
        assert job.run_at.tzinfo is not None and job.created_at.tzinfo is not None
    assert inbox_job.payload == {"webhook_ids": [str(stored.id)]}
    # On SQLite times are text and compared as text (leasing asks run_at <= now): same shape.
    rows = await connections.get("default").execute_query_dict(
        "SELECT kind, run_at, created_at, updated_at, payload FROM jobs ORDER BY kind"
    )
    inbox_row, orm_row = rows
    for column in ("run_at", "created_at", "updated_at"):
        assert type(inbox_row[column]) is type(orm_row[column])
        inbox_text, orm_text = str(inbox_row[column]), str(orm_row[column])
        assert (inbox_text[10], inbox_text[-6:]) == (orm_text[10], orm_text[-6:])
    assert type(inbox_row["payload"]) is type(orm_row["payload"])
    leased = await queue.lease("test", timedelta(seconds=30), ["intake.process"])
    assert leased is not None and leased.id == inbox_job.id


def test_body_ids_are_version_7_uuids_that_grow_with_time() -> None:
    first = [time_ordered_id() for _ in range(100)]
    time.sleep(0.002)
    later = time_ordered_id()
    assert {i.version for i in first} == {7} and {i.variant for i in first} == {uuid.RFC_4122}
    assert len(set(first)) == 100
    assert str(later) > max(str(i) for i in first)


async def test_receipts_only_bodies_get_their_own_later_job(meta: Meta) -> None:
    message = notification(text_message("wamid.inbox.first", "Eerst"))
    responses = await asyncio.gather(meta.post(message), meta.post(fixture("status_read")))
    assert [r.status_code for r in responses] == [200, 200]
    message_id, receipt_id = (r.json()["id"] for r in responses)
    jobs = {tuple(job.payload["webhook_ids"]): job for job in await Job.all()}  # type: ignore[arg-type]
    assert jobs[(message_id,)].priority < jobs[(receipt_id,)].priority


async def test_a_receipt_is_written_at_once_without_waiting_for_company(
    meta: Meta, app: Starlette
) -> None:
    """Meta delivers a number's webhooks only so many at a time: an ack held open for company
    holds back the readers' messages behind it (bench/confirmation.py)."""
    inbox = app.state.inbox
    receipt = asyncio.create_task(meta.post(fixture("status_read")))
    while not inbox.pending:
        await asyncio.sleep(0)
    # Handed over with nothing else arriving: its group is being written within a few turns of
    # the event loop, not after a wait for more bodies.
    for _ in range(20):
        if not inbox.pending:
            break
        await asyncio.sleep(0)
    assert not inbox.pending
    assert (await receipt).status_code == 200
    (job,) = await Job.filter(kind="intake.process")
    assert job.payload["webhook_ids"] == [(await receipt).json()["id"]]


async def test_stored_bodies_are_indexed_by_arrival_not_by_hash() -> None:
    connection = connections.get("default")
    if connection.capabilities.dialect == "postgres":
        query = "SELECT indexname AS name FROM pg_indexes WHERE tablename = 'inbound_webhooks'"
    else:
        query = "SELECT name FROM sqlite_master WHERE tbl_name = 'inbound_webhooks'"
    names = {row["name"] for row in await connection.execute_query_dict(query)}
    assert any("receive" in name for name in names)  # what retention and erasure scan by
    assert not any("body_sh" in name for name in names)


async def test_an_identical_body_within_the_window_is_acked_and_stored_once(meta: Meta) -> None:
    payload = notification(text_message("wamid.inbox.twice", "Boom op de Stationsstraat"))
    first, second, *concurrent = await asyncio.gather(*(meta.post(payload) for _ in range(4)))
    again = await meta.post(payload)
    ids = {r.json()["id"] for r in (first, second, *concurrent, again)}
    assert {r.status_code for r in (first, second, again)} == {200}
    assert len(ids) == 1
    assert await InboundWebhook.all().count() == 1
    await meta.worker.drain()
    assert await Message.filter(direction=Direction.INBOUND).count() == 1


async def test_a_different_body_with_the_same_message_is_still_one_message(meta: Meta) -> None:
    message = text_message("wamid.inbox.resent", "Brand bij de haven")
    await meta.post(notification(message))
    await meta.post(notification(message, name="Lezer uit Gent"))
    assert await InboundWebhook.all().count() == 2
    await meta.worker.drain()
    assert await Message.filter(direction=Direction.INBOUND).count() == 1
