"""Consent withdrawn after use: a reader refused, or took back, consent for media the desk had
already used (a chief's override, or INTREKKEN after publication).

The reader is told the truth (the footage was used; the desk removes it where it can) and the
desk is alerted until an editor has handled it: a badge on the board, a banner on the tip, a
line on /admin and an audit event. It is the most urgent thing a desk can learn about a story.
"""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from tipdesk.audit.actions import AuditAction
from tipdesk.audit.trail import record as record_event
from tipdesk.clock import utcnow
from tipdesk.conversation.models import ConsentRecord
from tipdesk.editors.models import Editor
from tipdesk.editors.permissions import check_may_work_on
from tipdesk.errors import Conflict, NotFound
from tipdesk.tips.marks import mark_consent_alert
from tipdesk.tips.models import Tip


async def withdrawn_after_use(
    record: ConsentRecord, answer: str, connection: BaseDBAsyncClient
) -> bool:
    """Raise the alert when the record's tip was used; False (and nothing done) when not."""
    tip = await Tip.filter(id=record.tip_id).using_db(connection).first()
    if tip is None or tip.used_at is None:
        return False
    await mark_consent_alert(tip.id, utcnow(), connection)
    await record_event(
        AuditAction.CONSENT_WITHDRAWN_AFTER_USE, tip_id=tip.id, sender_id=record.sender_id,
        detail={"consent_id": record.id, "answer": answer}, using_db=connection,
    )  # fmt: skip
    return True


async def handle_alert(tip_id: int, editor: Editor, note: str = "") -> None:
    """An editor has dealt with it (taken the footage down, called the reader): audited."""
    async with in_transaction() as connection:
        tip = await Tip.filter(id=tip_id).using_db(connection).select_for_update().first()
        if tip is None:
            raise NotFound("no such tip", reason="no_such_tip")
        check_may_work_on(tip.claimed_by_id, editor)
        if tip.consent_alert_at is None:
            raise Conflict("this tip has no consent alert to handle", reason="no_consent_alert")
        await mark_consent_alert(tip_id, None, connection)
        await record_event(
            AuditAction.CONSENT_ALERT_HANDLED, tip_id=tip_id, editor=editor,
            detail={"note": note[:2000]}, using_db=connection,
        )  # fmt: skip
