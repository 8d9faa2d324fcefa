"""Job kinds: one declaration each, typed payloads checked on enqueue and on lease, time limits."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

import pytest

from tipdesk.desk import DESK_JOBS
from tipdesk.intake.inbox_writers import BodiesToProcess
from tipdesk.intake.jobs import INTAKE_JOB
from tipdesk.jobs import queue
from tipdesk.jobs.kinds import (
    JobContext,
    JobKind,
    NoPayload,
    PayloadError,
    UnknownJobKind,
    kind_named,
    registry,
)
from tipdesk.jobs.models import Job, JobState
from tipdesk.jobs.worker import Worker
from tipdesk.settings import Settings

pytestmark = pytest.mark.usefixtures("db")


@dataclass(frozen=True)
class Clip:
    asset_id: int
    variants: tuple[str, ...] = ()
    note: str | None = None


async def _ignore(context: JobContext, payload: Clip) -> None:
    return None


CLIP = JobKind("clip", Clip, _ignore, priority=7, timeout=None, max_attempts=2)


def test_the_desk_declares_each_kind_once_under_the_names_its_rows_carry() -> None:
    # Rows in the jobs table name these; a renamed kind would strand queued jobs.
    assert sorted(DESK_JOBS) == [
        "conversation.erase", "conversation.erase_echoes", "conversation.mark_read",
        "conversation.profile", "conversation.purge", "conversation.send", "intake.process",
        "media.discard", "media.fetch", "media.refresh", "media.transcode", "media.transcribe",
        "reports.roll_up", "search.forget", "search.index", "search.rebuild", "webform.notify",
        "webhooks.deliver",
    ]  # fmt: skip
    for name, kind in DESK_JOBS.items():
        assert kind.name == name
        assert isinstance(kind.priority, int)


def test_a_name_declared_twice_and_an_unknown_name_are_refused() -> None:
    with pytest.raises(ValueError, match="clip is declared twice"):
        registry(CLIP, CLIP)
    with pytest.raises(UnknownJobKind, match=r"no job kind 'clap' \(known: clip\)"):
        kind_named(registry(CLIP), "clap")


async def test_enqueue_by_kind_writes_its_priority_attempts_and_payload(
    settings: Settings,
) -> None:
    await CLIP.enqueue(Clip(3, ("web", "thumb")), settings, dedupe_key="clip:3")
    job = await Job.get()
    assert (job.kind, job.priority, job.max_attempts) == ("clip", 7, 2)
    assert job.payload == {"asset_id": 3, "variants": ["web", "thumb"]}
    assert CLIP.load(job.payload) == Clip(3, ("web", "thumb"))
    await INTAKE_JOB.enqueue(BodiesToProcess(("a",)), settings, priority=40)
    intake = await Job.get(kind="intake.process")
    assert (intake.priority, intake.max_attempts) == (40, settings.job_max_attempts)


async def test_a_payload_of_the_wrong_shape_is_refused_before_anything_is_written(
    settings: Settings,
) -> None:
    with pytest.raises(PayloadError, match="clip takes a Clip, not NoPayload"):
        await CLIP.enqueue(NoPayload(), settings)  # type: ignore[arg-type]
    with pytest.raises(PayloadError, match="clip: asset_id must be an int, not str"):
        await CLIP.enqueue(Clip("3"), settings)  # type: ignore[arg-type]
    assert await Job.all().count() == 0


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ({}, "clip needs asset_id"),
        ({"asset_id": True}, "asset_id must be an int, not bool"),
        ({"asset_id": 1, "variants": "web"}, "variants must be a list, not str"),
        ({"asset_id": 1, "variants": [1]}, "variants must be a str, not int"),
        ({"asset_id": 1, "flavour": "x"}, "'flavour' is not a field of Clip"),
    ],
)
def test_reading_a_row_names_what_does_not_fit(raw: dict[str, object], problem: str) -> None:
    with pytest.raises(PayloadError, match=problem):
        CLIP.load(raw)


def test_old_intake_rows_that_name_one_body_still_read() -> None:
    assert INTAKE_JOB.load({"webhook_id": "b1"}).ids == ["b1"]
    assert INTAKE_JOB.load({"webhook_ids": ["b1", "b2"]}).ids == ["b1", "b2"]


async def test_a_leased_row_that_does_not_fit_dies_at_once_without_running(
    settings: Settings,
) -> None:
    ran: list[Clip] = []

    async def handler(context: JobContext, payload: Clip) -> None:
        ran.append(payload)

    kind = JobKind("clip", Clip, handler, priority=7, timeout=None)
    await queue.enqueue("clip", {"asset_id": "seven"}, max_attempts=5)
    await queue.enqueue("clip", {"asset_id": 7}, max_attempts=5)
    assert await Worker(settings, {kind.name: kind}).drain() == 2
    bad, good = await Job.all().order_by("id")
    assert ran == [Clip(7)]
    assert (bad.state, bad.attempts) == (JobState.DEAD, 1)
    assert bad.last_error is not None
    assert bad.last_error.endswith("PayloadError: clip: asset_id must be an int, not str")
    assert good.state is JobState.DONE


async def test_an_attempt_over_its_time_limit_is_stopped_and_retried(settings: Settings) -> None:
    async def stuck(context: JobContext, payload: NoPayload) -> None:
        await asyncio.sleep(30)

    kind = JobKind("stuck", NoPayload, stuck, priority=1, timeout=timedelta(milliseconds=50))
    await kind.enqueue(NoPayload(), settings)
    assert await Worker(settings, {kind.name: kind}).drain() == 1
    job = await Job.get()
    assert (job.state, job.attempts) == (JobState.QUEUED, 1)
    assert job.last_error is not None
    assert "JobTimedOut: the attempt ran over its 0:00:00.050000 time limit" in job.last_error
