"""Every change to a tip goes through here: it keeps the audit trail with the change, schedules
indexing and publishes what others must hear (tips/events.py), all in the change's transaction."""

from __future__ import annotations

from datetime import datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from tipdesk.audit.actions import AuditAction
from tipdesk.audit.trail import record
from tipdesk.clock import utcnow
from tipdesk.editors.models import Editor
from tipdesk.editors.permissions import check_may_work_on, may_override_consent, may_take_over
from tipdesk.errors import Conflict, Forbidden, InvalidInput, NotFound
from tipdesk.search.jobs import schedule_indexing
from tipdesk.settings import Settings
from tipdesk.tips.consent_gate import media_without_consent
from tipdesk.tips.events import StatusChanged, publish
from tipdesk.tips.models import DeliveryState, Direction, Message, Sender, Tip, TipStatus

CLOSED = [status for status in TipStatus if status.is_closed]


async def tip_for_message(
    sender: Sender,
    *,
    sent_at: datetime,
    quoted_id: str | None,
    window: timedelta,
    connection: BaseDBAsyncClient,
    may_open: bool = True,
    new_reader: bool = False,
    line: str | None = None,
    desk: str | None = None,
) -> tuple[Tip | None, bool]:
    """The tip a reader's message joins: the open tip it quotes, else the reader's active open
    tip (last message within `window`), else a new tip; and whether the tip is new. Closed tips
    never take new messages; only what a reader tells the desk opens one (`may_open` False:
    reactions, notices, answers to the desk, requests such as STOP or INFO). A reader created
    with this message (`new_reader`) has no tip to join. A reader writing to two of the desk's
    numbers (`line`) has a conversation with each: an active tip joins messages of its own
    number only, and a new one starts with that number's `desk` label."""
    tip = None
    if not new_reader:
        tip = await _quoted_open_tip(sender, quoted_id, connection)
        if tip is None:
            tip = await _active_tip(sender, sent_at, window, line, connection)
    if tip is not None:
        await _extend(tip, sent_at, connection)
        return tip, False
    if not may_open:
        return None, False
    return await _open_tip(sender, sent_at, connection, line, desk), True


async def answered_tip(
    sender: Sender,
    *,
    answer: bool,
    quoted_id: str | None,
    sent_at: datetime,
    connection: BaseDBAsyncClient,
) -> Tip | None:
    """The tip a reader's answer to the desk belongs to: the desk's message a button or list
    choice answers, else the tip of an editor's message the desk holds for the reader (their
    window had closed, and the desk's template asked them to write back). A button answers
    whatever the tip's status; other messages never join a closed tip, so news weeks later is
    a new tip."""
    answered = None
    if answer and quoted_id is not None:
        answered = await _desk_message(
            sender, connection, channel=sender.channel, external_id=quoted_id
        )
    if answered is None:
        # An editor's message waiting for them: what the template asked them to answer
        # (an automatic one held, a late confirmation, asks nothing of the reader).
        answered = await _desk_message(
            sender, connection, delivery=DeliveryState.HELD, editor_id__isnull=False
        )
    if answered is None or answered.tip_id is None:
        return None
    tips = Tip.filter(id=answered.tip_id)
    if not answer:
        tips = tips.filter(status__not_in=CLOSED)
    tip = await tips.using_db(connection).first()
    if tip is not None:
        await _extend(tip, sent_at, connection)
    return tip


async def _desk_message(
    sender: Sender, connection: BaseDBAsyncClient, **match: object
) -> Message | None:
    return (
        await Message.filter(
            sender_id=sender.id, direction=Direction.OUTBOUND, tip_id__isnull=False, **match
        )
        .order_by("-id")
        .using_db(connection)
        .first()
    )


async def _quoted_open_tip(
    sender: Sender, quoted_id: str | None, connection: BaseDBAsyncClient
) -> Tip | None:
    if quoted_id is None:
        return None
    quoted = await (
        Message.filter(
            channel=sender.channel, external_id=quoted_id, sender_id=sender.id,
            tip_id__isnull=False,
        )
        .using_db(connection)
        .first()
    )  # fmt: skip
    if quoted is None:
        return None
    return await Tip.filter(id=quoted.tip_id, status__not_in=CLOSED).using_db(connection).first()


async def _active_tip(
    sender: Sender,
    sent_at: datetime,
    window: timedelta,
    line: str | None,
    connection: BaseDBAsyncClient,
) -> Tip | None:
    # Both bounds, because webhooks arrive out of order: a late-delivered earlier message still
    # belongs with the tip its successors opened.
    return (
        await Tip.filter(
            sender_id=sender.id,
            status__not_in=CLOSED,
            last_message_at__gte=sent_at - window,
            first_message_at__lte=sent_at + window,
            line=line,
        )
        .order_by("-last_message_at")
        .using_db(connection)
        .first()
    )


async def _extend(tip: Tip, sent_at: datetime, connection: BaseDBAsyncClient) -> None:
    first, last = min(tip.first_message_at, sent_at), max(tip.last_message_at, sent_at)
    if (first, last) != (tip.first_message_at, tip.last_message_at):
        await (
            Tip.filter(id=tip.id)
            .using_db(connection)
            .update(first_message_at=first, last_message_at=last)
        )
        tip.first_message_at, tip.last_message_at = first, last


async def _open_tip(
    sender: Sender,
    sent_at: datetime,
    connection: BaseDBAsyncClient,
    line: str | None = None,
    desk: str | None = None,
) -> Tip:
    tip = await Tip.create(
        sender=sender, first_message_at=sent_at, last_message_at=sent_at, line=line, desk=desk,
        using_db=connection,
    )  # fmt: skip
    await record(AuditAction.TIP_CREATED, tip_id=tip.id, sender_id=sender.id, using_db=connection)
    return tip


async def claim_tip(
    tip_id: int, editor: Editor, settings: Settings, *, takeover: bool = False
) -> Tip:
    """Atomic: of two editors claiming at once, exactly one wins; the other gets Conflict.
    A claim on a tip nobody touched for TIPDESK_CLAIM_IDLE has lapsed and may be taken.
    Chiefs and admins may take over a live claim; that is audited."""
    now = utcnow()
    if takeover and not may_take_over(editor):
        raise Forbidden("only a chief or an admin may take over a claim", reason="takeover_chiefs")
    free = (
        Q(claimed_by_id=None)
        | Q(claimed_by_id=editor.id)
        | Q(updated_at__lt=now - settings.claim_idle)
    )
    async with in_transaction() as connection:
        tip = await Tip.filter(id=tip_id).using_db(connection).first()
        if tip is None:
            raise NotFound("no such tip", reason="no_such_tip")
        previous = tip.claimed_by_id
        query = Tip.filter(id=tip_id) if takeover else Tip.filter(free, id=tip_id)
        won = await query.using_db(connection).update(
            claimed_by_id=editor.id, claimed_at=now, updated_at=now
        )
        if not won:
            holder = await Editor.filter(id=previous).using_db(connection).first()
            name = holder.display_name if holder else "another editor"
            raise Conflict(f"claimed by {name}", reason="claimed_by", values={"name": name})
        if previous != editor.id:
            taken = takeover and previous
            action = AuditAction.TIP_CLAIM_TAKEN_OVER if taken else AuditAction.TIP_CLAIMED
            await record(
                action, tip_id=tip_id, editor=editor,
                detail={"previous_editor_id": previous}, using_db=connection,
            )  # fmt: skip
            await schedule_indexing(tip_id, settings, connection)
    return await Tip.get(id=tip_id)


async def release_tip(tip_id: int, editor: Editor, settings: Settings) -> Tip:
    async with in_transaction() as connection:
        tip = await Tip.filter(id=tip_id).using_db(connection).first()
        if tip is None:
            raise NotFound("no such tip", reason="no_such_tip")
        holder = tip.claimed_by_id
        if holder is None:
            return tip
        check_may_work_on(holder, editor)
        await (
            Tip.filter(id=tip_id)
            .using_db(connection)
            .update(claimed_by_id=None, claimed_at=None, updated_at=utcnow())
        )
        await record(
            AuditAction.TIP_RELEASED, tip_id=tip_id, editor=editor,
            detail={"previous_editor_id": holder}, using_db=connection,
        )  # fmt: skip
        await schedule_indexing(tip_id, settings, connection)
    return await Tip.get(id=tip_id)


async def change_status(
    tip_id: int, editor: Editor, settings: Settings, *, status: str, note: str = "",
    published_url: str | None = None, override_reason: str | None = None,
) -> Tip:  # fmt: skip
    """Audited, indexed and published as StatusChanged (the reader may hear of it). `used`
    needs the reader's consent for every medium, unless a chief or admin overrides with a
    reason (audited)."""
    new_status = _status(status)
    _check_status_input(note, published_url, override_reason)
    async with in_transaction() as connection:
        tip = await Tip.filter(id=tip_id).using_db(connection).first()
        if tip is None:
            raise NotFound("no such tip", reason="no_such_tip")
        if tip.merged_into_id is not None:
            raise Conflict(
                f"this tip was merged into tip {tip.merged_into_id}",
                reason="merged_into",
                values={"tip": tip.merged_into_id},
            )
        check_may_work_on(tip.claimed_by_id, editor)
        if new_status is TipStatus.USED and tip.status is not TipStatus.USED:
            await _consent_gate(tip_id, editor, override_reason, connection)
        changes: dict[str, object] = {"status": new_status, "updated_at": utcnow()}
        if new_status is TipStatus.USED and tip.used_at is None:
            changes["used_at"] = changes["updated_at"]
        if published_url:
            changes["published_url"] = tip.published_url = published_url[:2048]
        await Tip.filter(id=tip_id).using_db(connection).update(**changes)
        await record(
            AuditAction.TIP_STATUS_CHANGED, tip_id=tip_id, editor=editor,
            detail={"from": tip.status.value, "to": new_status.value, "note": note},
            using_db=connection,
        )  # fmt: skip
        await schedule_indexing(tip_id, settings, connection)
        if new_status is not tip.status:
            await publish(StatusChanged(tip, tip.status, new_status, settings, connection))
    return await Tip.get(id=tip_id)


def _status(status: str) -> TipStatus:
    try:
        return TipStatus(status)
    except ValueError:
        choices = ", ".join(s.value for s in TipStatus)
        raise InvalidInput(f"status must be one of {choices}", reason="unknown_status") from None


def _check_status_input(note: str, published_url: str | None, override: str | None) -> None:
    if len(note) > 2000:
        raise InvalidInput(
            "the note may have at most 2,000 characters",
            reason="note_too_long",
            values={"limit": 2000},
        )
    if published_url is not None and not published_url.startswith(("https://", "http://")):
        raise InvalidInput("published_url must be an http(s) URL", reason="published_url")
    if override is not None and not 3 <= len(override.strip()) <= 2000:
        raise InvalidInput(
            "override_reason must be 3 to 2,000 characters",
            reason="override_reason_length",
            values={"least": 3, "limit": 2000},
        )


async def _consent_gate(
    tip_id: int, editor: Editor, override_reason: str | None, connection: BaseDBAsyncClient
) -> None:
    lacking = await media_without_consent(tip_id, connection)
    if not lacking:
        return
    if override_reason is None:
        raise Conflict(
            f"{len(lacking)} of this tip's media lack the reader's consent; ask for it, or a"
            " chief can override with a reason",
            reason="media_lack_consent",
            values={"count": len(lacking)},
        )
    if not may_override_consent(editor):
        raise Forbidden(
            "only a chief or an admin may use media without the reader's consent",
            reason="override_chiefs",
        )
    await record(
        AuditAction.TIP_CONSENT_OVERRIDDEN, tip_id=tip_id, editor=editor,
        detail={"reason": override_reason.strip(), "media": lacking}, using_db=connection,
    )  # fmt: skip
