"""Consent: asking a reader whether their media may be used, recording the answer as evidence,
revocation at any time, and the gate that keeps a tip from `used` without it.

A consent record holds the media it covers, the exact question sent, the scope (named or
anonymous), the credit name, the reader's exact answer and both message ids and times.
"""

from __future__ import annotations

from datetime import timedelta

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from tipdesk.audit.actions import AuditAction
from tipdesk.audit.trail import record as record_event
from tipdesk.channels.base import Outbound
from tipdesk.clock import utcnow
from tipdesk.conversation.automatic import texts_for
from tipdesk.conversation.consent_alerts import withdrawn_after_use
from tipdesk.conversation.intents import Intent
from tipdesk.conversation.models import ConsentRecord, ConsentScope, ConsentState
from tipdesk.conversation.outbox import Outgoing, queue_answer, queue_message
from tipdesk.conversation.readers import set_pending_question
from tipdesk.conversation.texts import LanguageTexts
from tipdesk.editors.models import Editor
from tipdesk.editors.permissions import check_may_work_on
from tipdesk.errors import Conflict, InvalidInput, NotFound
from tipdesk.search.jobs import schedule_indexing
from tipdesk.settings import Settings
from tipdesk.tips.consent_gate import NEEDS_CONSENT
from tipdesk.tips.marks import mark_consent_unclear
from tipdesk.tips.models import MediaAsset, MediaKind, Message, Sender, Tip

ASK_AGAIN_AFTER = timedelta(hours=24)


async def request_consent(tip_id: int, editor: Editor, settings: Settings) -> ConsentRecord:
    async with in_transaction() as connection:
        tip = await Tip.filter(id=tip_id).using_db(connection).first()
        if tip is None:
            raise NotFound("no such tip", reason="no_such_tip")
        check_may_work_on(tip.claimed_by_id, editor)
        sender = await Sender.filter(id=tip.sender_id).using_db(connection).get()
        if sender.erased_at or sender.blocked_at:
            raise Conflict(
                "this reader is blocked or erased; the desk does not write to them",
                reason="reader_blocked_or_erased",
            )
        media = (
            await MediaAsset.filter(tip_id=tip_id, kind__in=NEEDS_CONSENT)
            .using_db(connection)
            .order_by("id")
        )
        if not media:
            raise InvalidInput(
                "this tip has no photo, video, voice note or document to ask for",
                reason="nothing_to_ask_consent_for",
            )
        await _refuse_repeat(tip_id, connection)
        record = await _ask(tip, sender, media, editor, settings, connection)
    return record


async def _refuse_repeat(tip_id: int, connection: BaseDBAsyncClient) -> None:
    waiting = (
        await ConsentRecord.filter(
            tip_id=tip_id,
            state=ConsentState.REQUESTED,
            requested_at__gt=utcnow() - ASK_AGAIN_AFTER,
        )
        .using_db(connection)
        .exists()
    )
    if waiting:
        raise Conflict(
            "consent was asked less than a day ago; the reader has not answered yet",
            reason="consent_asked_recently",
        )


async def _ask(
    tip: Tip,
    sender: Sender,
    media: list[MediaAsset],
    editor: Editor,
    settings: Settings,
    connection: BaseDBAsyncClient,
) -> ConsentRecord:
    texts = texts_for(sender, settings)
    question = texts.render(
        "consent_question", tip_number=tip.id, name=sender.display_name,
        media=media_words(texts, [asset.kind for asset in media]),
    )  # fmt: skip
    now = utcnow()
    record = await ConsentRecord.create(
        tip_id=tip.id, sender_id=sender.id, state=ConsentState.REQUESTED, question_text=question,
        requested_by=editor, requested_at=now, using_db=connection,
    )  # fmt: skip
    await record.media.add(*media, using_db=connection)
    buttons = _buttons(record, texts)
    await queue_message(
        sender,
        Outgoing(
            purpose="consent_request", message=Outbound(text=question, buttons=tuple(buttons)),
            text=question,
            automatic=False, key=f"consent:{record.id}", tip_id=tip.id, editor_id=editor.id,
            ignores_opt_out=True, content={"consent_id": record.id},
        ),
        settings, connection,
    )  # fmt: skip
    await set_pending_question(sender, f"consent:{record.id}", now, connection)
    await record_event(
        AuditAction.CONSENT_REQUESTED, tip_id=tip.id, sender_id=sender.id, editor=editor,
        detail={"consent_id": record.id, "media": [asset.id for asset in media]},
        using_db=connection,
    )  # fmt: skip
    await schedule_indexing(tip.id, settings, connection)
    return record


def media_words(texts: LanguageTexts, kinds: list[MediaKind]) -> str:
    """The question names what the reader sent: "je foto", "je video's", "je spraakbericht",
    or "je beelden" for a mix of kinds."""
    if len(set(kinds)) != 1:
        return texts.texts["media_mixed"]
    one, _, many = texts.texts[f"media_{kinds[0].value}"].partition("|")
    return many or one if len(kinds) > 1 else one


def _buttons(record: ConsentRecord, texts: LanguageTexts) -> list[tuple[str, str]]:
    return [
        (f"consent:{record.id}:{scope}", texts.texts[f"consent_button_{scope}"])
        for scope in ("named", "anonymous", "refused")
    ]


async def ask_again(
    sender: Sender,
    intent: Intent,
    message: Message,
    settings: Settings,
    connection: BaseDBAsyncClient,
) -> None:
    """The reader answered in words the desk could not read: never silence, but the question
    once more with its buttons, and the tip flagged so an editor reads the answer themself. A
    second unclear answer is left to the editor (`intents._answer`)."""
    record = (
        await ConsentRecord.filter(
            id=intent.record_id, sender_id=sender.id, state=ConsentState.REQUESTED
        )
        .using_db(connection)
        .first()
    )
    if record is None:
        return
    texts = texts_for(sender, settings)
    body = f"{texts.render('consent_unclear')}\n\n{record.question_text}"
    await queue_message(
        sender,
        Outgoing(
            purpose="consent_request",
            message=Outbound(text=body, buttons=tuple(_buttons(record, texts))),
            text=body, automatic=False, key=f"consent:{record.id}:again", tip_id=record.tip_id,
            ignores_opt_out=True, content={"consent_id": record.id},
        ),
        settings, connection,
    )  # fmt: skip
    now = utcnow()
    await set_pending_question(sender, f"consent:{record.id}:again", now, connection)
    await mark_consent_unclear(record.tip_id, now, connection)
    await record_event(
        AuditAction.CONSENT_UNCLEAR, tip_id=record.tip_id, sender_id=sender.id,
        detail={"consent_id": record.id, "wamid": message.external_id}, using_db=connection,
    )  # fmt: skip


async def answer(
    sender: Sender,
    intent: Intent,
    message: Message,
    settings: Settings,
    connection: BaseDBAsyncClient,
) -> None:
    """The reader tapped a button or wrote an answer; the latest answer counts."""
    record = (
        await ConsentRecord.filter(id=intent.record_id, sender_id=sender.id)
        .using_db(connection)
        .first()
    )
    if record is None or record.state is ConsentState.REVOKED or intent.scope is None:
        return
    granted = intent.scope != "refused"
    changes: dict[str, object] = {
        "state": ConsentState.GRANTED if granted else ConsentState.REFUSED,
        "scope": ConsentScope(intent.scope) if granted else None,
        "credit_name": (record.credit_name or sender.display_name or None)
        if intent.scope == "named"
        else None,
        "answer_text": message.text[:2000],
        "answer_external_id": message.external_id,
        "answered_at": message.sent_at,
    }
    await ConsentRecord.filter(id=record.id).using_db(connection).update(**changes)
    await set_pending_question(sender, None, None, connection)
    await mark_consent_unclear(record.tip_id, None, connection)
    answered = AuditAction.CONSENT_GRANTED if granted else AuditAction.CONSENT_REFUSED
    await record_event(
        answered, tip_id=record.tip_id, sender_id=sender.id,
        detail={"consent_id": record.id, "scope": intent.scope}, using_db=connection,
    )  # fmt: skip
    await schedule_indexing(record.tip_id, settings, connection)
    texts = texts_for(sender, settings)
    key = {"named": "consent_granted_named", "anonymous": "consent_granted_anonymous"}
    refusal = "consent_refused"
    if not granted and await withdrawn_after_use(record, "refused", connection):
        refusal = "consent_refused_after_use"
    body = texts.render(key.get(intent.scope, refusal), credit=changes["credit_name"])
    await queue_answer(sender, "consent_answer", body, message, settings, connection)


async def revoke(
    sender: Sender, message: Message, settings: Settings, connection: BaseDBAsyncClient
) -> None:
    """Every consent the reader granted is withdrawn, at any time, by one message."""
    granted = (
        await ConsentRecord.filter(sender_id=sender.id, state=ConsentState.GRANTED)
        .using_db(connection)
        .all()
    )
    texts = texts_for(sender, settings)
    after_use = False
    for record in granted:
        await (
            ConsentRecord.filter(id=record.id)
            .using_db(connection)
            .update(state=ConsentState.REVOKED, revoked_at=message.sent_at)
        )
        await record_event(
            AuditAction.CONSENT_REVOKED, tip_id=record.tip_id, sender_id=sender.id,
            detail={"consent_id": record.id, "wamid": message.external_id}, using_db=connection,
        )  # fmt: skip
        await schedule_indexing(record.tip_id, settings, connection)
        after_use = await withdrawn_after_use(record, "revoked", connection) or after_use
    key = "consent_revoked_after_use" if after_use else "consent_revoked"
    body = texts.render(key if granted else "consent_nothing_to_revoke")
    await queue_answer(sender, "consent_revoked", body, message, settings, connection)


async def set_credit(
    sender: Sender, credit: str, message: Message, settings: Settings, connection: BaseDBAsyncClient
) -> None:
    record = (
        await ConsentRecord.filter(
            sender_id=sender.id, state=ConsentState.GRANTED, scope=ConsentScope.NAMED
        )
        .using_db(connection)
        .order_by("-answered_at")
        .first()
    )
    if record is None:
        return
    await ConsentRecord.filter(id=record.id).using_db(connection).update(credit_name=credit)
    await record_event(
        AuditAction.CONSENT_CREDIT_CHANGED, tip_id=record.tip_id, sender_id=sender.id,
        detail={"consent_id": record.id}, using_db=connection,
    )  # fmt: skip
    await schedule_indexing(record.tip_id, settings, connection)
    body = texts_for(sender, settings).render("credit_changed", credit=credit)
    await queue_answer(sender, "consent_answer", body, message, settings, connection)
