"""Erasing a reader who asked for it (VERWIJDER/DELETE, confirmed): the `conversation.erase` job.

Everything they sent and everything the desk sent them goes: messages, media rows and files
(a file another reader also sent stays), index entries, tips never `used`, raw webhook
bodies and webhook errors that carry their number or username id. What stays:

- the reader's row as a pseudonymous stub (number, username id, name and language cleared,
  `erased_at` set), so opt-out, consent and audit evidence stay linked to "a reader";
- each tip that was ever `used` (archived since or not): its row (status, published URL,
  times) and its consent records (state, scope, question, answer, both message ids and times) with
  the reader's name and number taken out of the texts, and without the credit name: the credit
  was published with the story, which is the newsroom's record of it; keeping it here would tie
  the evidence to a person again.

Before anything is erased the reader gets the closing message (`erase_done`), sent straight to
the Graph API rather than through the outbox, so no message row keeps their number afterwards.
Idempotent: a second run finds the reader erased and does nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from tipdesk.audit.actions import AuditAction
from tipdesk.audit.trail import record as record_event
from tipdesk.channels.base import ChannelError, Outbound
from tipdesk.clock import utcnow
from tipdesk.conversation import traces
from tipdesk.conversation.automatic import texts_for
from tipdesk.conversation.models import ConsentRecord, SatisfactionAnswer
from tipdesk.conversation.outbox import recipient
from tipdesk.db import leave_no_copies
from tipdesk.jobs.kinds import JobContext, JobKind, NoPayload
from tipdesk.settings import Settings
from tipdesk.tips.deletion import Deleted, delete_content, delete_messages, delete_tips
from tipdesk.tips.models import Message, Sender, Tip, TipStatus
from tipdesk.webform.models import WebformContact

log = logging.getLogger("tipdesk.conversation")
__all__ = [
    "ECHOES_JOB",
    "ERASE_ECHOES",
    "ERASE_JOB",
    "ERASE_READER",
    "erase_reader",
    "sweep_echoes",
]
ERASE_READER = "conversation.erase"
ERASE_ECHOES = "conversation.erase_echoes"
ECHO_SWEEP_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class ReaderToErase:
    sender_id: int

    def __post_init__(self) -> None:
        # A payload that names no reader ends dead at once: retrying will not help.
        if self.sender_id < 1:
            raise ValueError("needs a positive integer sender_id")


async def erase_reader(context: JobContext, payload: ReaderToErase) -> None:
    sender = await Sender.get_or_none(id=payload.sender_id)
    if sender is None:
        log.warning("conversation.erase: no such reader; nothing to erase")
        return
    if sender.erased_at is not None:
        return  # erased by an earlier run
    # A web form reader's mail address and phone are theirs as much as a WhatsApp number.
    contact = await WebformContact.get_or_none(address=sender.user_id) if sender.user_id else None
    left = (contact.email, contact.phone) if contact else ()
    identity = traces.Identity(
        ids=tuple(
            dict.fromkeys(v for v in (sender.address, sender.phone, sender.user_id, *left) if v)
        ),
        name=sender.display_name.strip(),
    )
    webhooks, pending = await traces.matching_webhooks(identity, sender.first_contact_at)
    if pending and not context.last_attempt:
        raise traces.IntakePending(f"{len(pending)} webhooks of this reader wait for intake")
    webhooks += pending
    used = sum(map(is_evidence, await Tip.filter(sender_id=sender.id)))
    closing = await say_goodbye(sender, used, context)
    async with in_transaction() as connection:
        deleted = await _erase_rows(sender, identity, context.settings, connection)
        if deleted is None:
            return  # another run erased the reader while this one sent the closing message
        removed = await traces.remove_webhooks(webhooks, connection)
        since = sender.first_contact_at
        removed_errors = await traces.remove_webhook_errors(identity, since, connection)
        await traces.redact_job_errors(identity, connection)
        await record_event(
            AuditAction.SENDER_ERASED, sender_id=sender.id, using_db=connection,
            detail={**deleted.as_dict(), "used_tips_kept": used, "webhooks": removed,
                    "webhook_errors": removed_errors, "closing_wamid": closing},
        )  # fmt: skip
        if closing:
            await schedule_echo_sweep(context.settings, connection)
    await leave_no_copies()
    log.info("reader %d erased: %s, %d used tips kept", sender.id, deleted.as_dict(), used)


async def say_goodbye(sender: Sender, used: int, context: JobContext) -> str | None:
    """The closing message, best effort: erasure goes on whatever the Graph API answers. Its
    id on the channel, to find the channel's status webhooks for it later (they carry the
    number)."""
    if sender.blocked_at or sender.unreachable_at or not (sender.address or sender.user_id):
        return None
    texts = texts_for(sender, context.settings)
    kept = (
        texts.render("erase_kept_used", count=used) if used else texts.render("erase_kept_nothing")
    )
    goodbye = Outbound(text=texts.render("erase_done", kept=kept), link_preview=False)
    try:
        return await context.channel.send(recipient(sender, sender.line), goodbye)
    except ChannelError as exc:
        log.warning("reader %d: closing message not sent (%s)", sender.id, type(exc).__name__)
        return None


async def schedule_echo_sweep(settings: Settings, connection: BaseDBAsyncClient) -> None:
    """Status webhooks for the closing message arrive within seconds, mostly: sweep them then;
    the daily purge sweeps later ones."""
    await ECHOES_JOB.enqueue(
        NoPayload(), settings, using_db=connection, dedupe_key=ERASE_ECHOES,
        run_at=utcnow() + ECHO_SWEEP_AFTER,
    )  # fmt: skip


async def sweep_echoes(context: JobContext, payload: NoPayload) -> None:
    """The `conversation.erase_echoes` job."""
    removed = await traces.remove_echoes(utcnow())
    if removed:
        await leave_no_copies()
    log.info("conversation.erase_echoes: %d raw webhook bodies removed", removed)


async def _erase_rows(
    sender: Sender, identity: traces.Identity, settings: Settings, connection: BaseDBAsyncClient
) -> Deleted | None:
    locked = await Sender.filter(id=sender.id).select_for_update().using_db(connection).first()
    if locked is None or locked.erased_at is not None:
        return None
    await _pseudonymise_consent(sender.id, identity, connection)
    tips = await Tip.filter(sender_id=sender.id).using_db(connection)
    # A tip that was ever used is evidence, even when archived since.
    kept = [tip.id for tip in tips if is_evidence(tip)]
    deleted = await delete_tips(
        [tip.id for tip in tips if not is_evidence(tip)], settings, connection
    )
    deleted.add(await delete_content(kept, settings, connection))
    loose = (
        await Message.filter(sender_id=sender.id).using_db(connection).values_list("id", flat=True)
    )
    deleted.add(await delete_messages([int(str(i)) for i in loose], settings, connection))
    await traces.redact_audit(identity, sender.id, kept, connection)
    await _pseudonymise_sender(sender.id, utcnow(), connection)
    if sender.user_id:
        await WebformContact.filter(address=sender.user_id).using_db(connection).delete()
    return deleted


async def _pseudonymise_consent(
    sender_id: int, identity: traces.Identity, connection: BaseDBAsyncClient
) -> None:
    """Before the messages go: the request's id is taken from the message that asked, when
    the record lacks it, so the evidence keeps both message ids."""
    for record in await ConsentRecord.filter(sender_id=sender_id).using_db(connection):
        asked = await (
            Message.filter(outbound_key=f"consent:{record.id}")
            .using_db(connection)
            .values_list("external_id", flat=True)
        )
        await (
            ConsentRecord.filter(id=record.id)
            .using_db(connection)
            .update(
                request_external_id=record.request_external_id
                or (str(asked[0]) if asked else None),
                credit_name=None,
                question_text=identity.scrub(record.question_text),
                answer_text=identity.scrub(record.answer_text) if record.answer_text else None,
            )
        )


async def _pseudonymise_sender(
    sender_id: int, now: datetime, connection: BaseDBAsyncClient
) -> None:
    await (
        Sender.filter(id=sender_id)
        .using_db(connection)
        .update(
            address=None, user_id=None, phone=None, display_name="", language=None,
            pending_question=None, pending_question_at=None, erased_at=now,
        )
    )  # fmt: skip
    # The reader's words about the desk go; the bare answer stays in the week's figures.
    await (
        SatisfactionAnswer.filter(sender_id=sender_id)
        .using_db(connection)
        .update(comment=None, commented_at=None, tip_id=None)
    )


def is_evidence(tip: Tip) -> bool:
    """Ever used: kept, whatever its status now (a `used` row without `used_at` too)."""
    return tip.used_at is not None or tip.status is TipStatus.USED


# Erasures of one process one at a time: they touch many rows (and send one goodbye).
ERASE_JOB = JobKind(
    ERASE_READER, ReaderToErase, erase_reader, priority=15,
    timeout=timedelta(minutes=30), concurrency=1,
)  # fmt: skip
ECHOES_JOB = JobKind(
    ERASE_ECHOES, NoPayload, sweep_echoes, priority=150,
    timeout=timedelta(minutes=30), concurrency=1,
)  # fmt: skip
