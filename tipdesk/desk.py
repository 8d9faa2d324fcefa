"""The composition root: the desk's job kinds, its channel and its worker, put together once.

Every layer below stays ignorant of the ones above it: the job queue runs handlers it is given,
the domains register nothing globally, and only here (and the web entry points that call this)
are the WhatsApp adapter, the domains' jobs and the worker joined. A worker leases only kinds it
knows, so jobs of a newer release wait for a worker that runs that release.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Mapping
from typing import Any

import httpx

from tipdesk.channels.base import Channel
from tipdesk.channels.registry import Channels
from tipdesk.conversation.erasure import ERASE_ECHOES, ERASE_READER, erase_reader, sweep_echoes
from tipdesk.conversation.outbox import CONVERSATION_SEND, give_up_send, revive_send, send_queued
from tipdesk.conversation.read_receipts import CONVERSATION_MARK_READ, mark_read
from tipdesk.conversation.retention import CONVERSATION_PURGE, purge_job
from tipdesk.intake.inbox import PROCESS_WEBHOOK
from tipdesk.intake.recording import process_webhook
from tipdesk.intake.unprocessable import give_up_webhooks, revive_webhooks
from tipdesk.jobs.worker import JobKind, Worker
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
from tipdesk.webform.channel import WebFormChannel
from tipdesk.webform.notices import WEBFORM_NOTIFY, notify_reader, schedule_notice
from tipdesk.webform.uploads import staging_folder
from tipdesk.whatsapp.channel import WhatsAppChannel


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
        JobKind(WEBFORM_NOTIFY, notify_reader, concurrency=1),
    ]
    return {kind.name: kind for kind in kinds}


def desk_channel(settings: Settings, transport: httpx.AsyncBaseTransport | None = None) -> Channel:
    """The channels readers reach the desk by: WhatsApp (in the sandbox, the desk's own fake
    Graph API, reached over `transport`) and the web form."""

    async def notify(address: str) -> None:
        await schedule_notice(address, settings)

    web_form = WebFormChannel(staging_folder(settings.data_dir), notify=notify)
    return Channels(WhatsAppChannel(settings, transport=transport), [web_form])


def desk_worker(
    settings: Settings,
    kinds: Mapping[str, JobKind] | None = None,
    *,
    http_transport: httpx.AsyncBaseTransport | None = None,
    **options: Any,
) -> Worker:
    """A worker for these kinds (all of the desk's by default), with the desk's channel."""
    return Worker(
        settings,
        desk_job_kinds(settings) if kinds is None else kinds,
        channel=desk_channel(settings, http_transport),
        **options,
    )


async def run_worker_process(
    settings: Settings,
    concurrency: int | None = None,
    kinds: Mapping[str, JobKind] | None = None,
) -> None:
    """A process that only runs jobs (`tipdesk worker`) until SIGTERM or SIGINT.

    The signal lets running jobs finish; a SIGKILL does not, and their leases then expire.
    """
    from tipdesk.db import database
    from tipdesk.search.index import INDEX_PROCESS

    async with database(settings):
        worker = desk_worker(settings, kinds, concurrency=concurrency, listen=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        try:
            await worker.run(stop)
        finally:
            await INDEX_PROCESS.close()
