"""Removing media files nobody refers to any more, after their assets were deleted.

Originals are content-addressed and shared: the same photo from two readers is one file. So a
file goes only when no remaining asset has its SHA-256. The job runs after the transaction that
deleted the assets (it is enqueued inside it), so a crash between the two loses nothing: the job
is durable and a second run removes what the first did not.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from tortoise.backends.base.client import BaseDBAsyncClient

from tipdesk.jobs.kinds import JobContext, JobKind
from tipdesk.media.states import media_store
from tipdesk.settings import Settings
from tipdesk.tips.models import MediaAsset

log = logging.getLogger("tipdesk.media")
MEDIA_DISCARD = "media.discard"
BATCH = 200
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class FilesToDiscard:
    sha256: tuple[str, ...]


async def schedule_discard(
    digests: Iterable[str | None], settings: Settings, connection: BaseDBAsyncClient | None
) -> None:
    """Enqueue the removal of these files (if unreferenced) in the caller's transaction."""
    unique = sorted({digest for digest in digests if digest})
    for start in range(0, len(unique), BATCH):
        await DISCARD_JOB.enqueue(
            FilesToDiscard(tuple(unique[start : start + BATCH])), settings, using_db=connection
        )


async def discard_media(context: JobContext, payload: FilesToDiscard) -> None:
    """The `media.discard` job: remove each listed original and its variants if unreferenced."""
    digests = list(payload.sha256)
    store = media_store(context.settings)
    removed = 0
    for digest in digests:
        if not _SHA256.match(digest):
            log.warning("media.discard: skipped a malformed checksum")
            continue
        if await MediaAsset.filter(sha256=digest).exists():
            continue  # another reader sent the same file: it stays
        removed += await asyncio.to_thread(store.discard, digest)
    log.info("media.discard: %d files removed for %d checksums", removed, len(digests))


DISCARD_JOB = JobKind(
    MEDIA_DISCARD, FilesToDiscard, discard_media, priority=40,
    timeout=timedelta(minutes=10), concurrency=1,
)  # fmt: skip
