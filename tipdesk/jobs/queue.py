"""The durable job queue: enqueue with the state change, lease, heartbeat, finish, retry, die.

Jobs live in the `jobs` table. A worker leases a job by moving it to `running` with a
`lease_until`; while the handler runs the worker extends the lease (heartbeat). A worker that is
killed stops extending it, the lease expires and any worker may lease the job again. On PostgreSQL
the lease reads with `FOR UPDATE SKIP LOCKED`, so concurrent workers never wait on or take the
same row; on SQLite writers are serialised by the database itself. Every state change after the
lease is conditional on (`id`, `attempts`), so a worker that lost its lease cannot overwrite the
outcome of the worker that took over.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import random
import traceback
from collections.abc import AsyncIterator, Collection
from datetime import datetime, timedelta

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.fields.data import JSON_DUMPS

from tipdesk.clock import utcnow
from tipdesk.jobs.models import Job, JobState
from tipdesk.plain_sql import columns_of, columns_sql, execute, fetch, marks, record, unindexed

MAX_BACKOFF = timedelta(hours=1)
MAX_ERROR_CHARS = 8_000


def backoff(base_delay: timedelta, attempt: int) -> timedelta:
    """Exponential backoff with jitter, so the retries of one outage do not arrive together."""
    exponential = base_delay * (1 << min(max(attempt - 1, 0), 30))
    capped = min(exponential, MAX_BACKOFF)
    return capped * random.uniform(0.8, 1.2)  # noqa: S311 - jitter, not security


async def enqueue(
    kind: str,
    payload: dict[str, object] | None = None,
    *,
    max_attempts: int,
    using_db: BaseDBAsyncClient | None = None,
    dedupe_key: str | None = None,
    run_at: datetime | None = None,
    priority: int = 100,
) -> None:
    """Add a job; pass the caller's transaction as `using_db` so the job commits with its cause.

    A `dedupe_key` coalesces: while a job with that key waits, a second one is silently not added
    (INSERT .. ON CONFLICT DO NOTHING, which never aborts the caller's transaction). The key is
    released when a worker leases the job, so a change made while it runs gets a job of its own.
    """
    row = queued_job_row(
        kind, payload or {}, priority=priority, max_attempts=max_attempts, now=utcnow(),
        run_at=run_at, dedupe_key=dedupe_key,
    )  # fmt: skip
    # Plain SQL (every tip enqueues several jobs); ON CONFLICT DO NOTHING never aborts the
    # caller's transaction on PostgreSQL, where a failed INSERT would.
    await execute(
        using_db or connections.get("default"),
        f'INSERT INTO "jobs" ({columns_sql(JOB_COLUMNS)}) VALUES ({marks(len(row))}) '  # noqa: S608 - placeholders only
        "ON CONFLICT DO NOTHING",
        row,
    )


def queued_job_row(
    kind: str,
    payload: dict[str, object],
    *,
    priority: int,
    max_attempts: int,
    now: datetime,
    run_at: datetime | None = None,
    dedupe_key: str | None = None,
) -> tuple[object, ...]:
    """A new job's values in `JOB_COLUMNS` order, as the ORM would write them (the payload
    as JSON, times as datetimes: `plain_sql.db_value` makes them SQLite's text)."""
    return (
        kind, JSON_DUMPS(payload), JobState.QUEUED.value, priority, run_at or now,
        0, max_attempts, dedupe_key, now, now,
    )  # fmt: skip


async def lease(worker_id: str, lease_for: timedelta, kinds: Collection[str]) -> Job | None:
    """Take the most urgent due job of `kinds` (or one whose lease expired) for `worker_id`.

    Kinds this worker does not know stay queued for one that does (a rolling deploy).
    """
    taken = await lease_many(worker_id, lease_for, kinds, limit=1)
    return taken[0] if taken else None


async def lease_many(
    worker_id: str,
    lease_for: timedelta,
    kinds: Collection[str],
    *,
    limit: int,
    fresh_only: bool = False,
) -> list[Job]:
    """Up to `limit` of the most urgent due jobs of `kinds`, leased together (a batch handler
    such as search indexing takes what waits in one statement instead of one each).

    `fresh_only` (a batch): only queued jobs that never died with a worker. An expired lease or
    a job with a crash is left to a worker's own lease, which runs it alone (worker.py): taken
    along in a batch, it would take the batch down with it again.

    One statement, since every job passes here (several per tip under a storm): an UPDATE of
    the rows a sub-select picks, RETURNING them. On PostgreSQL the sub-select locks those rows
    with SKIP LOCKED, so two workers never wait on or take the same job; on SQLite the
    statement is atomic. Taking over an expired lease counts the attempt it ended as a crash
    (`crashes`): the worker that ran it died. The worker gives such a job up instead of running
    it once `spent` says so (the poison-pill guard).

    Due jobs and expired leases are picked by two sub-selects, each walking the
    (state, priority, run_at, id) index of migration 0008 in order and stopping at `limit`: a
    storm's backlog of thousands of queued jobs costs a lease nothing (one query over both, as
    an OR, sorted every waiting job, some 8 ms a lease at 20,000). SQLite is told not to use
    `run_at` for the range (`+"run_at"`), which would make it read every due job and sort them.
    """
    if not kinds or limit < 1:
        return []
    now = utcnow()
    connection = connections.get("default")
    postgres = connection.capabilities.dialect == "postgres"
    kind_list = sorted(kinds)
    statement = lease_sql(len(kind_list), postgres=postgres, fresh_only=fresh_only)
    expired = [] if fresh_only else [JobState.RUNNING.value, now, *kind_list, limit]
    values = [
        JobState.RUNNING.value, now + lease_for, worker_id, now,
        JobState.QUEUED.value, now, *kind_list, limit,
        *expired,
        limit,
    ]  # fmt: skip
    rows = await fetch(connection, statement, values)
    jobs = [record(Job, row) for row in rows]
    # RETURNING keeps no order: the most urgent first, as the sub-select chose them.
    return sorted(jobs, key=lambda job: (job.priority, job.run_at, job.id))


@functools.cache
def lease_sql(kind_count: int, *, postgres: bool, fresh_only: bool = False) -> str:
    """`lease_many`'s statement with `?` placeholders: the running values, the due branch's
    state, time, kinds and limit, the expired branch's (not when `fresh_only`), and the limit
    over both.

    The SET's right-hand sides read the row as it was, so a job still `running` (its lease
    expired) gains a crash and one that was queued does not."""
    kinds_sql = marks(kind_count)
    lock = " FOR UPDATE SKIP LOCKED" if postgres else ""
    run_at = unindexed('"run_at"', postgres=postgres)
    order = 'ORDER BY "priority", "run_at", "id" LIMIT ?'
    fresh = ' AND "crashes"=0' if fresh_only else ""
    picked = (
        f'SELECT "id", "priority", "run_at" FROM (SELECT "id", "priority", "run_at" FROM "jobs" '  # noqa: S608 - placeholders only
        f'WHERE "state"=? AND {run_at}<=? AND "kind" IN ({kinds_sql}){fresh} {order}{lock}) '
        'AS "due"'
    )
    if not fresh_only:
        picked += (
            ' UNION ALL SELECT "id", "priority", "run_at" FROM (SELECT "id", "priority", '  # noqa: S608 - placeholders only
            f'"run_at" FROM "jobs" WHERE "state"=? AND "lease_until"<? '
            f'AND "kind" IN ({kinds_sql}) {order}{lock}) AS "expired"'
        )
    return (
        f'UPDATE "jobs" SET "crashes"="crashes"+(CASE WHEN "state"=\'{JobState.RUNNING.value}\' '  # noqa: S608 - placeholders only
        "THEN 1 ELSE 0 END), "
        '"state"=?, "attempts"="attempts"+1, "lease_until"=?, "leased_by"=?, '
        f'"dedupe_key"=NULL, "updated_at"=? WHERE "id" IN (SELECT "id" FROM ({picked}) AS '
        f'"picked" {order}) RETURNING {columns_sql(columns_of(Job))}'
    )


# What a new job is written with (`queued_job_row`).
JOB_COLUMNS = (
    "kind", "payload", "state", "priority", "run_at", "attempts", "max_attempts",
    "dedupe_key", "created_at", "updated_at",
)  # fmt: skip


CRASH_LIMIT = 2


def spent(job: Job) -> str | None:
    """Why a job just leased must not run again, or None. Two attempts that died with their
    worker mean the job itself kills workers (a PDF that grows a process to 23 GB); an expired
    last attempt has used up its attempts all the same."""
    if job.crashes >= CRASH_LIMIT:
        return f"its worker died {job.crashes} times while running it"
    if job.attempts > job.max_attempts:
        return f"its last attempt of {job.max_attempts} died with its worker"
    return None


async def give_up(job: Job, reason: str) -> bool:
    """End a spent job `dead` without running it; False when the lease was lost meanwhile."""
    now = utcnow()
    note = f"given up after attempt {job.attempts - 1}: {reason}"
    previous = f"{job.last_error}\n\n" if job.last_error else ""
    updated = await Job.filter(id=job.id, attempts=job.attempts, state=JobState.RUNNING).update(
        state=JobState.DEAD,
        last_error=(previous + note)[-MAX_ERROR_CHARS:],
        lease_until=None,
        finished_at=now,
        updated_at=now,
    )
    return bool(updated)


async def hand_back(job: Job) -> bool:
    """Return a job just leased to the queue as it was, its attempt not counted (a worker
    that must run it alone, and runs others); False when the lease was lost meanwhile."""
    updated = await Job.filter(id=job.id, attempts=job.attempts, state=JobState.RUNNING).update(
        state=JobState.QUEUED, attempts=job.attempts - 1, lease_until=None, leased_by=None,
        updated_at=utcnow(),
    )  # fmt: skip
    return bool(updated)


async def extend_lease(job: Job, lease_for: timedelta) -> bool:
    """Heartbeat: keep the job while its handler runs. False when another worker took it."""
    now = utcnow()
    updated = await Job.filter(id=job.id, attempts=job.attempts, state=JobState.RUNNING).update(
        lease_until=now + lease_for, updated_at=now
    )
    return bool(updated)


async def extend_leases(jobs: Collection[Job], lease_for: timedelta) -> int:
    """Heartbeat for the jobs a batch handler took along; how many were still its own."""
    if not jobs:
        return 0
    now = utcnow()
    pairs, values = _leases_of(jobs)
    return await execute(
        connections.get("default"),
        f'UPDATE "jobs" SET "lease_until"=?, "updated_at"=? WHERE "state"=? AND ({pairs})',  # noqa: S608 - placeholders only
        [now + lease_for, now, JobState.RUNNING.value, *values],
    )


def _leases_of(jobs: Collection[Job]) -> tuple[str, list[object]]:
    """A WHERE part matching these leases, an OR of (id, attempt) pairs (both databases use the
    primary key for each), and its values."""
    pairs = " OR ".join(['("id"=? AND "attempts"=?)'] * len(jobs))
    return pairs, [value for job in jobs for value in (job.id, job.attempts)]


@contextlib.asynccontextmanager
async def leases_kept(jobs: Collection[Job], lease_for: timedelta) -> AsyncIterator[None]:
    """Keep a batch's extra jobs leased while the handler works on them, as the worker keeps
    its own job: a slow whoosh commit (waiting for another process's writer) outlived their
    leases, another worker took them over, and each takeover counted as a crash."""

    async def beat() -> None:
        while True:
            await asyncio.sleep(max(lease_for / 3, timedelta(milliseconds=100)).total_seconds())
            with contextlib.suppress(Exception):
                await extend_leases(jobs, lease_for)

    heartbeat = asyncio.create_task(beat())
    try:
        yield
    finally:
        heartbeat.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await heartbeat


async def complete(job: Job) -> bool:
    """False when the job's lease was lost (another worker owns its outcome)."""
    return bool(await complete_many([job]))


async def complete_many(jobs: Collection[Job]) -> int:
    """Mark leased jobs done in one statement (every job ends here; a batch ends together);
    how many were still this lease's to finish. Each row is matched on its id and attempt, so
    a job another worker took over meanwhile is left to that worker."""
    if not jobs:
        return 0
    now = utcnow()
    pairs, values = _leases_of(jobs)
    return await execute(
        connections.get("default"),
        'UPDATE "jobs" SET "state"=?, "lease_until"=NULL, "finished_at"=?, "updated_at"=?, '  # noqa: S608 - placeholders only
        f'"last_error"=NULL WHERE "state"=? AND ({pairs})',
        [JobState.DONE.value, now, now, JobState.RUNNING.value, *values],
    )


async def fail(
    job: Job, error: BaseException, base_delay: timedelta, *, final: bool = False
) -> JobState:
    """Record the error; retry later with backoff, or end `dead` after the last attempt (or at
    once when `final`: an error no retry can fix)."""
    now = utcnow()
    text = "".join(traceback.format_exception_only(error)).strip()[-MAX_ERROR_CHARS:]
    if final or job.attempts >= job.max_attempts:
        state, run_at, finished_at = JobState.DEAD, job.run_at, now
    else:
        state, run_at, finished_at = JobState.QUEUED, now + backoff(base_delay, job.attempts), None
    await Job.filter(id=job.id, attempts=job.attempts, state=JobState.RUNNING).update(
        state=state,
        run_at=run_at,
        lease_until=None,
        last_error=f"attempt {job.attempts}: {text}",
        finished_at=finished_at,
        updated_at=now,
    )
    return state


async def retry_dead(job_id: int, using_db: BaseDBAsyncClient | None = None) -> bool:
    """An admin's second chance for a dead job: a fresh set of attempts, due now."""
    now = utcnow()
    fresh = {"attempts": 0, "crashes": 0, "run_at": now, "finished_at": None, "updated_at": now}
    dead = Job.filter(id=job_id, state=JobState.DEAD).using_db(using_db)
    updated = await dead.update(state=JobState.QUEUED, **fresh)
    return bool(updated)
