"""How the contact went, asked once a tip closes (`used` or `rejected`): one question with two
buttons, 👍 and 👎, its answer and an optional comment stored for the reports.

Asked only while the reader's window is open (never a template for this), at most once per
reader in `TIPDESK_SATISFACTION` (default 30 days), never to a reader who sent STOP, was
blocked, cannot be reached or was erased, never over a question the desk still waits on
(consent, erasure), and within the automatic caps. Two buttons rather than 1–5: one tap,
room on a phone, and "share positive" is the figure a desk acts on; a typed 1–5 still counts.
The reader's next text within half an hour of answering is their comment (the thanks invites
it); a keyword still is a keyword.
"""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

from tipdesk.channels.base import Outbound
from tipdesk.clock import utcnow
from tipdesk.conversation.automatic import may_send_automatic, texts_for
from tipdesk.conversation.intents import QUESTION_FRESH_FOR, Intent
from tipdesk.conversation.models import SatisfactionAnswer, SatisfactionScore
from tipdesk.conversation.outbox import Outgoing, queue_answer, queue_message, window_open
from tipdesk.conversation.readers import set_pending_question
from tipdesk.settings import Settings
from tipdesk.tips.events import StatusChanged
from tipdesk.tips.models import Message, Sender, Tip, TipStatus

CLOSED = frozenset({TipStatus.USED, TipStatus.REJECTED})
COMMENT_MAX = 2000


async def ask_after_close(event: StatusChanged) -> None:
    """The subscriber to a tip's StatusChanged (connected in tipdesk/desk.py)."""
    if event.status in CLOSED and event.settings.satisfaction_period is not None:
        await ask(event.tip, event.settings, event.connection)


async def ask(tip: Tip, settings: Settings, connection: BaseDBAsyncClient) -> None:
    sender = await Sender.filter(id=tip.sender_id).using_db(connection).get()
    if not await _may_ask(sender, settings, connection):
        return
    now = utcnow()
    answer = await SatisfactionAnswer.create(
        sender_id=sender.id, tip_id=tip.id, desk=tip.desk, asked_at=now, using_db=connection
    )
    texts = texts_for(sender, settings)
    body = texts.render("satisfaction_question", tip_number=tip.id, name=sender.display_name)
    buttons = tuple(
        (f"satisfaction:{answer.id}:{score}", texts.texts[f"satisfaction_button_{score}"])
        for score in ("good", "bad")
    )
    await queue_message(
        sender,
        Outgoing(
            purpose="satisfaction_question", message=Outbound(text=body, buttons=buttons),
            text=body, automatic=True, key=f"satisfaction:{answer.id}", tip_id=tip.id,
            content={"satisfaction_id": answer.id},
        ),
        settings, connection,
    )  # fmt: skip
    await set_pending_question(sender, f"satisfaction:{answer.id}", now, connection)


async def _may_ask(sender: Sender, settings: Settings, connection: BaseDBAsyncClient) -> bool:
    period = settings.satisfaction_period
    if period is None or not window_open(sender):
        return False
    waiting = sender.pending_question_at is not None and (
        utcnow() - sender.pending_question_at < QUESTION_FRESH_FOR
    )
    if sender.pending_question and waiting:
        return False
    asked = SatisfactionAnswer.filter(sender_id=sender.id, asked_at__gt=utcnow() - period)
    if await asked.using_db(connection).exists():
        return False
    # STOP, block, erasure, unreachable, and the reader rate and daily caps.
    return await may_send_automatic(sender, settings, connection)


async def answer(
    sender: Sender,
    intent: Intent,
    message: Message,
    settings: Settings,
    connection: BaseDBAsyncClient,
) -> None:
    """The first answer counts; a second tap changes nothing and is not thanked again."""
    if intent.scope not in ("good", "bad"):
        return
    now = utcnow()
    answered = await (
        SatisfactionAnswer.filter(id=intent.answer_id, sender_id=sender.id, score__isnull=True)
        .using_db(connection)
        .update(score=SatisfactionScore(intent.scope), answered_at=now)
    )
    if not answered:
        return
    await set_pending_question(sender, f"satisfaction_comment:{intent.answer_id}", now, connection)
    body = texts_for(sender, settings).render("satisfaction_thanks")
    await queue_answer(sender, "satisfaction_thanks", body, message, settings, connection)


async def comment(
    sender: Sender,
    intent: Intent,
    message: Message,
    settings: Settings,
    connection: BaseDBAsyncClient,
) -> None:
    await set_pending_question(sender, None, None, connection)
    await (
        SatisfactionAnswer.filter(id=intent.answer_id, sender_id=sender.id, comment__isnull=True)
        .using_db(connection)
        .update(comment=message.text[:COMMENT_MAX], commented_at=utcnow())
    )
    body = texts_for(sender, settings).render("satisfaction_comment_thanks")
    await queue_answer(sender, "satisfaction_comment_thanks", body, message, settings, connection)
