"""The one writer of the audit trail. Domain actions call `record` inside the transaction of
the change it describes, so the change and its event commit or roll back together; nothing
else constructs an `AuditEvent` (tests/test_one_funnel.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from tortoise.backends.base.client import BaseDBAsyncClient

from tipdesk.audit.actions import AuditAction
from tipdesk.audit.listeners import LISTENERS
from tipdesk.audit.models import AuditEvent

if TYPE_CHECKING:
    from tipdesk.editors.models import Editor


async def record(
    action: AuditAction,
    *,
    tip_id: int | None = None,
    sender_id: int | None = None,
    editor: Editor | None = None,
    detail: Mapping[str, object] | None = None,
    using_db: BaseDBAsyncClient | None = None,
) -> AuditEvent:
    """Append one event. `AuditAction(action)` refuses a free string even where mypy cannot
    see it (a value built at run time), so the trail only ever holds known actions. Its
    listeners (audit/listeners.py: outbound webhooks) hear it on the same connection."""
    event = await AuditEvent.create(
        action=AuditAction(action).value,
        tip_id=tip_id,
        sender_id=sender_id,
        editor=editor,
        detail=dict(detail or {}),
        using_db=using_db,
    )
    for listener in LISTENERS:
        await listener(event, using_db)
    return event


async def redact(event_id: int, detail: object, *, using_db: BaseDBAsyncClient) -> None:
    """The one rewrite the trail allows: an erasure takes a reader's number and words out of
    the events it keeps (conversation/traces.py); the event itself stays."""
    await AuditEvent.filter(id=event_id).using_db(using_db).update(detail=detail)
