"""A random desk history for comparing reports with and without roll-ups: tips, messages, media,
claims, status changes, consent, failures, dead jobs and readers' states, with many moments on
the edges a report cuts at (local midnight, DST changes, opening and closing time) and the odd
cases (a reply before the tip, a status change older than its tip, loose messages)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from itertools import count
from zoneinfo import ZoneInfo

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
STATUSES = list(TipStatus)
DESKS = [None, "", "news", "sport", "regio"]
CODES: list[object] = [131026, 131047, "131050", None]
# Microseconds from an edge. Not just before one: SQLite reads a timestamp to the millisecond,
# rounded, so 23:59:59.9999 counts in the next hour (WhatsApp's timestamps are whole seconds).
EDGE_OFFSETS = [-1_000_000, -500_000, 0, 0, 1, 500_000]


class Moments:
    """Random instants between `first` and `last` (local days), half of them near an edge."""

    def __init__(self, rng: random.Random, tz: ZoneInfo, first: date, last: date) -> None:
        self.rng, self.tz = rng, tz
        self.start = datetime.combine(first, time(0), tzinfo=tz).astimezone(UTC)
        self.end = datetime.combine(last, time(0), tzinfo=tz).astimezone(UTC)
        self.edges = [
            datetime.combine(first + timedelta(days=n), time(hour, minute), tzinfo=tz)
            .astimezone(UTC)
            for n in range((last - first).days)
            for hour, minute in ((0, 0), (9, 0), (17, 0), (2, 30), (23, 59))
        ]  # fmt: skip
        self.edges += _transitions(tz, self.start, self.end)

    def any(self) -> datetime:
        if self.rng.random() < 0.5:
            edge = self.rng.choice(self.edges)
            return edge + timedelta(microseconds=self.rng.choice(EDGE_OFFSETS))
        seconds = self.rng.uniform(0, (self.end - self.start).total_seconds())
        return self.start + timedelta(seconds=seconds)

    def after(self, moment: datetime) -> datetime:
        return moment + timedelta(seconds=self.rng.choice([0, 1, 59.5, 600, 3600 * 20, 86400 * 3]))


def _transitions(tz: ZoneInfo, start: datetime, end: datetime) -> list[datetime]:
    """The instants the zone's UTC offset changes between `start` and `end`, to the hour."""
    found, moment = [], start
    while moment < end:
        following = moment + timedelta(hours=1)
        if moment.astimezone(tz).utcoffset() != following.astimezone(tz).utcoffset():
            found += [following - timedelta(minutes=30), following, following + timedelta(hours=1)]
        moment = following
    return found


async def random_history(seed: int, tz: ZoneInfo, first: date, last: date, tips: int) -> None:
    rng = random.Random(seed)
    moments = Moments(rng, tz, first, last)
    readers = [await _reader(rng, moments) for _ in range(max(tips // 3, 1))]
    for _ in range(tips):
        await _tip(rng, moments, rng.choice(readers))
    for _ in range(tips // 10):
        sender = rng.choice(readers)
        await _message(sender, None, moments.any(), rng.choice(["in", "out"]), rng)
    for _ in range(5):
        died = moments.any()
        await Job.create(
            kind=rng.choice(["media.fetch", "search.index"]), state=JobState.DEAD, run_at=died,
            max_attempts=5, finished_at=died if rng.random() < 0.8 else None,
        )  # fmt: skip


async def _reader(rng: random.Random, moments: Moments) -> Sender:
    number = f"316{next(_numbers):08d}"
    states = {
        name: moments.any()
        for name in ("opted_out_at", "blocked_at", "unreachable_at", "erased_at")
        if rng.random() < 0.1
    }
    return await Sender.create(
        channel="whatsapp", address=number, phone=number, first_contact_at=moments.any(), **states
    )


async def _tip(rng: random.Random, moments: Moments, sender: Sender) -> None:
    at = moments.any()
    claimed = moments.after(at) if rng.random() < 0.3 else None
    tip = await Tip.create(
        sender=sender, first_message_at=at, last_message_at=at, desk=rng.choice(DESKS),
        status=rng.choice(STATUSES), claimed_at=claimed,
    )  # fmt: skip
    first = await _message(sender, tip, at, "in", rng)
    for _ in range(rng.randint(0, 2)):
        await _message(sender, tip, moments.after(at), "in", rng)
    for _ in range(rng.randint(0, 3)):
        replied = moments.after(at) if rng.random() < 0.9 else at - timedelta(minutes=5)
        await _message(sender, tip, replied, "out", rng)
    for _ in range(rng.choice([0, 0, 1, 3])):
        await MediaAsset.create(
            token=f"t{next(_numbers)}", tip=tip, message=first, kind=rng.choice(list(MediaKind))
        )
    await _events(rng, moments, tip, at)
    if rng.random() < 0.3:
        await ConsentRecord.create(
            tip=tip, sender=sender, state=rng.choice(list(ConsentState)),
            scope=rng.choice([None, *ConsentScope]), question_text="?",
            requested_at=moments.after(at) if rng.random() < 0.8 else moments.any(),
        )  # fmt: skip


async def _events(rng: random.Random, moments: Moments, tip: Tip, at: datetime) -> None:
    for _ in range(rng.choice([0, 0, 1, 2])):
        await _audit(tip, "tip.claimed", moments.after(at), {})
    for _ in range(rng.choice([0, 1, 2, 3])):
        # Now and then a status change older than its tip, even by a day: the period decides.
        early = at - timedelta(hours=rng.choice([1, 30]))
        when = moments.after(at) if rng.random() < 0.95 else early
        change = {"from": "new", "to": rng.choice(STATUSES).value}
        await _audit(tip, "tip.status_changed", when, change)
    if rng.random() < 0.2:
        await _audit(tip, "tip.note_added", moments.after(at), {})


async def _audit(tip: Tip, action: str, at: datetime, detail: dict[str, object]) -> None:
    event = await AuditEvent.create(action=action, tip=tip, detail=detail)
    await AuditEvent.filter(id=event.id).update(created_at=at)


async def _message(
    sender: Sender, tip: Tip | None, at: datetime, direction: str, rng: random.Random
) -> Message:
    failed = direction == "out" and rng.random() < 0.2
    code = rng.choice(CODES)
    return await Message.create(
        channel="whatsapp", external_id=f"wamid.r.{next(_numbers)}", tip=tip, sender=sender,
        direction=Direction(direction), type="text", text="x", sent_at=at,
        purpose=rng.choice(["reply", "reply", "confirmation", "status_update"])
        if direction == "out" else None,
        delivery=DeliveryState.FAILED if failed else DeliveryState.SENT,
        delivery_error={"code": code} if failed and code is not None else None,
    )  # fmt: skip
