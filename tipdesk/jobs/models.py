"""The durable job table: the desk's only queue, in the same database as the data it serves."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    DEAD = "dead"


class Job(Model):
    id = fields.BigIntField(primary_key=True)
    kind = fields.CharField(max_length=64)
    payload = fields.JSONField[dict[str, object]](default=dict)
    state = fields.CharEnumField(JobState, max_length=16, default=JobState.QUEUED)
    priority = fields.SmallIntField(default=100)
    run_at = fields.DatetimeField()
    attempts = fields.IntField(default=0)
    # Attempts whose lease expired while running: the worker died (OOM-kill, SIGKILL) with it.
    crashes = fields.SmallIntField(default=0)
    max_attempts = fields.IntField()
    lease_until = fields.DatetimeField(null=True)
    leased_by = fields.CharField(max_length=128, null=True)
    last_error = fields.TextField(null=True)
    dedupe_key = fields.CharField(max_length=255, null=True, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "jobs"
        indexes = (("state", "run_at"),)
