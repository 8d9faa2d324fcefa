"""An editor writes to a reader: signed, optionally quoting one of the reader's messages, and
never sent blindly outside the 24-hour window (the editor is told; the template goes first)."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.transactions import in_transaction

from tipdesk.audit.actions import AuditAction
from tipdesk.audit.trail import record
from tipdesk.channels.base import Outbound
from tipdesk.conversation.automatic import texts_for
from tipdesk.conversation.outbox import Outgoing, queue_message, window_open
from tipdesk.editors.models import Editor
from tipdesk.editors.permissions import may_reply_without_claiming
from tipdesk.errors import Conflict, InvalidInput, NotFound
from tipdesk.settings import Settings
from tipdesk.tips.actions import claim_tip
from tipdesk.tips.marks import touch
from tipdesk.tips.models import Direction, Message, Sender, Tip

BODY_MAX = 4096
WINDOW_CLOSED_NOTICE = (
    "The reader last wrote more than 24 hours ago, so WhatsApp only allows an approved template."
    " The template was sent; your reply goes out as soon as the reader answers."
)

# A reply within the window is still allowed after STOP, but the editor must know they write
# to a reader who asked for no more messages.
OPTED_OUT_NOTICE = (
    "Deze lezer stuurde STOP: je antwoord gaat binnen het 24-uursvenster wel uit, maar de lezer"
    " wil geen berichten meer. / This reader sent STOP: your reply is allowed within the 24-hour"
    " window, but the reader asked for no more messages."
)


@dataclass(frozen=True)
class Reply:
    message: Message
    window_open: bool
    opted_out: bool = False

    @property
    def notice(self) -> str | None:
        notices = [OPTED_OUT_NOTICE] if self.opted_out else []
        if not self.window_open:
            notices.append(WINDOW_CLOSED_NOTICE)
        return " ".join(notices) or None


async def reply_to_reader(
    tip_id: int, editor: Editor, settings: Settings, *, text: str, quote: str | None = None
) -> Reply:
    """Replying claims an unclaimed tip; a tip another editor holds answers 409, as claims do."""
    tip = await Tip.get_or_none(id=tip_id)
    if tip is None:
        raise NotFound("no such tip", reason="no_such_tip")
    if not may_reply_without_claiming(tip.claimed_by_id, editor):
        await claim_tip(tip_id, editor, settings)
    sender = await Sender.get(id=tip.sender_id)
    _check_reachable(sender)
    body = _signed(text, editor, sender, settings)
    async with in_transaction() as connection:
        if (
            quote is not None
            and not await Message.filter(
                external_id=quote, tip_id=tip_id, direction=Direction.INBOUND
            )
            .using_db(connection)
            .exists()
        ):
            raise InvalidInput(
                "quote must be the id of a reader's message in this tip", reason="no_such_message"
            )
        message = await queue_message(
            sender,
            Outgoing(
                purpose="reply", message=Outbound(text=body, quote=quote), text=body,
                automatic=False, tip_id=tip_id, editor_id=editor.id,
            ),
            settings, connection,
        )  # fmt: skip
        if message is None:  # a reply has no outbound key, so it is never a duplicate
            raise Conflict("the reply could not be queued; try again", reason="reply_not_queued")
        await touch(tip_id, connection)
        await record(
            AuditAction.TIP_REPLIED, tip_id=tip_id, editor=editor,
            detail={"message_id": message.id, "window_open": window_open(sender)},
            using_db=connection,
        )  # fmt: skip
    return Reply(message, window_open(sender), opted_out=sender.opted_out_at is not None)


def _check_reachable(sender: Sender) -> None:
    if sender.erased_at is not None:
        raise Conflict(
            "this reader's data was erased; the desk cannot write to them",
            reason="reader_erased",
        )
    if sender.blocked_at is not None:
        raise Conflict("this reader is blocked; unblock them to reply", reason="reader_blocked")
    if sender.unreachable_at is not None:
        raise Conflict(
            "WhatsApp cannot deliver to this reader's number", reason="reader_unreachable"
        )


def _signed(text: str, editor: Editor, sender: Sender, settings: Settings) -> str:
    cleaned = text.strip()
    if not cleaned:
        raise InvalidInput("the reply is empty", reason="reply_empty")
    if settings.reply_signature:
        signature = texts_for(sender, settings).render(
            "reply_signature", editor=editor.display_name
        )
        cleaned = f"{cleaned}\n\n{signature}"
    if len(cleaned) > BODY_MAX:
        raise InvalidInput(
            f"the reply may have at most {BODY_MAX} characters with its signature",
            reason="reply_too_long",
            values={"limit": BODY_MAX},
        )
    return cleaned
