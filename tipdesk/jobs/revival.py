"""An admin's retry of a dead job, including one the poison-pill guard gave up.

Giving up marked the desk's side (a body `failed` as unprocessable, an asset failed as unsafe, a
send failed), and the handler skips what is marked so: a retry that only queued the job again
would run it and do nothing. The kind's `revive` step takes its marks back in the same
transaction that queues the job, so no worker sees the one without the other.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tortoise.transactions import in_transaction

from tipdesk.jobs import queue
from tipdesk.jobs.kinds import JobKind, PayloadError
from tipdesk.jobs.models import Job, JobState


async def retry_job(job_id: int, kinds: Mapping[str, JobKind[Any]]) -> bool:
    """Queue a dead job again with fresh attempts; False when there is no such dead job."""
    async with in_transaction() as connection:
        job = await Job.filter(id=job_id, state=JobState.DEAD).using_db(connection).first()
        if job is None:
            return False
        kind = kinds.get(job.kind)
        if kind is not None and kind.revive is not None:
            try:
                payload = kind.load(job.payload)
            except PayloadError:
                payload = None  # it will end dead again, with its reason: nothing to take back
            if payload is not None:
                await kind.revive(payload, connection)
        return await queue.retry_dead(job_id, using_db=connection)
