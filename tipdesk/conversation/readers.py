"""What the desk keeps about a reader besides their messages: what editors decide (block and
unblock — a blocked reader's messages are still stored, but the desk sends them nothing — and the
language they are written to in), and the question the desk waits for them to answer."""

from __future__ import annotations

from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from tipdesk.audit.actions import AuditAction
from tipdesk.audit.trail import record
from tipdesk.clock import utcnow
from tipdesk.conversation.texts import reader_texts
from tipdesk.editors.models import Editor
from tipdesk.editors.permissions import may_work_on
from tipdesk.errors import Conflict, InvalidInput, NotFound
from tipdesk.settings import Settings
from tipdesk.tips.models import Sender, Tip, TipStatus


async def set_blocked(sender_id: int, editor: Editor, *, blocked: bool) -> Sender:
    async with in_transaction() as connection:
        sender = await Sender.filter(id=sender_id).using_db(connection).first()
        if sender is None or sender.erased_at is not None:
            raise NotFound("no such reader", reason="no_such_reader")
        await _check_no_tip_held_by_another(sender_id, editor, connection)
        if (sender.blocked_at is not None) != blocked:
            await (
                Sender.filter(id=sender_id)
                .using_db(connection)
                .update(blocked_at=utcnow() if blocked else None)
            )
            action = AuditAction.SENDER_BLOCKED if blocked else AuditAction.SENDER_UNBLOCKED
            await record(action, sender_id=sender_id, editor=editor, using_db=connection)
    return await Sender.get(id=sender_id)


async def _check_no_tip_held_by_another(
    sender_id: int, editor: Editor, connection: BaseDBAsyncClient
) -> None:
    """Blocking speaks for the desk to the reader of every tip of theirs: the claim rule holds
    for each open one (editors/permissions.py)."""
    holders = await (
        Tip.filter(sender_id=sender_id, claimed_by_id__isnull=False)
        .using_db(connection)
        .values_list("claimed_by_id", "status")
    )
    for holder, status in holders:
        if not TipStatus(status).is_closed and not may_work_on(int(str(holder)), editor):
            raise Conflict(
                "a tip of this reader is claimed by another editor", reason="reader_held_by_another"
            )


async def set_language(
    sender_id: int, editor: Editor, settings: Settings, language: str | None
) -> Sender:
    languages = reader_texts(settings).languages
    if language is not None and language not in languages:
        known = ", ".join(sorted(languages))
        raise InvalidInput(
            f"language must be one of {known}, or null for the country's",
            reason="unknown_language",
        )
    async with in_transaction() as connection:
        sender = await Sender.filter(id=sender_id).using_db(connection).first()
        if sender is None or sender.erased_at is not None:
            raise NotFound("no such reader", reason="no_such_reader")
        await Sender.filter(id=sender_id).using_db(connection).update(language=language)
        await record(
            AuditAction.SENDER_LANGUAGE_SET, sender_id=sender_id, editor=editor,
            detail={"language": language}, using_db=connection,
        )  # fmt: skip
    return await Sender.get(id=sender_id)


async def set_pending_question(
    sender: Sender, question: str | None, at: datetime | None, connection: BaseDBAsyncClient
) -> None:
    """`erase` or `consent:<record id>` while the desk waits for the reader's answer; None once
    answered. A text answer such as "ja" is read against it (conversation/intents.py)."""
    when = at if question else None
    await (
        Sender.filter(id=sender.id)
        .using_db(connection)
        .update(pending_question=question, pending_question_at=when)
    )
    sender.pending_question, sender.pending_question_at = question, when
