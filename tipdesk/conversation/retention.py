"""Retention: what the desk no longer needs is deleted, daily and by `tipdesk purge`.

- A tip that was never `used` goes once its last message is older than `TIPDESK_RETENTION`
  (default 90 days), with its messages, media files and index entry (`tips/deletion.py`, the
  same machinery as erasure). The board warns a week before (`tips/purge_dates.py`).
- A tip that was `used` (`used_at`, even when archived since) is evidence: it stays with its
  media and consent records, for good by default or for `TIPDESK_EVIDENCE_RETENTION` after
  its use.
- Messages outside tips (keywords, answers to the desk's questions) go after the same period,
  and so do readers' satisfaction comments (their answers stay in the reports' figures).
- Raw webhook bodies that intake has parsed go after seven days (or the retention, if shorter):
  they hold message text and numbers, and once parsed they only serve to look into a fresh
  problem. Bodies intake could not parse stay for admins (erasure still removes a reader's).

The `conversation.purge` job runs once a day: it re-enqueues itself for the next day with a
dedupe key, and `serve` and `worker` enqueue it at start when none waits.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.expressions import Q
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from tipdesk.clock import utcnow
from tipdesk.conversation.models import SatisfactionAnswer
from tipdesk.conversation.traces import remove_echoes
from tipdesk.db import leave_no_copies
from tipdesk.intake.models import InboundState, InboundWebhook
from tipdesk.jobs.kinds import JobContext, JobKind, NoPayload
from tipdesk.settings import Settings
from tipdesk.tips.deletion import Deleted, delete_messages, delete_tips
from tipdesk.tips.models import MediaAsset, Message, Tip, TipStatus
from tipdesk.webform.uploads import sweep_staging

log = logging.getLogger("tipdesk.conversation")
CONVERSATION_PURGE = "conversation.purge"
RAW_BODIES_KEPT = timedelta(days=7)
# Files of the web form no fetch job took (see webform/uploads.py).
STAGED_FOR = timedelta(days=1)
EVERY = timedelta(days=1)
BATCH = 200


@dataclass
class PurgeReport:
    """What a purge removed (or, dry, would remove): counts only."""

    deleted: Deleted
    webhooks: int

    def lines(self, dry_run: bool) -> list[str]:
        verb = "would delete" if dry_run else "deleted"
        d = self.deleted
        return [
            f"{verb} {d.tips} tips not used whose last message is older than the retention",
            f"{verb} {d.messages} messages and {d.media} media with them",
            f"{verb} {self.webhooks} parsed raw webhook bodies past 7 days (or the retention)",
        ]


async def purge(settings: Settings, *, dry_run: bool = False) -> PurgeReport:
    tips, loose, parsed = _due(settings, utcnow())
    if dry_run:
        return await _count(tips, loose, parsed)
    deleted = Deleted()
    while ids := [int(str(i)) for i in await tips.limit(BATCH).values_list("id", flat=True)]:
        async with in_transaction() as connection:
            deleted.add(await delete_tips(ids, settings, connection))
    while ids := [int(str(i)) for i in await loose.limit(BATCH).values_list("id", flat=True)]:
        async with in_transaction() as connection:
            deleted.add(await delete_messages(ids, settings, connection))
    webhooks = 0
    while keys := [str(i) for i in await parsed.limit(BATCH).values_list("id", flat=True)]:
        await InboundWebhook.filter(id__in=keys).delete()
        webhooks += len(keys)
    webhooks += await remove_echoes(utcnow())
    # Readers' comments on the desk are their words like any message: gone after the same
    # period; the bare answer stays in the figures.
    await SatisfactionAnswer.filter(commented_at__lt=utcnow() - settings.retention).update(
        comment=None, commented_at=None
    )
    sweep_staging(settings.data_dir, STAGED_FOR.total_seconds(), time.time())
    await leave_no_copies()
    log.info("purge: %s, %d raw webhook bodies", deleted.as_dict(), webhooks)
    return PurgeReport(deleted, webhooks)


def _due(
    settings: Settings, now: datetime
) -> tuple[QuerySet[Tip], QuerySet[Message], QuerySet[InboundWebhook]]:
    # Used tips (whatever their status now) are evidence with a retention of their own.
    # `used` without `used_at` cannot come from the desk's actions; it is kept all the same.
    unused = Q(used_at__isnull=True) & ~Q(status=TipStatus.USED)
    due = unused & Q(last_message_at__lt=now - settings.retention)
    if settings.evidence_retention is not None:
        due |= Q(used_at__lt=now - settings.evidence_retention)
    tips = Tip.filter(due)
    loose = Message.filter(tip_id=None, sent_at__lt=now - settings.retention)
    parsed = InboundWebhook.filter(
        state=InboundState.PROCESSED,
        received_at__lt=now - min(RAW_BODIES_KEPT, settings.retention),
    )
    return tips, loose, parsed


async def _count(
    tips: QuerySet[Tip], loose: QuerySet[Message], parsed: QuerySet[InboundWebhook]
) -> PurgeReport:
    ids = [int(str(i)) for i in await tips.values_list("id", flat=True)]
    deleted = Deleted(tips=len(ids), messages=await loose.count())
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        deleted.messages += await Message.filter(tip_id__in=chunk).count()
        deleted.media += await MediaAsset.filter(tip_id__in=chunk).count()
    return PurgeReport(deleted, await parsed.count())


async def purge_job(context: JobContext, payload: NoPayload) -> None:
    """The daily `conversation.purge` job: tomorrow's run is enqueued first, so a purge that
    fails (and ends dead) does not end the daily rhythm."""
    await schedule_purge(context.settings, utcnow() + EVERY)
    await purge(context.settings)


async def schedule_purge(settings: Settings, run_at: datetime | None = None) -> None:
    """Enqueue the daily purge; a no-op while one waits (its dedupe key)."""
    await PURGE_JOB.enqueue(NoPayload(), settings, dedupe_key=CONVERSATION_PURGE, run_at=run_at)


PURGE_JOB = JobKind(
    CONVERSATION_PURGE, NoPayload, purge_job, priority=200, timeout=timedelta(hours=1),
    concurrency=1,
)  # fmt: skip
