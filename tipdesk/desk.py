"""The composition root: the desk's job kinds, its channel and its worker, put together once.

Every layer below stays ignorant of the ones above it: the job queue runs handlers it is given,
the domains register nothing themselves, and only here (and the web entry points that call this)
are the WhatsApp adapter, the domains' jobs, their subscribers and the worker joined. A worker
leases only kinds it knows, so jobs of a newer release wait for a worker that runs that release.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Mapping
from typing import Any

import httpx

from tipdesk.audit.listeners import listen
from tipdesk.channels.base import Channel
from tipdesk.channels.registry import Channels
from tipdesk.conversation.automatic import tell_reader_of_status
from tipdesk.conversation.erasure import ECHOES_JOB, ERASE_JOB
from tipdesk.conversation.mail_notices import NOTIFY_JOB, schedule_notice
from tipdesk.conversation.outbox import SEND_JOB
from tipdesk.conversation.profile import PROFILE_JOB
from tipdesk.conversation.read_receipts import MARK_READ_JOB
from tipdesk.conversation.retention import PURGE_JOB
from tipdesk.conversation.satisfaction import ask_after_close
from tipdesk.conversation.texts import reader_texts
from tipdesk.errors import InvalidInput, SettingsError
from tipdesk.intake.jobs import INTAKE_JOB
from tipdesk.jobs.kinds import JobKind, registry
from tipdesk.jobs.worker import Worker
from tipdesk.media.backfill import REFRESH_JOB
from tipdesk.media.discard import DISCARD_JOB
from tipdesk.media.fetch import FETCH_JOB
from tipdesk.media.transcode import TRANSCODE_JOB
from tipdesk.media.transcripts import TRANSCRIBE_JOB
from tipdesk.reports.jobs import ROLL_UP_JOB
from tipdesk.search.jobs import FORGET_JOB, INDEX_JOB, REBUILD_JOB
from tipdesk.settings import Settings
from tipdesk.tips.editing import clean_desk
from tipdesk.tips.events import StatusChanged, subscribe
from tipdesk.webform.channel import WebFormChannel
from tipdesk.webform.uploads import staging_folder
from tipdesk.webhooks.delivery import DELIVER_JOB
from tipdesk.webhooks.outbox import owe_deliveries
from tipdesk.whatsapp.channel import WhatsAppChannel


def connect_subscribers() -> None:
    """Who hears what the tips' actions publish (tips/events.py), in the action's transaction.
    Run when this module is imported, so every entry point (app, CLI, worker) has them before
    its first action; connecting again changes nothing."""
    subscribe(StatusChanged, tell_reader_of_status)
    # After the status update, so the reader hears their tip closed before the question.
    subscribe(StatusChanged, ask_after_close)
    # Every audit event a subscription hears of owes it a delivery, queued in the same transaction.
    listen(owe_deliveries)


connect_subscribers()


def check_settings(settings: Settings) -> Settings:
    """What the domains build from the settings, built once at start: a broken value stops the
    desk here with a SettingsError naming its variable, not later in front of a reader."""
    for number in settings.numbers:
        reader_texts(settings, number.phone_number_id)
        try:
            clean_desk(number.desk)
        except InvalidInput as exc:
            raise SettingsError(f"TIPDESK_NUMBERS_FILE ({number.phone_number_id}): {exc}") from None
    return settings


# The desk's registry: every kind a worker runs, each declared once beside its handler (name,
# priority, attempts, time limit, payload type, give-up and revive steps). A job that kept
# killing its workers is given up with its kind's `give_up`; kinds without one (indexing,
# receipts, purges) just end dead, for an admin to retry.
DESK_JOBS = registry(
    INTAKE_JOB,
    SEND_JOB,
    MARK_READ_JOB,
    FETCH_JOB,
    TRANSCODE_JOB,
    TRANSCRIBE_JOB,
    REFRESH_JOB,
    INDEX_JOB,
    REBUILD_JOB,
    FORGET_JOB,
    DISCARD_JOB,
    ERASE_JOB,
    ECHOES_JOB,
    PURGE_JOB,
    ROLL_UP_JOB,
    NOTIFY_JOB,
    PROFILE_JOB,
    DELIVER_JOB,
)


def desk_job_kinds(settings: Settings) -> dict[str, JobKind[Any]]:
    """The registry, by name (a copy: callers add kinds of their own, as tests do)."""
    return dict(DESK_JOBS)


def desk_channel(settings: Settings, transport: httpx.AsyncBaseTransport | None = None) -> Channel:
    """The channels readers reach the desk by: WhatsApp (in the sandbox, the desk's own fake
    Graph API, reached over `transport`) and the web form."""

    async def notify(address: str) -> None:
        await schedule_notice(address, settings)

    web_form = WebFormChannel(staging_folder(settings.data_dir), notify=notify)
    return Channels(WhatsAppChannel(settings, transport=transport), [web_form])


def desk_worker(
    settings: Settings,
    kinds: Mapping[str, JobKind[Any]] | None = None,
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
    kinds: Mapping[str, JobKind[Any]] | None = None,
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
