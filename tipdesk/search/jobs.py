"""Keeping the index in step with the database, through the job queue.

Every change to a tip enqueues `search.index` for it (coalesced while one is pending); the job
reads the tip afresh and writes or deletes its document. `search.rebuild` (and `tipdesk
reindex`) builds a whole new index from the database and swaps it in.

A job that finds no usable index never builds one of its own beside another worker's: it waits
for the search folder's lock (index.py `exclusive`), and builds only if the index is still
missing then. A rebuild holds that lock from its snapshot to its swap, so every change a writer
holds back meanwhile is written into the new index once the lock is free (its job re-reads the
index that is live then), and every change committed after the snapshot has a job of its own
still to run (the queue releases an index job's dedupe key when it is leased).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient

from tipdesk.clock import utcnow
from tipdesk.jobs import queue
from tipdesk.jobs.kinds import JobContext, JobKind, NoPayload
from tipdesk.jobs.models import Job
from tipdesk.search.index import (
    IndexUnavailable,
    TipIndex,
    build_async,
    exclusive,
    forget_async,
    write_async,
)
from tipdesk.search.schema import TipDocument, tip_documents
from tipdesk.settings import Settings
from tipdesk.tips.models import Tip

log = logging.getLogger("tipdesk.search")
SEARCH_INDEX = "search.index"
SEARCH_REBUILD = "search.rebuild"
SEARCH_FORGET = "search.forget"
BATCH = 200
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class TipToIndex:
    tip_id: int


@dataclass(frozen=True)
class TipsToForget:
    tip_ids: tuple[int, ...]


async def schedule_indexing(
    tip_id: int, settings: Settings, connection: BaseDBAsyncClient | None = None
) -> None:
    """Due after `TIPDESK_SEARCH_DELAY`, on the next multiple of it: a whoosh commit costs some
    18 ms for one document and about 1.3 ms a document for fifty, so the tips and changes of a
    busy second share one commit (and a tip changed twice meanwhile is indexed once). Short
    enough that a new tip is still findable within a second; the board's list reads the
    database and shows it at once."""
    delay = settings.search_delay
    await INDEX_JOB.enqueue(
        TipToIndex(tip_id), settings, using_db=connection, dedupe_key=f"{SEARCH_INDEX}:{tip_id}",
        run_at=indexing_due(utcnow(), delay) if delay else None,
    )  # fmt: skip


def indexing_due(now: datetime, delay: timedelta) -> datetime:
    """The first multiple of `delay` (counted from the epoch) at least `delay` after `now`.

    Each job due exactly `delay` after its change fell due alone under a steady stream of
    tips, and its run took along only the three or four others due by then: a commit every
    90 ms at some 8 ms of CPU a tip. Rounded up, every change of one window falls due at the
    same moment and one commit takes them all, about a delay apart (bench/README.md)."""
    windows = -((EPOCH - (now + delay)) // delay)  # rounded up
    return EPOCH + windows * delay


async def index_tip(context: JobContext, payload: TipToIndex) -> None:
    """Index this job's tip and, in the same commit, the tips of up to BATCH other index jobs
    that wait: a whoosh commit costs about as much for one document as for fifty (its fixed
    part dominates), so a burst of new tips is indexed in a few commits instead of one each.
    The extra jobs are leased as usual, so a crash in between returns them to the queue when
    their leases expire."""
    index = TipIndex(context.settings.data_dir)
    if not index.exists():
        await ensure_index(context.settings)
    extra = await _lease_waiting(context)
    tip_ids = {payload.tip_id} | {INDEX_JOB.load(job.payload).tip_id for job in extra}
    async with queue.leases_kept(extra, context.settings.job_lease):
        found = await tip_documents(tip_ids)
        documents = [found[tip_id] for tip_id in sorted(found)]
        gone = sorted(tip_ids - found.keys())
        try:
            await write_async(index, documents, gone)
        except IndexUnavailable:
            log.warning("search index unreadable: rebuilding it from the database")
            await ensure_index(context.settings)
            await write_async(index, documents, gone)
    await queue.complete_many(extra)


async def _lease_waiting(context: JobContext) -> list[Job]:
    worker = f"search-batch:{context.job_id}"
    # Only jobs that never died with a worker: the others run alone (the poison-pill guard).
    return await queue.lease_many(
        worker, context.settings.job_lease, [SEARCH_INDEX], limit=BATCH, fresh_only=True
    )


async def schedule_forgetting(
    tip_ids: list[int], settings: Settings, connection: BaseDBAsyncClient | None = None
) -> None:
    """Deleted (or erased) tips leave the index for good: their documents are deleted and the
    index rewritten without them, in a job enqueued with the deletion."""
    for start in range(0, len(tip_ids), BATCH):
        await FORGET_JOB.enqueue(
            TipsToForget(tuple(tip_ids[start : start + BATCH])), settings, using_db=connection
        )


async def forget_tips(context: JobContext, payload: TipsToForget) -> None:
    """The `search.forget` job. A listed tip that (still, or again) has a document to show is
    written instead of deleted, so an id never removes a live tip from the index."""
    ids = list(payload.tip_ids)
    index = TipIndex(context.settings.data_dir)
    if not ids:
        return
    if not index.exists():
        await ensure_index(context.settings)  # then forget as usual: old directories hold them
    found = await tip_documents(ids)
    documents = list(found.values())
    shown = found.keys()
    try:
        if documents:
            await write_async(index, documents, [])
        await forget_async(index, [i for i in ids if i not in shown])
    except IndexUnavailable:
        log.warning("search index unreadable: rebuilding it from the database")
        await ensure_index(context.settings)


async def request_rebuild(settings: Settings) -> None:
    await REBUILD_JOB.enqueue(NoPayload(), settings, dedupe_key=SEARCH_REBUILD)


async def rebuild_job(context: JobContext, payload: NoPayload) -> None:
    """Asked for by a search that found no usable index: several may have asked."""
    await ensure_index(context.settings)


# One index writer per process; whoosh's lock file orders writers across processes. No time
# limit: whoosh writes in a thread a timeout cannot stop, and the folder's lock bounds waiting.
INDEX_JOB = JobKind(SEARCH_INDEX, TipToIndex, index_tip, priority=20, timeout=None, concurrency=1)
FORGET_JOB = JobKind(
    SEARCH_FORGET, TipsToForget, forget_tips, priority=20, timeout=None, concurrency=1
)
REBUILD_JOB = JobKind(
    SEARCH_REBUILD, NoPayload, rebuild_job, priority=30, timeout=None, concurrency=1
)


async def ensure_index(settings: Settings) -> None:
    """A usable index, built from the database unless another process has built one by the
    time this one holds the lock."""
    await _rebuild(settings, only_if_unusable=True)


async def rebuild(settings: Settings) -> int:
    """A fresh index from the database, swapped in atomically; how many tips it holds."""
    return await _rebuild(settings, only_if_unusable=False) or 0


async def _rebuild(settings: Settings, *, only_if_unusable: bool) -> int | None:
    index = TipIndex(settings.data_dir)
    async with exclusive(index):
        if only_if_unusable and await asyncio.to_thread(index.usable):
            return None
        documents = await _all_documents()
        target = await build_async(index, documents)
        await asyncio.to_thread(index.swap, target)
        # A tip deleted or erased while the database was read would come back: forget it.
        kept = await Tip.filter(sender__erased_at__isnull=True).values_list("id", flat=True)
        live = {int(str(tip_id)) for tip_id in kept}
        gone = [document.tip_id for document in documents if document.tip_id not in live]
        if gone:
            await forget_async(index, gone, locked=True)
    log.info("search index rebuilt with %d tips", len(documents))
    return len(documents)


async def _all_documents() -> list[TipDocument]:
    documents: list[TipDocument] = []
    ids = [
        int(str(tip_id)) for tip_id in await Tip.all().order_by("id").values_list("id", flat=True)
    ]
    for start in range(0, len(ids), BATCH):
        found = await tip_documents(ids[start : start + BATCH])
        documents += [found[tip_id] for tip_id in sorted(found)]
    return documents
