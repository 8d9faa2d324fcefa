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

import functools
import random
import traceback
from collections.abc import Collection
from datetime import UTC, datetime, timedelta

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from tipdesk.jobs.models import Job, JobState
from tipdesk.plain_sql import columns_sql, execute, fetch, marks, unindexed

MAX_BACKOFF = timedelta(hours=1)
MAX_ERROR_CHARS = 8_000


def utcnow() -> datetime:
    return datetime.now(UTC)


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
        kind, PAYLOAD.to_db_value(payload, Job), JobState.QUEUED.value, priority, run_at or now,
        0, max_attempts, dedupe_key, now, now,
    )  # fmt: skip


async def lease(worker_id: str, lease_for: timedelta, kinds: Collection[str]) -> Job | None:
    """Take the most urgent due job of `kinds` (or one whose lease expired) for `worker_id`.

    Kinds this worker does not know stay queued for one that does (a rolling deploy).
    """
    taken = await lease_many(worker_id, lease_for, kinds, limit=1)
    return taken[0] if taken else None


async def lease_many(
    worker_id: str, lease_for: timedelta, kinds: Collection[str], *, limit: int
) -> list[Job]:
    """Up to `limit` of the most urgent due jobs of `kinds`, leased together (a batch handler
    such as search indexing takes what waits in one statement instead of one each).

    One statement, since every job passes here (several per tip under a storm): an UPDATE of
    the rows a sub-select picks, RETURNING them. On PostgreSQL the sub-select locks those rows
    with SKIP LOCKED, so two workers never wait on or take the same job; on SQLite the
    statement is atomic. Jobs whose every attempt died with its worker are buried instead
    (`bury_abandoned`) when nothing is due.

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
    statement = lease_sql(len(kind_list), postgres=postgres)
    values = [
        JobState.RUNNING.value, now + lease_for, worker_id, now,
        JobState.QUEUED.value, now, *kind_list, limit,
        JobState.RUNNING.value, now, *kind_list, limit,
        limit,
    ]  # fmt: skip
    rows = await fetch(connection, statement, values)
    if not rows:
        await bury_abandoned(kind_list)
        return []
    jobs = [Job._init_from_db(**row) for row in rows]
    # RETURNING keeps no order: the most urgent first, as the sub-select chose them.
    return sorted(jobs, key=lambda job: (job.priority, job.run_at, job.id))


@functools.cache
def lease_sql(kind_count: int, *, postgres: bool) -> str:
    """`lease_many`'s statement with `?` placeholders: the running values, the due branch's
    state, time, kinds and limit, the expired branch's, and the limit over both."""
    kinds_sql = marks(kind_count)
    lock = " FOR UPDATE SKIP LOCKED" if postgres else ""
    run_at = unindexed('"run_at"', postgres=postgres)
    order = 'ORDER BY "priority", "run_at", "id" LIMIT ?'
    picked = (
        f'SELECT "id", "priority", "run_at" FROM (SELECT "id", "priority", "run_at" FROM "jobs" '  # noqa: S608 - placeholders only
        f'WHERE "state"=? AND {run_at}<=? AND "kind" IN ({kinds_sql}) {order}{lock}) AS "due" '
        f'UNION ALL SELECT "id", "priority", "run_at" FROM (SELECT "id", "priority", "run_at" '
        f'FROM "jobs" WHERE "state"=? AND "lease_until"<? AND "attempts"<"max_attempts" '
        f'AND "kind" IN ({kinds_sql}) {order}{lock}) AS "expired"'
    )
    return (
        'UPDATE "jobs" SET "state"=?, "attempts"="attempts"+1, "lease_until"=?, "leased_by"=?, '  # noqa: S608 - placeholders only
        f'"dedupe_key"=NULL, "updated_at"=? WHERE "id" IN (SELECT "id" FROM ({picked}) AS '
        f'"picked" {order}) RETURNING {ALL_COLUMNS}'
    )


async def bury_abandoned(kinds: Collection[str]) -> int:
    """Jobs whose every attempt died with its worker (the lease expired on the last attempt)
    are dead too: such a job keeps killing workers. `lease` calls this when it finds nothing
    to do, so an idle worker buries them."""
    now = utcnow()
    abandoned = Job.filter(
        state=JobState.RUNNING,
        lease_until__lt=now,
        attempts__gte=F("max_attempts"),
        kind__in=list(kinds),
    )
    if not await abandoned.exists():
        return 0
    async with in_transaction() as connection:
        jobs = await abandoned.select_for_update(skip_locked=True).using_db(connection)
        for job in jobs:
            await _bury_abandoned(job, connection, now)
    return len(jobs)


# What a new job is written with (`queued_job_row`), and all a leased one is read back with.
JOB_COLUMNS = (
    "kind", "payload", "state", "priority", "run_at", "attempts", "max_attempts",
    "dedupe_key", "created_at", "updated_at",
)  # fmt: skip
ALL_COLUMNS = columns_sql(Job._meta.db_fields)
PAYLOAD = Job._meta.fields_map["payload"]


async def _bury_abandoned(job: Job, connection: BaseDBAsyncClient, now: datetime) -> None:
    """A job whose every attempt died with its worker is dead too: it keeps killing workers."""
    note = f"lease expired on attempt {job.attempts} of {job.max_attempts} (worker {job.leased_by})"
    previous = f"{job.last_error}\n\n" if job.last_error else ""
    await (
        Job.filter(id=job.id, attempts=job.attempts)
        .using_db(connection)
        .update(
            state=JobState.DEAD,
            last_error=(previous + note)[-MAX_ERROR_CHARS:],
            lease_until=None,
            finished_at=now,
            updated_at=now,
        )
    )


async def extend_lease(job: Job, lease_for: timedelta) -> bool:
    """Heartbeat: keep the job while its handler runs. False when another worker took it."""
    now = utcnow()
    updated = await Job.filter(id=job.id, attempts=job.attempts, state=JobState.RUNNING).update(
        lease_until=now + lease_for, updated_at=now
    )
    return bool(updated)


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
    # An OR of (id, attempt) pairs: both databases use the primary key for each.
    pairs = " OR ".join(['("id"=? AND "attempts"=?)'] * len(jobs))
    return await execute(
        connections.get("default"),
        'UPDATE "jobs" SET "state"=?, "lease_until"=NULL, "finished_at"=?, "updated_at"=?, '  # noqa: S608 - placeholders only
        f'"last_error"=NULL WHERE "state"=? AND ({pairs})',
        [JobState.DONE.value, now, now, JobState.RUNNING.value]
        + [value for job in jobs for value in (job.id, job.attempts)],
    )


async def fail(job: Job, error: BaseException, base_delay: timedelta) -> JobState:
    """Record the error; retry later with backoff, or end `dead` after the last attempt."""
    now = utcnow()
    text = "".join(traceback.format_exception_only(error)).strip()[-MAX_ERROR_CHARS:]
    if job.attempts >= job.max_attempts:
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


async def retry_dead(job_id: int) -> bool:
    """An admin's second chance for a dead job: a fresh set of attempts, due now."""
    now = utcnow()
    updated = await Job.filter(id=job_id, state=JobState.DEAD).update(
        state=JobState.QUEUED, attempts=0, run_at=now, finished_at=None, updated_at=now
    )
    return bool(updated)
