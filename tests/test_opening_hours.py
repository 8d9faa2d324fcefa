from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from tipdesk.opening_hours import OpeningHours, OpeningHoursError

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=AMSTERDAM)  # type: ignore[misc]


def test_weekday_office_hours() -> None:
    hours = OpeningHours.parse("mon-fri 09:00-17:00")
    assert hours.is_open(local(2026, 11, 23, 9, 0), AMSTERDAM)  # a Monday
    assert hours.is_open(local(2026, 11, 23, 16, 59), AMSTERDAM)
    assert not hours.is_open(local(2026, 11, 23, 17, 0), AMSTERDAM)
    assert not hours.is_open(local(2026, 11, 28, 12, 0), AMSTERDAM)  # Saturday


def test_next_opening_after_friday_evening_is_monday_morning() -> None:
    hours = OpeningHours.parse("mon-fri 09:00-17:00")
    friday_evening = local(2026, 11, 27, 18, 30)
    assert hours.next_opening(friday_evening, AMSTERDAM) == local(2026, 11, 30, 9, 0)
    assert hours.next_opening(local(2026, 11, 23, 10, 0), AMSTERDAM) is None


def test_lists_several_parts_and_midnight() -> None:
    hours = OpeningHours.parse("mon-fri 07:00-23:00; sat,sun 10:00-24:00")
    assert hours.is_open(local(2026, 11, 29, 23, 59), AMSTERDAM)  # Sunday
    assert not hours.is_open(local(2026, 11, 30, 6, 59), AMSTERDAM)
    assert hours.next_opening(local(2026, 11, 30, 0, 30), AMSTERDAM) == local(2026, 11, 30, 7)


def test_always_open() -> None:
    hours = OpeningHours.parse("24/7")
    assert hours.is_open(datetime(2026, 12, 25, 3, 0, tzinfo=UTC), AMSTERDAM)
    assert hours.next_opening(datetime(2026, 12, 25, 3, 0, tzinfo=UTC), AMSTERDAM) is None


def test_wall_clock_survives_dst_change() -> None:
    hours = OpeningHours.parse("mon-fri 09:00-17:00")
    # Sunday 2026-03-29 is the spring-forward day in Europe.
    opening = hours.next_opening(datetime(2026, 3, 28, 12, 0, tzinfo=UTC), AMSTERDAM)
    assert opening is not None
    assert (opening.hour, opening.minute) == (9, 0)
    assert opening.astimezone(UTC).hour == 7


def test_utc_instants_are_read_in_the_desk_zone() -> None:
    hours = OpeningHours.parse("mon-fri 09:00-17:00")
    assert hours.is_open(datetime(2026, 11, 23, 8, 30, tzinfo=UTC), AMSTERDAM)  # 09:30 local


@pytest.mark.parametrize(
    "text",
    [
        "",
        ";",
        "mon-fri",
        "mon-fri 9-17",
        "mon-fri 09:00-25:00",
        "mon-fri 09:60-17:00",
        "fri-mon 09:00-17:00",
        "mon-fri 17:00-09:00",
        "mon-fri 24:00-24:00",
        "maandag 09:00-17:00",
        "mon-fri 09:00-17:00 extra",
        "mon 9:0-17:00",
    ],
)
def test_malformed_opening_hours(text: str) -> None:
    with pytest.raises(OpeningHoursError):
        OpeningHours.parse(text)
