"""Local time for reports: UTC buckets to local days and hours, and business time.

Business time counts only the seconds the desk is open (`TIPDESK_OPENING_HOURS`, local wall
clock, so a DST change moves the UTC instants of an opening, never its local hours). A tip that
arrives Friday 16:50 and is answered Monday 09:10 waited 20 minutes of business time.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate
from zoneinfo import ZoneInfo

from tipdesk.opening_hours import OpeningHours


def bucket_seconds(tz: ZoneInfo, start: datetime, end: datetime) -> int:
    """An hour when every UTC offset of the zone around the period is whole hours (so a UTC
    hour is one local hour); else a quarter of an hour, which every real zone lines up with."""
    moments = [start + (end - start) * n / 24 for n in range(25)]
    offsets = {(m.astimezone(tz).utcoffset() or timedelta()) for m in moments}
    return 3600 if all(o.total_seconds() % 3600 == 0 for o in offsets) else 900


def local_moment(bucket: int, size: int, tz: ZoneInfo) -> datetime:
    return datetime.fromtimestamp(bucket * size, UTC).astimezone(tz)


def percentile(values: Sequence[float], share: float) -> float | None:
    """Nearest rank: the smallest value with at least `share` of all values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(share * len(ordered))) - 1]


class BusinessClock:
    """Open seconds between two instants, from the opening hours laid out over a span."""

    def __init__(self, hours: OpeningHours, tz: ZoneInfo, first: float, last: float) -> None:
        self.always_open = hours.always_open
        spans = [] if hours.always_open else _merged(_open_spans(hours, tz, first, last))
        self.starts = [s for s, _ in spans]
        self.ends = [e for _, e in spans]
        self.before = [0.0, *accumulate(e - s for s, e in spans)]

    def open_seconds_until(self, moment: float) -> float:
        index = bisect_right(self.starts, moment) - 1
        if index < 0:
            return 0.0
        inside = min(moment, self.ends[index]) - self.starts[index]
        return self.before[index] + inside

    def between(self, start: float, end: float) -> float:
        if self.always_open:
            return end - start
        return self.open_seconds_until(end) - self.open_seconds_until(start)

    def between_all(self, spans: Iterable[tuple[float, float]]) -> list[float]:
        """`between` for many spans at once, with the lookups bound locally (a year of tips
        is some 100,000 spans)."""
        if self.always_open:
            return [end - start for start, end in spans]
        starts, ends, before = self.starts, self.ends, self.before

        def until(moment: float) -> float:
            index = bisect_right(starts, moment) - 1
            if index < 0:
                return 0.0
            stop = ends[index]
            return before[index] + (moment if moment < stop else stop) - starts[index]

        return [until(end) - until(start) for start, end in spans]


def _merged(spans: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
    """Overlapping or touching spans (`mon 09:00-12:00; mon 11:00-13:00`) as one."""
    merged: list[tuple[float, float]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _open_spans(
    hours: OpeningHours, tz: ZoneInfo, first: float, last: float
) -> Iterable[tuple[float, float]]:
    day = datetime.fromtimestamp(first, UTC).astimezone(tz).date() - timedelta(days=1)
    final = datetime.fromtimestamp(last, UTC).astimezone(tz).date() + timedelta(days=1)
    while day <= final:
        for span in hours.spans:
            if span.weekday == day.weekday():
                yield _instant(day, span.start, tz), _instant(day, span.end, tz)
        day += timedelta(days=1)


def _instant(day: date, minute: int, tz: ZoneInfo) -> float:
    if minute >= 24 * 60:
        day, minute = day + timedelta(days=1), minute - 24 * 60
    local = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=tz)
    return local.timestamp()
