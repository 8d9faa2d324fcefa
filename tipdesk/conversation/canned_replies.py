"""Canned replies: starting points for an editor's reply, kept by chiefs and admins (audited).

A canned reply only ever fills the reply box, with its variables filled in, for the editor to
edit and send as one reply of their own: readers and WhatsApp both flag copy-pasted, robotic
messages, so nothing here sends anything, and the board has no bulk reply.
"""

from __future__ import annotations

from tortoise.transactions import in_transaction

from tipdesk.audit.actions import AuditAction
from tipdesk.audit.trail import record
from tipdesk.conversation.models import CannedReply
from tipdesk.editors.models import Editor
from tipdesk.editors.permissions import may_keep_canned_replies
from tipdesk.errors import Forbidden, InvalidInput, NotFound

MAX_TITLE = 80
MAX_BODY = 3900  # what one reply may hold (the reply box's maxlength)
VARIABLES = ("voornaam", "tipnummer", "redacteur")
MAX_REPLIES = 100


def fill(body: str, *, first_name: str, tip_number: int, editor_name: str) -> str:
    """The body with its variables filled in. Plain replacement, not `str.format`: a brace
    an editor typed stays a brace."""
    values = {"voornaam": first_name, "tipnummer": str(tip_number), "redacteur": editor_name}
    for name, value in values.items():
        body = body.replace(f"{{{name}}}", value)
    return body


def first_name(display_name: str | None) -> str:
    """A reader's first name as WhatsApp shows it; nothing when the reader gave none."""
    return (display_name or "").split(" ")[0].strip()


def _check(editor: Editor, title: str, body: str) -> tuple[str, str]:
    if not may_keep_canned_replies(editor):
        raise Forbidden("only a chief or an admin may keep canned replies", reason="canned_chiefs")
    title, body = " ".join(title.split()), body.strip()
    if not 1 <= len(title) <= MAX_TITLE:
        raise InvalidInput(
            f"a canned reply needs a title of 1 to {MAX_TITLE} characters",
            reason="canned_title_length",
            values={"limit": MAX_TITLE},
        )
    if not 1 <= len(body) <= MAX_BODY:
        raise InvalidInput(
            f"a canned reply needs a text of 1 to {MAX_BODY:,} characters",
            reason="canned_body_length",
            values={"limit": MAX_BODY},
        )
    return title, body


async def canned_replies() -> list[CannedReply]:
    return list(await CannedReply.all().order_by("title", "id"))


async def save_canned_reply(
    editor: Editor, title: str, body: str, reply_id: int | None = None
) -> CannedReply:
    """A new canned reply, or (`reply_id`) a change to one."""
    title, body = _check(editor, title, body)
    async with in_transaction() as connection:
        if reply_id is None:
            if await CannedReply.all().using_db(connection).count() >= MAX_REPLIES:
                raise InvalidInput(
                    f"the desk keeps at most {MAX_REPLIES} canned replies",
                    reason="too_many_canned",
                    values={"limit": MAX_REPLIES},
                )
            reply = await CannedReply.create(title=title, body=body, using_db=connection)
        else:
            changed = await (
                CannedReply.filter(id=reply_id).using_db(connection).update(title=title, body=body)
            )
            if not changed:
                raise NotFound("no such canned reply", reason="no_such_canned")
            reply = await CannedReply.filter(id=reply_id).using_db(connection).get()
        await record(
            AuditAction.CANNED_REPLY_SAVED, editor=editor,
            detail={"canned_reply_id": reply.id, "title": title}, using_db=connection,
        )  # fmt: skip
    return reply


async def delete_canned_reply(editor: Editor, reply_id: int) -> None:
    if not may_keep_canned_replies(editor):
        raise Forbidden("only a chief or an admin may keep canned replies", reason="canned_chiefs")
    async with in_transaction() as connection:
        reply = await CannedReply.filter(id=reply_id).using_db(connection).first()
        if reply is None:
            raise NotFound("no such canned reply", reason="no_such_canned")
        await CannedReply.filter(id=reply_id).using_db(connection).delete()
        await record(
            AuditAction.CANNED_REPLY_DELETED, editor=editor,
            detail={"canned_reply_id": reply_id, "title": reply.title}, using_db=connection,
        )  # fmt: skip
