"""What readers ask of the desk by keyword: STOP, START, INFO and erasure (asked, then confirmed).

All idempotent: a second STOP while stopped changes nothing and is not confirmed again; START
only answers when it turns messages back on; erasure happens once, after the reader confirmed.
"""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

from tipdesk.audit.actions import AuditAction
from tipdesk.audit.trail import record
from tipdesk.channels.base import Outbound
from tipdesk.conversation import consent, satisfaction
from tipdesk.conversation.automatic import opening_hours_text, texts_for
from tipdesk.conversation.erasure import ERASE_JOB, ERASE_READER, ReaderToErase
from tipdesk.conversation.intents import QUESTION_FRESH_FOR, Intent
from tipdesk.conversation.limits import within_rate_limit
from tipdesk.conversation.outbox import Outgoing, queue_answer, queue_message
from tipdesk.conversation.readers import set_pending_question
from tipdesk.settings import Settings
from tipdesk.tips.models import Message, Sender


async def handle(
    sender: Sender,
    intent: Intent,
    message: Message,
    settings: Settings,
    connection: BaseDBAsyncClient,
) -> None:
    match intent.kind:
        case "consent":
            await consent.answer(sender, intent, message, settings, connection)
        case "consent_unclear":
            await consent.ask_again(sender, intent, message, settings, connection)
        case "revoke":
            await consent.revoke(sender, message, settings, connection)
        case "credit" if intent.credit:
            await consent.set_credit(sender, intent.credit, message, settings, connection)
        case "satisfaction":
            await satisfaction.answer(sender, intent, message, settings, connection)
        case "satisfaction_comment":
            await satisfaction.comment(sender, intent, message, settings, connection)
        case "stop":
            await _stop(sender, message, settings, connection)
        case "start":
            await _start(sender, message, settings, connection)
        case "info":
            texts = texts_for(sender, settings)
            body = texts.render(
                "info", hours=opening_hours_text(texts, settings), privacy_url=settings.privacy_url
            )
            await queue_answer(sender, "info", body, message, settings, connection)
        case "erase":
            await _ask_erasure(sender, message, settings, connection)
        case "erase_confirm":
            await _confirm_erasure(sender, message, settings, connection)
        case "erase_cancel":
            await set_pending_question(sender, None, None, connection)
            body = texts_for(sender, settings).render("erase_cancelled")
            await queue_answer(sender, "erase_cancelled", body, message, settings, connection)


async def _stop(
    sender: Sender, message: Message, settings: Settings, connection: BaseDBAsyncClient
) -> None:
    if sender.opted_out_at is not None:
        return
    await Sender.filter(id=sender.id).using_db(connection).update(opted_out_at=message.sent_at)
    await record(AuditAction.SENDER_OPTED_OUT, sender_id=sender.id, using_db=connection)
    body = texts_for(sender, settings).render("stop_confirmed")
    await queue_answer(sender, "stop_confirmed", body, message, settings, connection)


async def _start(
    sender: Sender, message: Message, settings: Settings, connection: BaseDBAsyncClient
) -> None:
    if sender.opted_out_at is None:
        return
    await Sender.filter(id=sender.id).using_db(connection).update(opted_out_at=None)
    sender.opted_out_at = None
    await record(AuditAction.SENDER_OPTED_IN, sender_id=sender.id, using_db=connection)
    body = texts_for(sender, settings).render("start_confirmed")
    await queue_answer(sender, "start_confirmed", body, message, settings, connection)


async def _ask_erasure(
    sender: Sender, message: Message, settings: Settings, connection: BaseDBAsyncClient
) -> None:
    if not await within_rate_limit(sender, settings, connection):
        return
    texts = texts_for(sender, settings)
    await set_pending_question(sender, "erase", message.sent_at, connection)
    question = texts.render("erase_question")
    buttons = [
        ("erase:confirm", texts.texts["erase_button_confirm"]),
        ("erase:cancel", texts.texts["erase_button_cancel"]),
    ]
    await queue_message(
        sender,
        Outgoing(
            purpose="erase_question", message=Outbound(text=question, buttons=tuple(buttons)),
            text=question,
            automatic=False, key=f"answer:{message.external_id}"[:128], tip_id=message.tip_id,
            ignores_opt_out=True,
        ),
        settings, connection,
    )  # fmt: skip


async def _confirm_erasure(
    sender: Sender, message: Message, settings: Settings, connection: BaseDBAsyncClient
) -> None:
    """Only an erasure the desk asked about, recently, is carried out."""
    asked_at = sender.pending_question_at if sender.pending_question == "erase" else None
    if asked_at is None or message.sent_at - asked_at > QUESTION_FRESH_FOR:
        return
    await set_pending_question(sender, None, None, connection)
    await record(AuditAction.SENDER_ERASURE_REQUESTED, sender_id=sender.id, using_db=connection)
    await ERASE_JOB.enqueue(
        ReaderToErase(sender.id),
        settings,
        using_db=connection,
        dedupe_key=f"{ERASE_READER}:{sender.id}",
    )
