"""What a login attempt leaves behind: the audit event, and on success the editor's
last login. The login route checks the password and the throttle; this writes."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from tipdesk.audit.actions import AuditAction
from tipdesk.audit.trail import record
from tipdesk.clock import utcnow
from tipdesk.editors.models import Editor


async def record_failed_login(who: str) -> None:
    """`who` is a short hash of the address typed, never the address itself."""
    await record(AuditAction.LOGIN_FAILED, detail={"who": who})


async def record_login(editor: Editor) -> None:
    async with in_transaction() as connection:
        await Editor.filter(id=editor.id).using_db(connection).update(last_login_at=utcnow())
        await record(AuditAction.LOGIN_SUCCEEDED, editor=editor, using_db=connection)
