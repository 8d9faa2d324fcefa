"""Every job kind the desk knows, with its handler and per-process limit.

Domains add their kinds here as they land (intake, media, conversation, search); a worker leases
only kinds it knows, so jobs of a newer release wait for a worker that runs that release.
"""

from __future__ import annotations

from tipdesk.conversation.outbox import CONVERSATION_SEND, send_queued
from tipdesk.conversation.read_receipts import CONVERSATION_MARK_READ, mark_read
from tipdesk.intake.inbox import PROCESS_WEBHOOK
from tipdesk.intake.recording import process_webhook
from tipdesk.jobs.worker import JobKind
from tipdesk.media.fetch import MEDIA_FETCH, MEDIA_TRANSCODE, fetch_media
from tipdesk.media.transcode import transcode_media
from tipdesk.search.jobs import SEARCH_INDEX, SEARCH_REBUILD, index_tip, rebuild_job
from tipdesk.settings import Settings


def desk_job_kinds(settings: Settings) -> dict[str, JobKind]:
    kinds = [
        JobKind(PROCESS_WEBHOOK, process_webhook),
        JobKind(CONVERSATION_SEND, send_queued),
        JobKind(CONVERSATION_MARK_READ, mark_read),
        JobKind(MEDIA_FETCH, fetch_media, concurrency=4),
        JobKind(MEDIA_TRANSCODE, transcode_media, concurrency=settings.transcode_concurrency),
        # One index writer per process; whoosh's lock file orders writers across processes.
        JobKind(SEARCH_INDEX, index_tip, concurrency=1),
        JobKind(SEARCH_REBUILD, rebuild_job, concurrency=1),
    ]
    return {kind.name: kind for kind in kinds}
