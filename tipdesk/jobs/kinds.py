"""Every job kind the desk knows, with its handler and per-process limit.

Domains add their kinds here as they land (intake, media, conversation, search); a worker leases
only kinds it knows, so jobs of a newer release wait for a worker that runs that release.
"""

from __future__ import annotations

from tipdesk.conversation.erasure import ERASE_ECHOES, ERASE_READER, erase_reader, sweep_echoes
from tipdesk.conversation.outbox import CONVERSATION_SEND, give_up_send, revive_send, send_queued
from tipdesk.conversation.read_receipts import CONVERSATION_MARK_READ, mark_read
from tipdesk.conversation.retention import CONVERSATION_PURGE, purge_job
from tipdesk.intake.inbox import PROCESS_WEBHOOK
from tipdesk.intake.recording import process_webhook
from tipdesk.intake.unprocessable import give_up_webhooks, revive_webhooks
from tipdesk.jobs.worker import JobKind
from tipdesk.media.discard import MEDIA_DISCARD, discard_media
from tipdesk.media.fetch import MEDIA_FETCH, MEDIA_TRANSCODE, fetch_media
from tipdesk.media.states import give_up_asset, revive_asset
from tipdesk.media.transcode import transcode_media
from tipdesk.reports.jobs import REPORTS_ROLL_UP, roll_up_job
from tipdesk.search.jobs import (
    SEARCH_FORGET,
    SEARCH_INDEX,
    SEARCH_REBUILD,
    forget_tips,
    index_tip,
    rebuild_job,
)
from tipdesk.settings import Settings
from tipdesk.tips.models import MediaState


def desk_job_kinds(settings: Settings) -> dict[str, JobKind]:
    kinds = [
        # A job that kept killing its workers is given up with its kind's step (`give_up`);
        # kinds without one (indexing, receipts, purges) just end dead, for an admin to retry.
        # An admin's retry takes the give-up back (`revive`, jobs/revival.py).
        JobKind(PROCESS_WEBHOOK, process_webhook, give_up=give_up_webhooks, revive=revive_webhooks),
        JobKind(CONVERSATION_SEND, send_queued, give_up=give_up_send, revive=revive_send),
        JobKind(CONVERSATION_MARK_READ, mark_read),
        JobKind(
            MEDIA_FETCH,
            fetch_media,
            concurrency=4,
            give_up=give_up_asset,
            revive=revive_asset(MediaState.PENDING),
        ),
        JobKind(
            MEDIA_TRANSCODE,
            transcode_media,
            concurrency=settings.transcode_concurrency,
            give_up=give_up_asset,
            revive=revive_asset(MediaState.FETCHED),
        ),
        # One index writer per process; whoosh's lock file orders writers across processes.
        JobKind(SEARCH_INDEX, index_tip, concurrency=1),
        JobKind(SEARCH_REBUILD, rebuild_job, concurrency=1),
        JobKind(SEARCH_FORGET, forget_tips, concurrency=1),
        JobKind(MEDIA_DISCARD, discard_media, concurrency=1),
        # Erasures and purges of one process one at a time: they touch many rows.
        JobKind(ERASE_READER, erase_reader, concurrency=1),
        JobKind(ERASE_ECHOES, sweep_echoes, concurrency=1),
        JobKind(CONVERSATION_PURGE, purge_job, concurrency=1),
        JobKind(REPORTS_ROLL_UP, roll_up_job, concurrency=1),
    ]
    return {kind.name: kind for kind in kinds}
