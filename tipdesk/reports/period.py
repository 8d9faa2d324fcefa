"""The period a report covers: whole local days in the desk's time zone, both ends inclusive."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tipdesk.errors import InvalidInput

MAX_DAYS = 5 * 366
EARLIEST = date(2000, 1, 1)
PRESETS = {"today": 1, "7d": 7, "30d": 30}


@dataclass(frozen=True)
class Period:
    since: date
    until: date
    timezone: ZoneInfo

    @property
    def days(self) -> int:
        return (self.until - self.since).days + 1

    @property
    def start(self) -> datetime:
        """The first instant of `since`, local midnight, in UTC."""
        return _midnight(self.since, self.timezone)

    @property
    def end(self) -> datetime:
        """The first instant after `until` (exclusive), in UTC."""
        return _midnight(self.until + timedelta(days=1), self.timezone)

    def previous(self) -> Period:
        """The period of the same number of days just before this one."""
        length = timedelta(days=self.days)
        return Period(self.since - length, self.since - timedelta(days=1), self.timezone)

    def local_days(self) -> list[date]:
        return [self.since + timedelta(days=n) for n in range(self.days)]


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def today(tz: ZoneInfo, now: datetime | None = None) -> date:
    return (now or datetime.now(UTC)).astimezone(tz).date()


def preset(name: str, tz: ZoneInfo, now: datetime | None = None) -> Period:
    """`today`, `7d` or `30d`: that many days ending today."""
    if name not in PRESETS:
        raise InvalidInput(f"period must be one of {', '.join(PRESETS)}", reason="unknown_period")
    last = today(tz, now)
    return Period(last - timedelta(days=PRESETS[name] - 1), last, tz)


def parse_period(since: str | None, until: str | None, tz: ZoneInfo) -> Period:
    """A period from `since`/`until` query values; missing ends default to the last 7 days.
    Malformed dates, a period ending before it starts and absurd ranges raise InvalidInput."""
    last = _day(until, "until") if until else today(tz)
    latest = today(tz) + timedelta(days=366)
    if not EARLIEST <= last <= latest:
        raise InvalidInput(
            f"the period must lie between {EARLIEST} and next year",
            reason="period_out_of_range",
            values={"earliest": EARLIEST.isoformat()},
        )
    first = _day(since, "since") if since else last - timedelta(days=6)
    if last < first:
        raise InvalidInput(
            f"the period ends ({last}) before it starts ({first})",
            reason="period_backwards",
            values={"since": first.isoformat(), "until": last.isoformat()},
        )
    if (last - first).days + 1 > MAX_DAYS:
        raise InvalidInput(
            "the period is longer than five years; choose a shorter one", reason="period_too_long"
        )
    if first < EARLIEST:
        raise InvalidInput(
            f"the period must lie between {EARLIEST} and next year",
            reason="period_out_of_range",
            values={"earliest": EARLIEST.isoformat()},
        )
    return Period(first, last, tz)


def _day(raw: str, name: str) -> date:
    if len(raw) != 10:
        raise InvalidInput(f"{name} must be a date like 2026-11-23", reason="not_a_date")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(f"{name} must be a date like 2026-11-23", reason="not_a_date") from None
