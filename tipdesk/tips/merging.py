"""Merging two tips of one reader into one, and splitting a message off into a tip of its own.

A merge moves the source's messages, media, consent records and notes to the target; the source
stays behind archived, empty and pointing at the target (`merged_into`), so old links and its
history still lead somewhere. Both tips are audited and re-indexed in the same transaction.
Closed tips (used, rejected, archived) are neither merged nor split: reopen them first, since a
closed tip takes no new messages. The reader's row is locked first, as intake does, so a message
arriving meanwhile lands either before the move (and moves) or after it.
"""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from tipdesk.audit.actions import AuditAction
from tipdesk.audit.trail import record as record_event
from tipdesk.clock import utcnow
from tipdesk.conversation.models import ConsentRecord
from tipdesk.editors.models import Editor
from tipdesk.editors.permissions import may_work_on
from tipdesk.errors import Conflict, InvalidInput, NotFound
from tipdesk.settings import Settings
from tipdesk.tips.editing import MAX_TAGS, record, tip_for_change
from tipdesk.tips.models import Direction, MediaAsset, Message, Sender, Tip, TipNote, TipStatus


def _check_workable(tip: Tip, editor: Editor) -> None:
    if tip.status.is_closed:
        raise Conflict(
            f"tip {tip.id} is closed ({tip.status.value}); reopen it first",
            reason="tip_closed",
            values={"tip": tip.id},
        )
    if not may_work_on(tip.claimed_by_id, editor):
        raise Conflict(
            f"tip {tip.id} is claimed by another editor",
            reason="tip_held_by_another",
            values={"tip": tip.id},
        )


async def _lock_sender(sender_id: int, connection: BaseDBAsyncClient) -> None:
    await Sender.filter(id=sender_id).select_for_update().using_db(connection).first()


async def merge_tips(source_id: int, target_id: int, editor: Editor, settings: Settings) -> Tip:
    """Moves everything of `source_id` into `target_id`; both must be the same reader's."""
    if source_id == target_id:
        raise InvalidInput("a tip cannot be merged with itself", reason="merge_with_itself")
    async with in_transaction() as connection:
        first = await tip_for_change(min(source_id, target_id), connection)
        await _lock_sender(first.sender_id, connection)
        source = await tip_for_change(source_id, connection)
        target = await tip_for_change(target_id, connection)
        if source.sender_id != target.sender_id:
            raise InvalidInput(
                "only tips of the same reader can be merged", reason="merge_other_reader"
            )
        for tip in (source, target):
            _check_workable(tip, editor)
        await _move_contents(source, target, connection)
        await _close_source(source, target, connection)
        await record(
            AuditAction.TIP_MERGED, target.id, editor,
            {"source_id": source.id, "note": f"tip #{source.id} hierin samengevoegd"},
            settings, connection,
        )  # fmt: skip
        await record(
            AuditAction.TIP_MERGED_AWAY, source.id, editor,
            {"target_id": target.id, "note": f"samengevoegd in tip #{target.id}"},
            settings, connection,
        )  # fmt: skip
    return await Tip.get(id=target_id)


async def _move_contents(source: Tip, target: Tip, connection: BaseDBAsyncClient) -> None:
    for model in (Message, MediaAsset, ConsentRecord, TipNote):
        await model.filter(tip_id=source.id).using_db(connection).update(tip_id=target.id)
    tags = list(dict.fromkeys([*target.tags, *source.tags]))[:MAX_TAGS]
    await Tip.filter(id=target.id).using_db(connection).update(
        first_message_at=min(source.first_message_at, target.first_message_at),
        last_message_at=max(source.last_message_at, target.last_message_at),
        tags=tags, desk=target.desk or source.desk, updated_at=utcnow(),
    )  # fmt: skip


async def _close_source(source: Tip, target: Tip, connection: BaseDBAsyncClient) -> None:
    closed = await Tip.filter(id=source.id, merged_into_id=None).using_db(connection).update(
        merged_into_id=target.id, status=TipStatus.ARCHIVED, claimed_by_id=None,
        claimed_at=None, updated_at=utcnow(),
    )  # fmt: skip
    if not closed:
        raise Conflict(
            f"tip {source.id} was merged meanwhile",
            reason="merged_meanwhile",
            values={"tip": source.id},
        )


async def split_message(
    tip_id: int, external_id: object, editor: Editor, settings: Settings
) -> Tip:
    """Moves one reader message (and its media) of a tip into a new tip of the same reader,
    named by its id on the channel."""
    if not isinstance(external_id, str) or not external_id or len(external_id) > 255:
        raise InvalidInput(
            "message must be the id of one of the tip's messages", reason="no_such_message"
        )
    async with in_transaction() as connection:
        tip = await tip_for_change(tip_id, connection)
        await _lock_sender(tip.sender_id, connection)
        _check_workable(tip, editor)
        message = (
            await Message.filter(tip_id=tip.id, external_id=external_id)
            .using_db(connection)
            .first()
        )
        if message is None:
            raise NotFound("this tip has no such message", reason="no_such_message")
        if message.direction is not Direction.INBOUND:
            raise InvalidInput(
                "only a reader's message can be split off", reason="split_desk_message"
            )
        rest = await _reader_messages(tip.id, connection, without=message.id)
        if not rest:
            raise InvalidInput(
                "this is the tip's only reader message: nothing would remain",
                reason="split_only_message",
            )
        new = await Tip.create(
            sender_id=tip.sender_id, desk=tip.desk, first_message_at=message.sent_at,
            last_message_at=message.sent_at, using_db=connection,
        )  # fmt: skip
        await Message.filter(id=message.id).using_db(connection).update(tip_id=new.id)
        await MediaAsset.filter(message_id=message.id).using_db(connection).update(tip_id=new.id)
        await Tip.filter(id=tip.id).using_db(connection).update(
            first_message_at=rest[0].sent_at, last_message_at=rest[-1].sent_at,
            updated_at=utcnow(),
        )  # fmt: skip
        await _record_split(tip.id, new, editor, settings, connection)
    return new


async def _reader_messages(
    tip_id: int, connection: BaseDBAsyncClient, *, without: int
) -> list[Message]:
    return (
        await Message.filter(tip_id=tip_id, direction=Direction.INBOUND)
        .exclude(id=without)
        .order_by("sent_at", "id")
        .using_db(connection)
    )


async def _record_split(
    tip_id: int, new: Tip, editor: Editor, settings: Settings, connection: BaseDBAsyncClient
) -> None:
    await record_event(
        AuditAction.TIP_CREATED, tip_id=new.id, sender_id=new.sender_id, editor=editor,
        detail={"split_from": tip_id}, using_db=connection,
    )  # fmt: skip
    await record(
        AuditAction.TIP_SPLIT, tip_id, editor,
        {"new_tip_id": new.id, "note": f"bericht afgesplitst naar tip #{new.id}"},
        settings, connection,
    )  # fmt: skip
    await record(
        AuditAction.TIP_SPLIT_FROM, new.id, editor,
        {"tip_id": tip_id, "note": f"afgesplitst van tip #{tip_id}"}, settings, connection,
    )  # fmt: skip
