"""A part of a report: what a stretch of whole local days adds to it, as raw figures that add up.

A period's figures are the sum of its parts: the stored roll-ups of its closed days
(`rollups.py`) and what `measure` reads live for the rest. A part keeps counts per local date
and hour (not per day: a UTC bucket's local hour is all the series need), counts per desk,
status, stage, consent answer and error code, every tip's response times (a median is taken over
all of a period's tips at once) and the readers who sent a tip with their first contact (whether
one is new depends on where the period starts).
"""

from __future__ import annotations

import asyncio
from array import array
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

from tipdesk.opening_hours import OpeningHours
from tipdesk.reports import figures
from tipdesk.reports.clock import BusinessClock, local_moment
from tipdesk.reports.sql import Dialect

# Local date (its ordinal) -> count per local hour of that date.
Hours = dict[int, list[int]]
Key = TypeVar("Key", str, tuple[str, str])


@dataclass(frozen=True)
class Writers:
    """Readers who sent a tip, by their first contact (microseconds since the epoch) in
    ascending order, so the new ones of a period are a tail found by bisection."""

    ids: array[int]
    first_contacts: array[int]

    def new_since(self, moment: int) -> array[int]:
        return self.ids[bisect_left(self.first_contacts, moment) :]


def writers_of(first_contacts: dict[int, int]) -> Writers:
    ordered = sorted(first_contacts.items(), key=lambda item: item[1])
    return Writers(array("q", [i for i, _ in ordered]), array("q", [c for _, c in ordered]))


@dataclass(frozen=True)
class Frame:
    """What a part's figures depend on besides the rows: the desk's time zone, the UTC bucket the
    local hours are read from (`clock.bucket_seconds`) and the opening hours (business time)."""

    timezone: ZoneInfo
    size: int
    hours: OpeningHours


def _floats() -> array[float]:
    return array("d")


@dataclass
class Durations:
    """Per tip, seconds from its first message to its first reply (or claim), on the wall clock
    and in business time."""

    overall: array[float] = field(default_factory=_floats)
    business: array[float] = field(default_factory=_floats)

    def add(self, other: Durations) -> None:
        self.overall.extend(other.overall)
        self.business.extend(other.business)


@dataclass
class Part:
    tips: Hours = field(default_factory=dict)
    messages_in: Hours = field(default_factory=dict)
    messages_out: int = 0
    # Per media kind: tips holding one, and items.
    media: dict[str, list[int]] = field(default_factory=dict)
    with_media: int = 0
    desks: dict[str, int] = field(default_factory=dict)
    # Tips per desk number ("" the main one).
    lines: dict[str, int] = field(default_factory=dict)
    replies: Durations = field(default_factory=Durations)
    claims: Durations = field(default_factory=Durations)
    funnel: dict[str, int] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    consents: dict[tuple[str, str], int] = field(default_factory=dict)
    failed: dict[str, int] = field(default_factory=dict)
    writers: list[Writers] = field(default_factory=list)

    def add(self, other: Part) -> None:
        """Plain loops rather than Counter: a two-year report adds some 730 stored days."""
        _add_hours(self.tips, other.tips)
        _add_hours(self.messages_in, other.messages_in)
        self.messages_out += other.messages_out
        for kind, (tips, items) in other.media.items():
            counts = self.media.setdefault(kind, [0, 0])
            counts[0], counts[1] = counts[0] + tips, counts[1] + items
        self.with_media += other.with_media
        for mine, theirs in (
            (self.desks, other.desks), (self.lines, other.lines), (self.funnel, other.funnel),
            (self.statuses, other.statuses), (self.failed, other.failed),
        ):  # fmt: skip
            _add(mine, theirs)
        _add(self.consents, other.consents)
        self.replies.add(other.replies)
        self.claims.add(other.claims)
        self.writers.extend(other.writers)


def _add(mine: dict[Key, int], theirs: dict[Key, int]) -> None:
    for key, count in theirs.items():
        mine[key] = mine.get(key, 0) + count


def _add_hours(mine: Hours, theirs: Hours) -> None:
    for day, counts in theirs.items():
        if day in mine:
            mine[day] = [a + b for a, b in zip(mine[day], counts, strict=True)]
        else:
            mine[day] = list(counts)


async def measure(
    d: Dialect, frame: Frame, start: datetime, end: datetime, since: datetime
) -> Part:
    """The part of `[start, end)` read from the rows; `since` is the start of the period it is
    part of (the funnel reads status changes from there on)."""
    tips, messages, media, desks, replies, claims = await asyncio.gather(
        figures.tip_buckets(d, start, end, frame.size),
        figures.message_buckets(d, start, end, frame.size),
        figures.media(d, start, end), figures.desks(d, start, end),
        figures.first_replies(d, start, end), figures.first_claims(d, start, end),
    )  # fmt: skip
    funnel, statuses, consents, failed, writers, lines = await asyncio.gather(
        figures.funnel(d, start, end, since), figures.statuses(d, start, end),
        figures.consents(d, start, end), figures.failed_messages(d, start, end),
        figures.writers(d, start, end), figures.lines(d, start, end),
    )  # fmt: skip
    return Part(
        tips=local_hours(tips, frame),
        messages_in=local_hours(messages["in"], frame),
        messages_out=sum(messages["out"].values()),
        media={kind: list(counts) for kind, counts in media["kinds"].items()},
        with_media=media["tips_with_media"],
        desks=desks,
        lines=lines,
        replies=durations(replies, frame),
        claims=durations(claims, frame),
        funnel=funnel,
        statuses=statuses,
        consents=consents,
        failed=failed,
        writers=[writers_of(writers)],
    )


def local_hours(buckets: dict[int, int], frame: Frame) -> Hours:
    """Counts per UTC bucket as counts per local date and hour (zoneinfo: a DST day has 23 or 25
    hours, and the repeated hour of October counts twice in its local hour)."""
    found: Hours = {}
    for bucket, count in buckets.items():
        local = local_moment(bucket, frame.size, frame.timezone)
        found.setdefault(local.toordinal(), [0] * 24)[local.hour] += count
    return found


def durations(spans: figures.Spans, frame: Frame) -> Durations:
    """Wall clock and business time of each span, as `BusinessClock` computes them. Neither
    rounds: the instants are doubles near each other, the openings whole seconds, so every
    difference and running total of open seconds is exact. A day's durations stored on their own
    therefore equal those measured over a whole period, whatever stretch its clock spans."""
    found = Durations(array("d", [end - start for start, end in spans]))
    if spans:
        first, last = min(s for s, _ in spans), max(e for _, e in spans)
        clock = BusinessClock(frame.hours, frame.timezone, first, last)
        found.business = array("d", clock.between_all(spans))
    return found
