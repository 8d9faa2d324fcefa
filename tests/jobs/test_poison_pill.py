"""The poison-pill guard: a job that keeps killing its workers is given up, not run a third time,
and its kind's give-up step tells the desk (media failed, send failed); the tip stays intact."""

from __future__ import annotations

import asyncio
import secrets
import subprocess
import time
from datetime import timedelta
from pathlib import Path

import pytest

from tests.jobs.test_worker_processes import (  # noqa: F401 - fixture
    Workers,
    read_log,
    wait_for,
    workers,
)
from tipdesk.clock import utcnow
from tipdesk.conversation.outbox import CONVERSATION_SEND
from tipdesk.desk import desk_job_kinds, desk_worker
from tipdesk.jobs import queue
from tipdesk.jobs.models import Job, JobState
from tipdesk.jobs.revival import retry_job
from tipdesk.media.fetch import MEDIA_FETCH
from tipdesk.media.states import UNSAFE
from tipdesk.settings import Settings
from tipdesk.tips.models import (
    DeliveryState,
    Direction,
    MediaAsset,
    MediaKind,
    MediaState,
    Message,
    Sender,
    Tip,
)

pytestmark = pytest.mark.usefixtures("db")


async def crash(kind: str) -> None:
    """Lease a job as a worker that then dies: its lease runs out with the job still running."""
    assert await queue.lease("doomed", timedelta(milliseconds=1), [kind]) is not None
    await asyncio.sleep(0.01)


async def reader_tip() -> tuple[Sender, Tip, Message]:
    now = utcnow()
    reader = await Sender.create(
        channel="whatsapp", address="31612345678", phone="31612345678", first_contact_at=now
    )
    tip = await Tip.create(sender=reader, first_message_at=now, last_message_at=now)
    message = await Message.create(
        channel="whatsapp",
        external_id="wamid.poison", tip=tip, sender=reader, direction=Direction.INBOUND,
        type="document", sent_at=now,
    )  # fmt: skip
    return reader, tip, message


async def poisoned_asset(settings: Settings) -> MediaAsset:
    _, tip, message = await reader_tip()
    asset = await MediaAsset.create(
        token=secrets.token_urlsafe(24), tip=tip, message=message, kind=MediaKind.DOCUMENT,
        external_media_id="1234567890", declared_mime="application/pdf",
    )  # fmt: skip
    await queue.enqueue(MEDIA_FETCH, {"asset_id": asset.id}, max_attempts=settings.job_max_attempts)
    return asset


def died(process: subprocess.Popen[bytes]) -> int:
    return process.wait(timeout=60)


@pytest.mark.slow
async def test_a_media_job_that_kills_two_workers_fails_its_asset_only(
    workers: Workers,  # noqa: F811 - the fixture
    settings: Settings,
) -> None:
    asset = await poisoned_asset(settings)
    crashing = {"PROBE_DIE_IN": MEDIA_FETCH, "TIPDESK_JOB_LEASE": "1s"}
    started = time.monotonic()
    assert await asyncio.to_thread(died, workers.start(concurrency=1, **crashing)) == 70
    assert await asyncio.to_thread(died, workers.start(concurrency=1, **crashing)) == 70
    survivor = workers.start(concurrency=1, **crashing)
    await wait_for(1, JobState.DEAD, timeout=60)
    assert survivor.poll() is None, "the third worker ran the job that kills workers"
    job = await Job.get()
    assert (job.attempts, job.crashes) == (3, 2)
    failed = await MediaAsset.get(id=asset.id)
    assert (failed.state, failed.error) == (MediaState.FAILED, UNSAFE)
    tip = await Tip.get(id=asset.tip_id)  # type: ignore[attr-defined]
    assert await Message.filter(tip=tip).count() == 1
    print(f"three workers, two killed, in {time.monotonic() - started:.1f} s")


@pytest.mark.slow
async def test_a_job_killed_beside_the_poison_pill_runs_alone_and_survives(
    workers: Workers,  # noqa: F811 - the fixture
    settings: Settings,
    tmp_path: Path,
) -> None:
    """The pill's first crash takes the job running beside it along; leased again together, the
    innocent job would die a second time and be given up with the pill. Run alone, it finishes."""
    log = tmp_path / "bystander.log"
    await queue.enqueue("probe.append", {"log": str(log), "sleep": 3}, max_attempts=5, priority=10)
    asset = await poisoned_asset(settings)
    crashing = {"PROBE_DIE_IN": MEDIA_FETCH, "TIPDESK_JOB_LEASE": "1s"}
    assert await asyncio.to_thread(died, workers.start(concurrency=2, **crashing)) == 70
    assert await asyncio.to_thread(died, workers.start(concurrency=2, **crashing)) == 70
    survivor = workers.start(concurrency=2, **crashing)
    await wait_for(1, JobState.DEAD, timeout=60)
    assert survivor.poll() is None
    bystander = await Job.get(kind="probe.append")
    assert (bystander.state, bystander.crashes) == (JobState.DONE, 1)
    pill = await Job.get(kind=MEDIA_FETCH)
    assert (pill.state, pill.crashes) == (JobState.DEAD, 2)
    assert (await MediaAsset.get(id=asset.id)).state is MediaState.FAILED
    assert [row[0] for row in read_log(log)].count("done") == 1


async def test_a_send_that_kills_two_workers_is_marked_failed(settings: Settings) -> None:
    reader, tip, _ = await reader_tip()
    message = await Message.create(
        channel="whatsapp",
        external_id="desk.poison", tip=tip, sender=reader, direction=Direction.OUTBOUND,
        type="text",
        text="Dank je wel", delivery=DeliveryState.QUEUED, sent_at=utcnow(),
    )  # fmt: skip
    await queue.enqueue(CONVERSATION_SEND, {"message_id": message.id}, max_attempts=5)
    await crash(CONVERSATION_SEND)
    await crash(CONVERSATION_SEND)
    assert await desk_worker(settings).drain() == 1
    failed = await Message.get(id=message.id)
    assert failed.delivery is DeliveryState.FAILED and failed.delivery_error is not None
    assert "stopped the desk's worker twice" in str(failed.delivery_error["reason"])
    job = await Job.get()
    assert job.state is JobState.DEAD
    # An admin's retry sends it after all.
    assert await retry_job(job.id, desk_job_kinds(settings))
    queued = await Message.get(id=message.id)
    assert (queued.delivery, queued.delivery_error) == (DeliveryState.QUEUED, None)
    assert (await Job.get()).state is JobState.QUEUED


async def test_a_media_job_given_up_in_process_fails_the_asset(settings: Settings) -> None:
    asset = await poisoned_asset(settings)
    await crash(MEDIA_FETCH)
    await crash(MEDIA_FETCH)
    assert await desk_worker(settings).drain() == 1
    failed = await MediaAsset.get(id=asset.id)
    assert (failed.state, failed.error) == (MediaState.FAILED, UNSAFE)
    assert await Tip.exists(id=asset.tip_id)  # type: ignore[attr-defined]
    assert await retry_job((await Job.get()).id, desk_job_kinds(settings))
    waiting = await MediaAsset.get(id=asset.id)
    assert (waiting.state, waiting.error) == (MediaState.PENDING, None)
