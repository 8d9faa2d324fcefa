"""The durable queue against the real database: transactions, dedupe, leases, retries, death."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from tortoise import connections
from tortoise.transactions import in_transaction

from tipdesk.clock import utcnow
from tipdesk.jobs import queue
from tipdesk.jobs.kinds import JobContext, JobKind
from tipdesk.jobs.models import Job, JobState
from tipdesk.jobs.worker import Worker
from tipdesk.settings import Settings

LEASE = timedelta(seconds=30)
pytestmark = pytest.mark.usefixtures("db")


@dataclass(frozen=True)
class Probe:
    n: int | None = None


def probe_kind(
    name: str, handler: Callable[[JobContext, Probe], Awaitable[None]], **options: Any
) -> JobKind[Probe]:
    return JobKind(name, Probe, handler, priority=100, timeout=None, **options)


async def test_a_job_commits_with_the_change_that_needs_it() -> None:
    with pytest.raises(RuntimeError):
        async with in_transaction() as connection:
            await queue.enqueue("probe", {"n": 1}, max_attempts=3, using_db=connection)
            raise RuntimeError("the state change failed")
    assert await Job.all().count() == 0
    async with in_transaction() as connection:
        await queue.enqueue("probe", {"n": 2}, max_attempts=3, using_db=connection)
    job = await Job.get()
    assert (job.kind, job.payload, job.state) == ("probe", {"n": 2}, JobState.QUEUED)


async def test_dedupe_key_makes_enqueue_idempotent_without_breaking_the_transaction() -> None:
    async with in_transaction() as connection:
        await queue.enqueue("fetch", {}, max_attempts=3, using_db=connection, dedupe_key="m:1")
        await queue.enqueue("fetch", {}, max_attempts=3, using_db=connection, dedupe_key="m:1")
        await queue.enqueue("fetch", {}, max_attempts=3, using_db=connection, dedupe_key="m:2")
    await queue.enqueue("fetch", {}, max_attempts=3, dedupe_key="m:1")
    assert await Job.all().count() == 2


async def test_lease_takes_urgent_due_known_jobs_only() -> None:
    later = utcnow() + timedelta(minutes=5)
    await queue.enqueue("slow", {"name": "late"}, max_attempts=3, run_at=later)
    await queue.enqueue("slow", {"name": "normal"}, max_attempts=3)
    await queue.enqueue("slow", {"name": "urgent"}, max_attempts=3, priority=10)
    await queue.enqueue("unknown", {"name": "stranger"}, max_attempts=3, priority=0)
    first = await queue.lease("w1", LEASE, ["slow"])
    second = await queue.lease("w1", LEASE, ["slow"])
    assert first is not None and second is not None
    assert [first.payload["name"], second.payload["name"]] == ["urgent", "normal"]
    assert first.state is JobState.RUNNING and first.attempts == 1 and first.leased_by == "w1"
    assert await queue.lease("w1", LEASE, ["slow"]) is None
    assert await queue.lease("w1", LEASE, []) is None


async def test_failure_retries_with_exponential_backoff_then_dies_with_its_error() -> None:
    await queue.enqueue("flaky", {}, max_attempts=3)
    base = timedelta(seconds=10)
    delays = []
    for _ in range(2):
        job = await queue.lease("w1", LEASE, ["flaky"])
        assert job is not None
        assert await queue.fail(job, ValueError("upstream said 503"), base) is JobState.QUEUED
        stored = await Job.get(id=job.id)
        delays.append(stored.run_at - utcnow())
        await Job.filter(id=job.id).update(run_at=utcnow())
    assert timedelta(seconds=7) < delays[0] <= timedelta(seconds=12)
    assert timedelta(seconds=15) < delays[1] <= timedelta(seconds=24)
    job = await queue.lease("w1", LEASE, ["flaky"])
    assert job is not None and job.attempts == 3
    assert await queue.fail(job, ValueError("upstream said 503"), base) is JobState.DEAD
    dead = await Job.get(id=job.id)
    assert dead.state is JobState.DEAD
    assert dead.finished_at is not None
    assert dead.last_error == "attempt 3: ValueError: upstream said 503"
    assert await queue.lease("w1", LEASE, ["flaky"]) is None


def test_backoff_is_capped() -> None:
    assert queue.backoff(timedelta(seconds=2), 60) <= timedelta(hours=1.2)


async def test_expired_lease_returns_the_job_and_fences_the_old_worker() -> None:
    await queue.enqueue("video", {}, max_attempts=5)
    stale = await queue.lease("killed-worker", timedelta(milliseconds=1), ["video"])
    assert stale is not None
    await asyncio.sleep(0.01)
    taken = await queue.lease("w2", LEASE, ["video"])
    assert taken is not None and taken.id == stale.id
    assert (taken.attempts, taken.leased_by) == (2, "w2")
    assert not await queue.complete(stale)
    assert not await queue.extend_lease(stale, LEASE)
    assert await queue.complete(taken)
    assert (await Job.get(id=taken.id)).state is JobState.DONE


async def test_a_batch_is_leased_and_finished_together_most_urgent_first() -> None:
    for n in range(5):
        await queue.enqueue("index", {"n": n}, max_attempts=3, priority=20 - n)
    await queue.enqueue("index", {"n": "later"}, max_attempts=3, run_at=utcnow() + LEASE)
    await queue.enqueue("other", {"n": "other"}, max_attempts=3, priority=0)
    batch = await queue.lease_many("batch", LEASE, ["index"], limit=3)
    assert [job.payload["n"] for job in batch] == [4, 3, 2]
    assert {(job.state, job.attempts, job.leased_by) for job in batch} == {
        (JobState.RUNNING, 1, "batch")
    }
    rest = await queue.lease_many("batch", LEASE, ["index"], limit=10)
    assert [job.payload["n"] for job in rest] == [1, 0]
    assert await queue.lease_many("batch", LEASE, ["index"], limit=10) == []
    assert await queue.lease_many("batch", LEASE, ["index"], limit=0) == []
    # One of the batch was taken over meanwhile (its lease expired): it stays the new owner's.
    await Job.filter(id=batch[0].id).update(attempts=2, leased_by="w2")
    assert await queue.complete_many([*batch, *rest]) == 4
    states = {job.id: job.state for job in await Job.filter(kind="index")}
    assert states[batch[0].id] is JobState.RUNNING
    assert [states[job.id] for job in [*batch[1:], *rest]] == [JobState.DONE] * 4
    assert await queue.complete_many([]) == 0


async def test_due_jobs_and_expired_leases_are_taken_together_most_urgent_first() -> None:
    await queue.enqueue("work", {"n": "expired, urgent"}, max_attempts=3, priority=1)
    stale = await queue.lease("killed-worker", timedelta(milliseconds=1), ["work"])
    assert stale is not None
    await queue.enqueue("work", {"n": "due, normal"}, max_attempts=3, priority=10)
    await queue.enqueue("work", {"n": "due, urgent"}, max_attempts=3, priority=2)
    await queue.enqueue("work", {"n": "later"}, max_attempts=3, priority=0, run_at=utcnow() + LEASE)
    await asyncio.sleep(0.01)
    taken = await queue.lease_many("w2", LEASE, ["work"], limit=10)
    assert [job.payload["n"] for job in taken] == ["expired, urgent", "due, urgent", "due, normal"]
    assert [job.attempts for job in taken] == [2, 1, 1]


async def test_a_batch_takes_only_jobs_that_never_died_with_a_worker() -> None:
    await queue.enqueue("index", {"n": "expired"}, max_attempts=3, priority=1)
    assert await queue.lease("killed-worker", timedelta(milliseconds=1), ["index"]) is not None
    await queue.enqueue("index", {"n": "crashed once, failed since"}, max_attempts=3, priority=2)
    await Job.filter(priority=2).update(crashes=1)
    await queue.enqueue("index", {"n": "fresh"}, max_attempts=3, priority=3)
    await asyncio.sleep(0.01)
    batch = await queue.lease_many("batch", LEASE, ["index"], limit=10, fresh_only=True)
    assert [job.payload["n"] for job in batch] == ["fresh"]
    alone = await queue.lease("worker", LEASE, ["index"])
    assert alone is not None and (alone.payload["n"], alone.crashes) == ("expired", 1)


async def test_a_batch_keeps_the_jobs_it_took_along_while_it_works() -> None:
    for n in range(3):
        await queue.enqueue("index", {"n": n}, max_attempts=3)
    short = timedelta(milliseconds=300)
    batch = await queue.lease_many("batch", short, ["index"], limit=10)
    async with queue.leases_kept(batch, short):
        await asyncio.sleep(1.0)
        assert await queue.lease_many("w2", LEASE, ["index"], limit=10) == []
    assert await queue.complete_many(batch) == 3
    assert {job.crashes for job in await Job.all()} == {0}


async def test_a_lease_walks_the_queue_in_order_instead_of_sorting_the_backlog(
    settings: Settings,
) -> None:
    if settings.is_postgres:
        pytest.skip("PostgreSQL's planner picks by table statistics; the index is migration 0008")
    connection = connections.get("default")
    statement = queue.lease_sql(2, postgres=False)
    plan = await connection.execute_query_dict(
        f"EXPLAIN QUERY PLAN {statement}", ["x"] * statement.count("?")
    )
    details = [str(row["detail"]) for row in plan]
    # Each branch walks the ordered index; only the few rows they return are sorted.
    for branch in ("CO-ROUTINE due", "CO-ROUTINE expired"):
        walk = details[details.index(branch) + 1]
        assert "idx_jobs_lease_order" in walk and "<" not in walk, details
    assert details.count("USE TEMP B-TREE FOR ORDER BY") == 1, details


async def crash(kind: str) -> Job:
    """Lease a job as a worker that then dies: its lease runs out with the job still running."""
    job = await queue.lease("doomed", timedelta(milliseconds=1), [kind])
    assert job is not None
    await asyncio.sleep(0.01)
    return job


async def test_taking_over_an_expired_lease_counts_a_crash() -> None:
    await queue.enqueue("poison", {}, max_attempts=5)
    first = await crash("poison")
    assert (first.attempts, first.crashes, queue.spent(first)) == (1, 0, None)
    second = await crash("poison")
    assert (second.attempts, second.crashes, queue.spent(second)) == (2, 1, None)
    third = await queue.lease("w3", LEASE, ["poison"])
    assert third is not None and (third.attempts, third.crashes) == (3, 2)
    assert queue.spent(third) == "its worker died 2 times while running it"


async def test_a_failure_or_a_finished_job_is_no_crash() -> None:
    await queue.enqueue("flaky", {}, max_attempts=5)
    job = await queue.lease("w1", LEASE, ["flaky"])
    assert job is not None
    await queue.fail(job, OSError("disk full"), timedelta(milliseconds=1))
    await asyncio.sleep(0.01)
    again = await queue.lease("w1", LEASE, ["flaky"])
    assert again is not None and (again.attempts, again.crashes) == (2, 0)


async def test_a_job_that_keeps_killing_workers_is_given_up(settings: Settings) -> None:
    ran: list[int] = []
    gave_up: list[Probe] = []

    async def handler(context: JobContext, payload: Probe) -> None:
        ran.append(context.attempt)

    async def give_up(context: JobContext, payload: Probe) -> None:
        gave_up.append(payload)

    await queue.enqueue("poison", {"n": 1}, max_attempts=5)
    await crash("poison")
    await crash("poison")
    worker = Worker(settings, {"poison": probe_kind("poison", handler, give_up=give_up)})
    assert await worker.drain() == 1
    dead = await Job.get()
    assert (ran, gave_up, dead.state, dead.crashes) == ([], [Probe(1)], JobState.DEAD, 2)
    assert dead.last_error == "given up after attempt 2: its worker died 2 times while running it"
    assert await queue.retry_dead(dead.id)
    assert (await Job.get()).crashes == 0


async def test_a_job_that_crashed_once_waits_for_a_quiet_worker_without_its_lease(
    settings: Settings,
) -> None:
    """A once-crashed job runs alone. Leased while a long job runs, it goes back to the queue
    instead of waiting leased: a worker killed behind a long transcode would count its death
    against the waiting job too, and a second crash gives an innocent send up."""
    transcoding, release, finished = asyncio.Event(), asyncio.Event(), asyncio.Event()
    seen_while_busy: list[tuple[JobState, int]] = []

    async def transcode(context: JobContext, payload: Probe) -> None:
        transcoding.set()
        await release.wait()

    async def send(context: JobContext, payload: Probe) -> None:
        assert worker.running.total() == 1  # alone
        finished.set()

    # The transcode is the more urgent, so the worker takes it first.
    await queue.enqueue("transcode", {}, max_attempts=5, priority=1)
    await queue.enqueue("send", {}, max_attempts=5, priority=5)
    await crash("send")
    kinds = {"transcode": probe_kind("transcode", transcode), "send": probe_kind("send", send)}
    worker = Worker(settings, kinds, concurrency=3)
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    try:
        await asyncio.wait_for(transcoding.wait(), 10)
        while (await Job.get(kind="send")).crashes == 0:  # a free slot polls and leases it
            await asyncio.sleep(0.05)
        for _ in range(4):
            await asyncio.sleep(settings.job_poll_interval.total_seconds() / 2)
            job = await Job.get(kind="send")
            seen_while_busy.append((job.state, job.crashes))
        assert set(seen_while_busy) == {(JobState.QUEUED, 1)}
        release.set()
        await asyncio.wait_for(finished.wait(), 10)
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
    sent = await Job.get(kind="send")
    assert (sent.state, sent.crashes, sent.attempts) == (JobState.DONE, 1, 2)


async def test_a_last_attempt_that_died_is_given_up(settings: Settings) -> None:
    async def handler(context: JobContext, payload: Probe) -> None:
        raise AssertionError("a spent job must not run")

    await queue.enqueue("poison", {}, max_attempts=1)
    await crash("poison")
    assert await Worker(settings, {"poison": probe_kind("poison", handler)}).drain() == 1
    dead = await Job.get()
    assert dead.state is JobState.DEAD and dead.last_error is not None
    assert "its last attempt of 1 died with its worker" in dead.last_error


async def test_dead_job_can_be_retried_by_an_admin() -> None:
    await queue.enqueue("flaky", {}, max_attempts=1)
    job = await queue.lease("w1", LEASE, ["flaky"])
    assert job is not None
    await queue.fail(job, OSError("disk full"), timedelta(seconds=1))
    assert await queue.retry_dead(job.id)
    again = await queue.lease("w1", LEASE, ["flaky"])
    assert again is not None and again.attempts == 1
    assert not await queue.retry_dead(job.id)


async def run_worker_until(worker: Worker, condition: asyncio.Event, timeout: float = 20) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    try:
        await asyncio.wait_for(condition.wait(), timeout)
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout)


async def test_worker_respects_per_kind_concurrency(settings: Settings) -> None:
    running, peak, finished = 0, 0, asyncio.Event()
    done = 0

    async def transcode(context: JobContext, payload: Probe) -> None:
        nonlocal running, peak, done
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.05)
        running -= 1
        done += 1
        if done == 6:
            finished.set()

    for n in range(6):
        await queue.enqueue("transcode", {"n": n}, max_attempts=3)
    worker = Worker(
        settings, {"transcode": probe_kind("transcode", transcode, concurrency=2)}, concurrency=5
    )
    await run_worker_until(worker, finished)
    assert peak == 2
    assert await Job.filter(state=JobState.DONE).count() == 6


async def test_heartbeat_keeps_a_long_job_from_being_taken_over(environ: dict[str, str]) -> None:
    # The job outlives its lease several times over; the lease is long enough that a busy
    # machine's late heartbeat (every third of it) still lands in time.
    settings = Settings.from_env({**environ, "TIPDESK_JOB_LEASE": "900ms"}, env_file=None)
    runs: list[int] = []
    finished = asyncio.Event()

    async def long_job(context: JobContext, payload: Probe) -> None:
        runs.append(context.attempt)
        await asyncio.sleep(3.0)
        finished.set()

    await queue.enqueue("long", {}, max_attempts=3)
    kinds = {"long": probe_kind("long", long_job)}
    first, second = Worker(settings, kinds), Worker(settings, kinds)
    stop = asyncio.Event()
    task = asyncio.create_task(second.run(stop))
    try:
        await run_worker_until(first, finished)
        await asyncio.sleep(0.5)
    finally:
        stop.set()
        await task
    assert runs == [1]
    assert (await Job.get()).state is JobState.DONE


async def test_handler_error_is_recorded_on_the_job(settings: Settings) -> None:
    failed = asyncio.Event()

    async def broken(context: JobContext, payload: Probe) -> None:
        failed.set()
        raise KeyError("media_id")

    await queue.enqueue("broken", {}, max_attempts=5)
    await run_worker_until(Worker(settings, {"broken": probe_kind("broken", broken)}), failed)
    job = await Job.get()
    assert job.state is JobState.QUEUED
    assert job.attempts == 1
    assert job.last_error == "attempt 1: KeyError: 'media_id'"
