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

import random
import traceback
from collections.abc import Collection
from datetime import UTC, datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from tipdesk.jobs.models import Job, JobState

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
    job = Job(
        kind=kind,
        payload=payload or {},
        state=JobState.QUEUED,
        priority=priority,
        run_at=run_at or utcnow(),
        max_attempts=max_attempts,
        dedupe_key=dedupe_key,
    )
    await Job.bulk_create([job], ignore_conflicts=True, using_db=using_db)


async def lease(worker_id: str, lease_for: timedelta, kinds: Collection[str]) -> Job | None:
    """Take the most urgent due job of `kinds` (or one whose lease expired) for `worker_id`.

    Kinds this worker does not know stay queued for one that does (a rolling deploy).
    """
    if not kinds:
        return None
    now = utcnow()
    due = Q(state=JobState.QUEUED, run_at__lte=now) | Q(state=JobState.RUNNING, lease_until__lt=now)
    async with in_transaction() as connection:
        candidate = (
            await Job.filter(due, kind__in=list(kinds))
            .order_by("priority", "run_at", "id")
            .select_for_update(skip_locked=True)
            .using_db(connection)
            .first()
        )
        if candidate is None:
            return None
        if candidate.state == JobState.RUNNING and candidate.attempts >= candidate.max_attempts:
            await _bury_abandoned(candidate, connection, now)
            return None
        lease_until = now + lease_for
        taken = await (
            Job.filter(id=candidate.id, attempts=candidate.attempts)
            .using_db(connection)
            .update(
                state=JobState.RUNNING,
                attempts=candidate.attempts + 1,
                lease_until=lease_until,
                leased_by=worker_id,
                dedupe_key=None,
                updated_at=now,
            )
        )
        if not taken:
            return None
    candidate.state, candidate.attempts = JobState.RUNNING, candidate.attempts + 1
    candidate.lease_until, candidate.leased_by = lease_until, worker_id
    return candidate


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
    now = utcnow()
    updated = await Job.filter(id=job.id, attempts=job.attempts, state=JobState.RUNNING).update(
        state=JobState.DONE, lease_until=None, finished_at=now, updated_at=now, last_error=None
    )
    return bool(updated)


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
