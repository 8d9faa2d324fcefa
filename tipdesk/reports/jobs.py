"""The daily `reports.roll_up` job: every closed day that is not stored yet is rolled up ahead
of the reports that will read it (`rollups.py`), so only days changed since wait for a report.

It enqueues its next run (a day later, dedupe key `reports.roll_up`) before it works, so a
failing run does not end the rhythm; `serve` and `worker` enqueue it at start.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from tipdesk.clock import utcnow
from tipdesk.jobs.kinds import JobContext, JobKind, NoPayload
from tipdesk.reports.rollups import roll_up_history
from tipdesk.settings import Settings

log = logging.getLogger("tipdesk.reports")
REPORTS_ROLL_UP = "reports.roll_up"
EVERY = timedelta(days=1)


async def roll_up_job(context: JobContext, payload: NoPayload) -> None:
    settings = context.settings
    await schedule_roll_up(settings, utcnow() + EVERY)
    rolled = await roll_up_history(
        settings.timezone, settings.opening_hours, utcnow(), context.give_way
    )
    log.info("reports: %d days rolled up", rolled)


async def schedule_roll_up(settings: Settings, run_at: datetime | None = None) -> None:
    """Enqueue the daily roll-up; a no-op while one waits (its dedupe key)."""
    await ROLL_UP_JOB.enqueue(NoPayload(), settings, dedupe_key=REPORTS_ROLL_UP, run_at=run_at)


# The first run over two years of history takes some seconds; an hour means it is stuck.
ROLL_UP_JOB = JobKind(
    REPORTS_ROLL_UP, NoPayload, roll_up_job, priority=200, timeout=timedelta(hours=1),
    concurrency=1,
)  # fmt: skip
