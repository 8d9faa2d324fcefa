"""When editors answer: the `TIPDESK_OPENING_HOURS` grammar and "when is the desk next open?".

Grammar: `;`-separated `DAYS HH:MM-HH:MM` (days `mon`..`sun`, ranges `mon-fri`, lists `sat,sun`;
`24:00` ends a day), or `24/7`. Times are local to the desk's time zone, so a DST change moves the
UTC instant of an opening but never the wall-clock time readers are told.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60


class OpeningHoursError(ValueError):
    """The opening-hours text does not follow the grammar."""


@dataclass(frozen=True)
class Span:
    """One open period on one weekday, in minutes since local midnight (end exclusive)."""

    weekday: int
    start: int
    end: int


@dataclass(frozen=True)
class OpeningHours:
    spans: tuple[Span, ...]
    always_open: bool = False

    @classmethod
    def parse(cls, text: str) -> OpeningHours:
        cleaned = text.strip().lower()
        if cleaned == "24/7":
            return cls(spans=(), always_open=True)
        if not cleaned:
            raise OpeningHoursError("is empty; use e.g. 'mon-fri 09:00-17:00' or '24/7'")
        spans: list[Span] = []
        for part in cleaned.split(";"):
            if part.strip():
                spans.extend(_parse_part(part.strip()))
        if not spans:
            raise OpeningHoursError("names no opening period")
        return cls(spans=tuple(sorted(spans, key=lambda s: (s.weekday, s.start))))

    def is_open(self, moment: datetime, tz: ZoneInfo) -> bool:
        if self.always_open:
            return True
        local = moment.astimezone(tz)
        minute = local.hour * 60 + local.minute
        return any(s.weekday == local.weekday() and s.start <= minute < s.end for s in self.spans)

    def next_opening(self, moment: datetime, tz: ZoneInfo) -> datetime | None:
        """The first moment at or after `moment` when the desk is open (None: never closed)."""
        if self.always_open or self.is_open(moment, tz):
            return None
        local = moment.astimezone(tz)
        for day_offset in range(8):
            day = (local + timedelta(days=day_offset)).date()
            for span in self.spans:
                if span.weekday != day.weekday():
                    continue
                opening = datetime.combine(day, _minute_to_time(span.start), tzinfo=tz)
                if opening > local:
                    return opening
        return None


def _parse_part(part: str) -> list[Span]:
    pieces = part.split()
    if len(pieces) != 2:
        raise OpeningHoursError(f"'{part}' is not 'DAYS HH:MM-HH:MM'")
    days = _parse_days(pieces[0])
    start, end = _parse_range(pieces[1])
    return [Span(weekday=day, start=start, end=end) for day in days]


def _parse_days(text: str) -> list[int]:
    days: list[int] = []
    for item in text.split(","):
        if "-" in item:
            first, last = (_day_index(name) for name in item.split("-", 1))
            if last < first:
                raise OpeningHoursError(f"day range '{item}' runs backwards")
            days.extend(range(first, last + 1))
        else:
            days.append(_day_index(item))
    return days


def _day_index(name: str) -> int:
    if name not in DAY_NAMES:
        raise OpeningHoursError(f"'{name}' is not a day (mon..sun)")
    return DAY_NAMES.index(name)


def _parse_range(text: str) -> tuple[int, int]:
    if text.count("-") != 1:
        raise OpeningHoursError(f"'{text}' is not a time range like 09:00-17:00")
    start_text, end_text = text.split("-")
    start, end = _parse_clock(start_text), _parse_clock(end_text)
    if start >= end:
        raise OpeningHoursError(f"'{text}' ends before it starts")
    if start == MINUTES_PER_DAY:
        raise OpeningHoursError(f"'{text}' starts at 24:00")
    return start, end


def _parse_clock(text: str) -> int:
    hours_text, sep, minutes_text = text.partition(":")
    if not sep or not hours_text.isdigit() or not minutes_text.isdigit() or len(minutes_text) != 2:
        raise OpeningHoursError(f"'{text}' is not a time like 09:00")
    hours, minutes = int(hours_text), int(minutes_text)
    if (hours, minutes) == (24, 0):
        return MINUTES_PER_DAY
    if hours > 23 or minutes > 59:
        raise OpeningHoursError(f"'{text}' is not a time of day")
    return hours * 60 + minutes


def _minute_to_time(minute: int) -> time:
    return time(hour=minute // 60, minute=minute % 60)
