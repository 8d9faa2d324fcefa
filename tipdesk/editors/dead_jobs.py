"""What an admin does to a dead job on /admin: retry it or discard it, audited in the same
transaction as the change."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from tipdesk.audit.actions import AuditAction
from tipdesk.audit.trail import record
from tipdesk.editors.models import Editor
from tipdesk.editors.permissions import may_administer
from tipdesk.errors import Forbidden
from tipdesk.jobs.kinds import JobKind
from tipdesk.jobs.models import Job, JobState
from tipdesk.jobs.revival import retry_job


def _require_admin(admin: Editor) -> None:
    if not may_administer(admin):
        raise Forbidden("only admins may retry or discard jobs", reason="admins_only")


async def retry_dead_job(admin: Editor, job_id: int, kinds: Mapping[str, JobKind[Any]]) -> bool:
    """False when there is no such dead job (another admin was first)."""
    _require_admin(admin)
    # retry_job's own transaction joins this one, so the retry and its event commit together.
    async with in_transaction() as connection:
        done = await retry_job(job_id, kinds)
        if done:
            await _audit(AuditAction.JOB_RETRY, admin, job_id, connection)
    return done


async def discard_dead_job(admin: Editor, job_id: int) -> bool:
    _require_admin(admin)
    async with in_transaction() as connection:
        done = bool(await Job.filter(id=job_id, state=JobState.DEAD).using_db(connection).delete())
        if done:
            await _audit(AuditAction.JOB_DISCARD, admin, job_id, connection)
    return done


async def _audit(
    action: AuditAction, admin: Editor, job_id: int, connection: BaseDBAsyncClient
) -> None:
    await record(action, editor=admin, detail={"job_id": job_id}, using_db=connection)
