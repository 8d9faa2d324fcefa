"""Business time, buckets and percentiles on their own: DST in both directions, the closing
edge, always open, half-hour zones."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from tipdesk.opening_hours import OpeningHours
from tipdesk.reports.clock import BusinessClock, bucket_seconds, local_moment, percentile

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def at(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


def test_business_time_counts_open_minutes_only() -> None:
    hours = OpeningHours.parse("mon-fri 09:00-17:00")
    clock = BusinessClock(hours, AMSTERDAM, at("2026-10-23 00:00"), at("2026-10-27 00:00"))
    # Friday 16:50 CEST to Monday 09:10 CET: ten minutes each side of the weekend.
    assert clock.between(at("2026-10-23 14:50"), at("2026-10-26 08:10")) == 1200
    # Monday 16:59 CET to 17:01 CET: one open minute; 17:00 itself is closed.
    assert clock.between(at("2026-10-26 15:59"), at("2026-10-26 16:01")) == 60
    assert clock.between(at("2026-10-26 16:00"), at("2026-10-26 16:30")) == 0
    spans = [
        (at("2026-10-23 14:50"), at("2026-10-26 08:10")),
        (at("2026-10-26 15:59"), at("2026-10-26 16:01")),
    ]
    assert clock.between_all(spans) == [1200, 60]


def test_a_working_day_is_eight_hours_on_both_dst_changes() -> None:
    hours = OpeningHours.parse("mon-sun 00:00-24:00")
    clock = BusinessClock(hours, AMSTERDAM, at("2026-03-28 00:00"), at("2026-10-27 00:00"))
    # Sunday 29 March has 23 hours, Sunday 25 October 25, midnight to midnight local.
    assert clock.between(at("2026-03-28 23:00"), at("2026-03-29 22:00")) == 23 * 3600
    assert clock.between(at("2026-10-24 22:00"), at("2026-10-25 23:00")) == 25 * 3600
    office = BusinessClock(OpeningHours.parse("mon-sun 09:00-17:00"), AMSTERDAM,
                           at("2026-03-28 00:00"), at("2026-03-31 00:00"))  # fmt: skip
    assert office.between(at("2026-03-29 00:00"), at("2026-03-30 00:00")) == 8 * 3600


def test_always_open_is_the_wall_clock() -> None:
    clock = BusinessClock(OpeningHours.parse("24/7"), AMSTERDAM, 0.0, 10.0)
    assert clock.between(at("2026-10-24 10:00"), at("2026-10-26 10:00")) == 48 * 3600
    assert clock.between_all([(10.0, 70.0)]) == [60.0]


def test_buckets_are_hours_unless_the_zone_has_odd_offsets() -> None:
    start, end = datetime(2026, 10, 20, tzinfo=UTC), datetime(2026, 10, 30, tzinfo=UTC)
    assert bucket_seconds(AMSTERDAM, start, end) == 3600
    assert bucket_seconds(ZoneInfo("Asia/Kolkata"), start, end) == 900
    # 00:30 UTC on 25 October is 02:30 CEST; 01:30 UTC is 02:30 CET.
    first = local_moment(int(at("2026-10-25 00:30")) // 3600, 3600, AMSTERDAM)
    second = local_moment(int(at("2026-10-25 01:30")) // 3600, 3600, AMSTERDAM)
    assert (first.hour, second.hour) == (2, 2) and first.utcoffset() != second.utcoffset()


def test_percentiles_by_nearest_rank() -> None:
    assert percentile([], 0.5) is None
    assert percentile([5.0], 0.9) == 5.0
    assert percentile([4.0, 1.0, 3.0, 2.0], 0.5) == 2.0
    assert percentile([float(n) for n in range(1, 11)], 0.9) == 9.0


def test_overlapping_opening_periods_count_once() -> None:
    hours = OpeningHours.parse("mon 09:00-12:00; mon 11:00-13:00")
    clock = BusinessClock(hours, AMSTERDAM, at("2026-10-26 00:00"), at("2026-10-27 00:00"))
    assert clock.between(at("2026-10-26 07:00"), at("2026-10-26 13:00")) == 4 * 3600
