"""Giving up an intake job that kept killing its workers (the poison-pill guard).

A job carries every body the inbox committed together. Bodies it already processed stay
processed; when more than one still waits, each gets a job of its own, so only the body that
kills workers ends unprocessable and the readers' messages beside it are still recorded. A body
given up is kept byte for byte, `failed`, with an error an admin can read; an admin's retry of
the job (`jobs/revival.py`) sets it waiting again.
"""

from __future__ import annotations

import logging

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from tipdesk.clock import utcnow
from tipdesk.intake.inbox import intake_priority
from tipdesk.intake.inbox_writers import PROCESS_WEBHOOK, BodiesToProcess
from tipdesk.intake.models import InboundState, InboundWebhook, WebhookError
from tipdesk.jobs import queue
from tipdesk.jobs.kinds import JobContext, payload_json

log = logging.getLogger("tipdesk.intake")
UNPROCESSABLE = (
    "Processing this body stopped the desk's worker twice; it is kept as it arrived and was "
    "not processed. / Het verwerken van dit bericht liet de worker twee keer vastlopen; het is "
    "bewaard zoals het binnenkwam en niet verwerkt."
)


async def give_up_webhooks(context: JobContext, payload: BodiesToProcess) -> None:
    waiting = await InboundWebhook.filter(id__in=payload.ids, state=InboundState.RECEIVED).order_by(
        "id"
    )
    if len(waiting) > 1:
        for webhook in waiting:
            # As the inbox writes these jobs: the kind (intake/jobs.py) names this step.
            await queue.enqueue(
                PROCESS_WEBHOOK, payload_json(BodiesToProcess((str(webhook.id),))),
                max_attempts=context.max_attempts, priority=intake_priority(bytes(webhook.body)),
            )  # fmt: skip
        log.warning("intake job %d split into %d jobs, one a body", context.job_id, len(waiting))
        return
    for webhook in waiting:
        await mark_unprocessable(webhook)


async def mark_unprocessable(webhook: InboundWebhook) -> None:
    async with in_transaction() as connection:
        await WebhookError.create(
            webhook_id=webhook.id, kind="unprocessable", detail=UNPROCESSABLE, using_db=connection
        )
        await (
            InboundWebhook.filter(id=webhook.id, state=InboundState.RECEIVED)
            .using_db(connection)
            .update(state=InboundState.FAILED, processed_at=utcnow())
        )
    log.warning("webhook %s kept as unprocessable", webhook.id)


async def revive_webhooks(payload: BodiesToProcess, connection: BaseDBAsyncClient) -> None:
    """An admin retries the job: its bodies kept as unprocessable wait to be processed again."""
    kept = await (
        WebhookError.filter(webhook_id__in=payload.ids, kind="unprocessable")
        .using_db(connection)
        .values_list("webhook_id", flat=True)
    )
    if not kept:
        return
    await (
        WebhookError.filter(webhook_id__in=kept, kind="unprocessable").using_db(connection).delete()
    )
    await (
        InboundWebhook.filter(id__in=kept, state=InboundState.FAILED)
        .using_db(connection)
        .update(state=InboundState.RECEIVED, processed_at=None)
    )
