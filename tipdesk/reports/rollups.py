"""Daily roll-ups: each closed local day's part of a report (`parts.py`), stored once, so a
year's report adds up 365 stored days instead of reading a year of rows.

- A day is closed once it ended `ROLL_UP_AFTER` ago. A report reads the stored parts of its
  closed days, rolls up the closed days not stored yet, and measures the rest live.
- A stored day is current. The triggers of migration 0006 delete it in the transaction of any
  change to its rows whose moment lies more than a day back; rows of a closed day always do.
- Rolling up takes a lock the triggers contend for before it reads the day's rows, and stores
  the part in the same transaction: on PostgreSQL `SHARE ROW EXCLUSIVE` on `report_days` (it
  waits for every transaction whose trigger deleted a stored day to end, and holds back new
  ones until it commits), on SQLite the one writer, which its first statement takes. So no
  change can fall between reading a day and storing it.
- A day whose figures depend on where the period starts (a status change older than its tip)
  is stored as `live`, and every report measures it live.
- Rows are kept per basis: the format, the time zone with its rules and the opening hours (a
  digest), and the UTC bucket size. Changing any of them leaves the old rows unread; the daily
  job drops them.
"""

# ruff: noqa: S608 - SQL is built from our own constants only; every value is a parameter.
from __future__ import annotations

import hashlib
import json
import sys
import zoneinfo
from array import array
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from tortoise import connections
from tortoise.transactions import in_transaction

from tipdesk.opening_hours import OpeningHours
from tipdesk.plain_sql import marks
from tipdesk.reports import figures
from tipdesk.reports.clock import bucket_seconds
from tipdesk.reports.parts import Durations, Frame, Part, Writers, measure, writers_of
from tipdesk.reports.period import Period
from tipdesk.reports.sql import Dialect, dialect, rows

ROLL_UP_AFTER = timedelta(days=2)
# A report rolls up at most this many missing days itself and measures any others live: the
# first report over years of history (before the daily job ran) costs about what measuring it
# live did, and each report after it rolls up a month more.
ROLL_UP_PER_REPORT = 31
# Days per transaction: SQLite's one connection waits for it (some 15 ms a day at 140 tips a
# day), so a batch is kept short.
BATCH_DAYS = 7
FORMAT = 1
BLOBS = (
    "replies_overall", "replies_business", "claims_overall", "claims_business", "writers",
    "writers_first_contact",
)  # fmt: skip
COLUMNS = ("basis", "bucket", "day", "start_at", "end_at", "live", "counts", *BLOBS, "computed_at")


def basis(frame: Frame) -> str:
    key = frame.timezone.key
    text = f"{FORMAT}|{key}|{zone_rules(key)}|{frame.hours!r}"
    return hashlib.sha256(text.encode()).hexdigest()


@cache
def zone_rules(key: str) -> str:
    """A digest of the zone's compiled rules, found where zoneinfo finds them (the system's
    zone files, else the tzdata package), so new rules for past days make new roll-ups."""
    for root in zoneinfo.TZPATH:
        path = Path(root) / key
        if path.is_file():
            return hashlib.sha256(path.read_bytes()).hexdigest()
    try:
        packaged = resources.files("tzdata").joinpath("zoneinfo", *key.split("/"))
        return hashlib.sha256(packaged.read_bytes()).hexdigest()
    except (ImportError, OSError):
        return "unknown"


def closed(days: Sequence[date], frame: Frame, now: datetime) -> list[date]:
    cutoff = now - ROLL_UP_AFTER
    return [day for day in days if Period(day, day, frame.timezone).end <= cutoff]


async def stored_parts(
    d: Dialect, frame: Frame, days: Sequence[date], now: datetime
) -> dict[date, Part | None]:
    """The parts of the closed days among `days` (consecutive), rolling up those not stored
    yet (up to `ROLL_UP_PER_REPORT`); None for a day that must be measured live. Days left out
    are measured live."""
    wanted = closed(days, frame, now)
    if not wanted:
        return {}
    found = await _load(d, frame, wanted[0], wanted[-1])
    missing = [day for day in wanted if day not in found][:ROLL_UP_PER_REPORT]
    for start in range(0, len(missing), BATCH_DAYS):
        found.update(await roll_up(d, frame, missing[start : start + BATCH_DAYS]))
    return found


async def roll_up(d: Dialect, frame: Frame, days: Sequence[date]) -> dict[date, Part | None]:
    """Measure and store `days` in one transaction that holds the lock from before its reads."""
    key, made, values = basis(frame), {}, []
    async with in_transaction() as connection:
        if d.is_postgres:
            await connection.execute_script("LOCK TABLE report_days IN SHARE ROW EXCLUSIVE MODE")
        await connection.execute_query(
            d.sql(
                "DELETE FROM report_days WHERE basis = ? AND bucket = ? "
                f"AND day IN ({marks(len(days))})"
            ),
            [key, frame.size, *days],
        )
        for day in days:
            period = Period(day, day, frame.timezone)
            part = await measure(d, frame, period.start, period.end, period.start)
            live = await figures.earlier_status_changes(d, period.start, period.end) > 0
            made[day] = None if live else part
            values.append(_row(key, frame, period, None if live else part))
        await connection.execute_many(
            d.sql(f"INSERT INTO report_days ({', '.join(COLUMNS)}) VALUES ({marks(len(COLUMNS))})"),
            values,
        )
    return made


async def _load(d: Dialect, frame: Frame, first: date, last: date) -> dict[date, Part | None]:
    found = await rows(
        d,
        f"SELECT day, live, counts, {', '.join(BLOBS)} FROM report_days"
        " WHERE basis = ? AND bucket = ? AND day >= ? AND day <= ?",
        [basis(frame), frame.size, first, last],
    )
    return {_date(r["day"]): None if r["live"] else _part(r) for r in found}


def _date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _row(key: str, frame: Frame, period: Period, part: Part | None) -> list[Any]:
    start, end = int(period.start.timestamp()), int(period.end.timestamp())
    head = [key, frame.size, period.since, start, end, part is None]
    if part is None:
        return [*head, "{}", *([b""] * len(BLOBS)), datetime.now(UTC)]
    counts = {
        "tips": part.tips, "in": part.messages_in, "out": part.messages_out,
        "media": part.media, "with_media": part.with_media, "desks": part.desks,
        "lines": part.lines,
        "funnel": part.funnel, "statuses": part.statuses, "failed": part.failed,
        "consents": [[state, scope, n] for (state, scope), n in part.consents.items()],
    }  # fmt: skip
    writers = writers_of(
        {i: c for w in part.writers for i, c in zip(w.ids, w.first_contacts, strict=True)}
    )
    blobs = [
        *(_bytes(array("d", sorted(values))) for values in (
            part.replies.overall, part.replies.business, part.claims.overall,
            part.claims.business)),
        _bytes(writers.ids), _bytes(writers.first_contacts),
    ]  # fmt: skip
    return [*head, json.dumps(counts, separators=(",", ":")), *blobs, datetime.now(UTC)]


def _all_on_main(tips: dict[str, list[int]]) -> dict[str, int]:
    total = sum(sum(hours) for hours in tips.values())
    return {"": total} if total else {}


def _part(row: Any) -> Part:
    counts = json.loads(row["counts"])
    floats = [_array("d", row[name]) for name in BLOBS[:4]]
    return Part(
        tips={int(day): hours for day, hours in counts["tips"].items()},
        messages_in={int(day): hours for day, hours in counts["in"].items()},
        messages_out=counts["out"],
        media=counts["media"],
        with_media=counts["with_media"],
        desks=counts["desks"],
        # Days rolled up before the desk had several numbers: all on the main one.
        lines=counts.get("lines") or _all_on_main(counts["tips"]),
        replies=Durations(floats[0], floats[1]),
        claims=Durations(floats[2], floats[3]),
        funnel=counts["funnel"],
        statuses=counts["statuses"],
        consents={(state, scope): n for state, scope, n in counts["consents"]},
        failed=counts["failed"],
        writers=[Writers(_array("q", row["writers"]), _array("q", row["writers_first_contact"]))],
    )  # fmt: skip


def _bytes(values: array[Any]) -> bytes:
    """Little-endian, whatever machine wrote it."""
    if sys.byteorder == "big":
        values = array(values.typecode, values)
        values.byteswap()
    return values.tobytes()


def _array(typecode: str, blob: bytes) -> array[Any]:
    values = array(typecode)
    values.frombytes(bytes(blob))
    if sys.byteorder == "big":
        values.byteswap()
    return values


async def roll_up_history(
    timezone: ZoneInfo,
    hours: OpeningHours,
    now: datetime,
    give_way: Callable[[], Awaitable[None]] | None = None,
) -> int:
    """Roll up every closed day from the desk's first message on that is not stored yet, with
    the bucket size of a report over all of it; rows of other bases go. Returns the number of
    days rolled up."""
    d, connection = dialect(), connections.get("default")
    first = await _first_day(d, timezone)
    if first is None:
        return 0
    history = Period(first, now.astimezone(timezone).date(), timezone)
    frame = Frame(timezone, bucket_seconds(timezone, history.start, history.end), hours)
    await connection.execute_query(
        d.sql("DELETE FROM report_days WHERE basis <> ?"), [basis(frame)]
    )
    stored = await rows(
        d, "SELECT day FROM report_days WHERE basis = ? AND bucket = ?", [basis(frame), frame.size]
    )
    have = {_date(r["day"]) for r in stored}
    missing = [day for day in closed(history.local_days(), frame, now) if day not in have]
    for start in range(0, len(missing), BATCH_DAYS):
        await roll_up(d, frame, missing[start : start + BATCH_DAYS])
        if give_way is not None:
            await give_way()
    return len(missing)


async def _first_day(d: Dialect, timezone: ZoneInfo) -> date | None:
    found = await rows(
        d,
        "SELECT (SELECT MIN(first_message_at) FROM tips) AS tip,"
        " (SELECT MIN(sent_at) FROM messages) AS message",
        [],
    )
    moments = [m for m in (found[0]["tip"], found[0]["message"]) if m is not None]
    if not moments:
        return None
    first = min(m if isinstance(m, datetime) else datetime.fromisoformat(m) for m in moments)
    return first.astimezone(timezone).date()
