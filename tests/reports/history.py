"""A known desk history around the DST change of 2026-10-25 in Europe/Amsterdam (CEST, UTC+2,
until 03:00 local; CET, UTC+1, after) and the 17:00 closing of `mon-fri 09:00-17:00`.

The period under test is 2026-10-23 (Fri) .. 2026-10-26 (Mon); the one before it
2026-10-19 .. 2026-10-22. Every row is written straight to the database with its timestamps.
"""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import count

from tipdesk.audit.models import AuditEvent
from tipdesk.conversation.models import ConsentRecord, ConsentScope, ConsentState
from tipdesk.jobs.models import Job, JobState
from tipdesk.tips.models import (
    DeliveryState,
    Direction,
    MediaAsset,
    MediaKind,
    Message,
    Sender,
    Tip,
    TipStatus,
)

_numbers = count(1)


def utc(text: str) -> datetime:
    """`2026-10-23 14:50` in UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


async def reader(phone: str, first_contact: str, **states: datetime) -> Sender:
    return await Sender.create(
        channel="whatsapp",
        address=phone,
        phone=phone,
        first_contact_at=utc(first_contact),
        **states,
    )


async def tip(
    sender: Sender, at: str, *, desk: str | None = None, status: TipStatus = TipStatus.NEW,
    claimed_at: str | None = None,
) -> Tip:  # fmt: skip
    moment = utc(at)
    made = await Tip.create(
        sender=sender, first_message_at=moment, last_message_at=moment, desk=desk, status=status,
        claimed_at=utc(claimed_at) if claimed_at else None,
    )  # fmt: skip
    await inbound(made, at)
    return made


async def inbound(on: Tip, at: str) -> Message:
    return await Message.create(
        channel="whatsapp",
        external_id=f"wamid.in.{next(_numbers)}", tip=on, sender_id=on.sender_id,
        direction=Direction.INBOUND, type="text", text="tip", sent_at=utc(at),
    )  # fmt: skip


async def outbound(
    on: Tip, at: str, purpose: str, *, failed_code: object = None, failed: bool = False
) -> Message:
    return await Message.create(
        channel="whatsapp",
        external_id=f"wamid.out.{next(_numbers)}", tip=on, sender_id=on.sender_id,
        direction=Direction.OUTBOUND, type="text", text="desk", sent_at=utc(at), purpose=purpose,
        automatic=purpose != "reply",
        delivery=DeliveryState.FAILED if failed else DeliveryState.SENT,
        delivery_error={"code": failed_code, "title": "x"} if failed_code is not None else None,
    )  # fmt: skip


async def medium(on: Tip, kind: MediaKind) -> None:
    message = await inbound(on, on.first_message_at.strftime("%Y-%m-%d %H:%M"))
    await MediaAsset.create(token=f"t{next(_numbers)}", tip=on, message=message, kind=kind)


async def audit(on: Tip, action: str, at: str, **detail: object) -> None:
    event = await AuditEvent.create(action=action, tip=on, detail=detail)
    await AuditEvent.filter(id=event.id).update(created_at=utc(at))


async def consent(on: Tip, at: str, state: ConsentState, scope: ConsentScope | None) -> None:
    await ConsentRecord.create(
        tip=on, sender_id=on.sender_id, state=state, scope=scope, question_text="mag het?",
        requested_at=utc(at),
    )  # fmt: skip


async def dead_job(kind: str, died: str, state: JobState = JobState.DEAD) -> None:
    await Job.create(
        kind=kind, state=state, run_at=utc(died), max_attempts=5, finished_at=utc(died)
    )


async def build_history() -> dict[str, Tip]:
    """The rows behind every figure the tests assert; see the module docstring."""
    s1 = await reader("31600000001", "2026-09-01 08:00", opted_out_at=utc("2026-10-24 08:00"))
    s2 = await reader("31600000002", "2026-10-25 00:30")
    s3 = await reader("31600000003", "2026-10-26 15:59", blocked_at=utc("2026-10-20 09:00"))
    s4 = await reader("31600000004", "2026-10-22 10:00", unreachable_at=utc("2026-10-26 11:00"))
    tips = {
        # Thursday 12:00 CEST: the previous period.
        "t0": await tip(s4, "2026-10-22 10:00", desk="news", status=TipStatus.IN_REVIEW),
        # Friday 16:50 CEST: ten open minutes before the weekend.
        "t1": await tip(s1, "2026-10-23 14:50", desk="news", status=TipStatus.VERIFIED),
        # Sunday 02:30 CEST and 02:30 CET: the same local hour, twice.
        "t2": await tip(s2, "2026-10-25 00:30", desk="news", status=TipStatus.IN_REVIEW),
        "t3": await tip(s1, "2026-10-25 01:30", desk="news", claimed_at="2026-10-26 07:30"),
        # Monday 16:59 CET (open) and 17:00 CET (closed).
        "t5": await tip(s3, "2026-10-26 15:59", desk="sport", status=TipStatus.REJECTED),
        "t4": await tip(s3, "2026-10-26 16:00", desk="sport", status=TipStatus.USED),
        # Monday 23:59 CET is in the period; Tuesday 00:00 CET is not.
        "t6": await tip(s4, "2026-10-26 22:59"),
        "t7": await tip(s4, "2026-10-26 23:00"),
    }
    await _conversation(tips)
    await _history(tips)
    return tips


async def _conversation(t: dict[str, Tip]) -> None:
    await outbound(t["t0"], "2026-10-22 10:30", "reply")
    await outbound(t["t1"], "2026-10-23 14:51", "confirmation")
    await outbound(t["t1"], "2026-10-26 08:10", "reply")  # Monday 09:10 CET
    await outbound(t["t1"], "2026-10-26 11:00", "reply")
    await outbound(t["t2"], "2026-10-26 09:00", "reply")  # Monday 10:00 CET
    await outbound(t["t4"], "2026-10-26 16:30", "reply")
    await outbound(t["t5"], "2026-10-26 16:01", "reply")  # Monday 17:01 CET
    await inbound(t["t2"], "2026-10-25 01:45")  # 02:45 CET
    await outbound(t["t6"], "2026-10-26 23:00", "status_update", failed_code=131026, failed=True)
    await outbound(t["t6"], "2026-10-26 22:59", "status_update", failed_code=131026, failed=True)
    await outbound(t["t6"], "2026-10-26 20:00", "status_update", failed=True)
    await outbound(t["t0"], "2026-10-22 11:00", "status_update", failed_code="131047", failed=True)
    await medium(t["t1"], MediaKind.IMAGE)
    await medium(t["t2"], MediaKind.VIDEO)
    await medium(t["t2"], MediaKind.VIDEO)
    await medium(t["t2"], MediaKind.IMAGE)


async def _history(t: dict[str, Tip]) -> None:
    await audit(t["t1"], "tip.claimed", "2026-10-23 14:55")
    await audit(t["t2"], "tip.claimed", "2026-10-25 02:10")
    await audit(t["t2"], "tip.released", "2026-10-25 03:00")
    await audit(t["t2"], "tip.claimed", "2026-10-26 08:00")
    await audit(t["t4"], "tip.claimed", "2026-10-26 16:05")
    for name, steps in {
        "t1": ["in_review", "verified"], "t2": ["in_review"], "t3": ["in_review", "new"],
        "t4": ["in_review", "verified", "used"], "t5": ["rejected"], "t0": ["in_review"],
    }.items():  # fmt: skip
        before = "new"
        for step in steps:
            change = {"from": before, "to": step}
            await audit(t[name], "tip.status_changed", "2026-10-26 12:00", **change)
            before = step
    await consent(t["t1"], "2026-10-23 15:00", ConsentState.GRANTED, ConsentScope.NAMED)
    await consent(t["t2"], "2026-10-25 03:00", ConsentState.GRANTED, ConsentScope.ANONYMOUS)
    await consent(t["t4"], "2026-10-26 16:10", ConsentState.REVOKED, ConsentScope.NAMED)
    await consent(t["t5"], "2026-10-26 16:10", ConsentState.REFUSED, None)
    await consent(t["t3"], "2026-10-26 08:00", ConsentState.REQUESTED, None)
    await consent(t["t0"], "2026-10-22 10:05", ConsentState.REQUESTED, None)
    await dead_job("media.fetch", "2026-10-24 10:00")
    await dead_job("conversation.send", "2026-10-26 12:00")
    await dead_job("search.index", "2026-10-21 12:00")
    await dead_job("search.index", "2026-10-24 12:00", JobState.DONE)
