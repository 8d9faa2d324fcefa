"""How readers said the contact went (conversation/satisfaction.py), per ISO week and per desk,
and their comments for chiefs.

A question belongs to the period, week and day it was asked in (local time). Measured live,
not rolled up: the desk asks each reader at most once a month, so even a year is a few
thousand small rows, one aggregate query per figure.
"""

# ruff: noqa: S608 - SQL is built from our own constants only; every value is a parameter.
from __future__ import annotations

from datetime import datetime
from typing import Any

from tipdesk.reports.period import Period
from tipdesk.reports.sql import Dialect, rows

# The most recent comments a report shows; the CSV export carries the same.
COMMENTS_SHOWN = 50
FIGURES = ("asked", "answered", "good", "bad", "comments")


async def satisfaction(d: Dialect, period: Period) -> dict[str, Any]:
    """Totals, `by_week` (ISO week of the local day asked, `2026-W49`) and `by_desk`."""
    found = await rows(
        d,
        "SELECT asked_at, COALESCE(desk, '') AS desk, score,"
        " CASE WHEN comment IS NULL THEN 0 ELSE 1 END AS commented"
        " FROM satisfaction_answers WHERE asked_at >= ? AND asked_at < ?",
        [period.start, period.end],
    )
    total, weeks, desks = _empty(), dict[str, dict[str, Any]](), dict[str, dict[str, Any]]()
    for row in found:
        asked = row["asked_at"]
        moment = asked if isinstance(asked, datetime) else datetime.fromisoformat(asked)
        year, week, _ = moment.astimezone(period.timezone).isocalendar()
        for counts in (total, weeks.setdefault(f"{year}-W{week:02d}", _empty()),
                       desks.setdefault(str(row["desk"]), _empty())):  # fmt: skip
            _count(counts, row["score"], bool(row["commented"]))
    return {
        **_shared(total),
        "by_week": {week: _shared(weeks[week]) for week in sorted(weeks)},
        "by_desk": {desk: _shared(desks[desk]) for desk in sorted(desks)},
    }


async def comments(d: Dialect, period: Period) -> list[dict[str, Any]]:
    """The period's comments, newest first: what the reader wrote, with the answer and desk
    (no reader: the figures are about the desk, not about who said it)."""
    found = await rows(
        d,
        "SELECT commented_at, COALESCE(desk, '') AS desk, score, tip_id, comment"
        " FROM satisfaction_answers WHERE asked_at >= ? AND asked_at < ? AND comment IS NOT NULL"
        f" ORDER BY commented_at DESC, id DESC LIMIT {COMMENTS_SHOWN}",
        [period.start, period.end],
    )
    return [
        {"at": _local_day(row["commented_at"], period), "desk": str(row["desk"]),
         "score": row["score"], "tip_id": row["tip_id"], "comment": str(row["comment"])}
        for row in found
    ]  # fmt: skip


def _local_day(value: datetime | str | None, period: Period) -> str | None:
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment.astimezone(period.timezone).date().isoformat()


def _empty() -> dict[str, Any]:
    return dict.fromkeys(FIGURES, 0)


def _count(counts: dict[str, Any], score: str | None, commented: bool) -> None:
    counts["asked"] += 1
    if score in ("good", "bad"):
        counts["answered"] += 1
        counts[score] += 1
    counts["comments"] += commented


def _shared(counts: dict[str, Any]) -> dict[str, Any]:
    """With the share of answers that were good (None: no answers)."""
    answered = counts["answered"]
    return {**counts, "share_good": round(counts["good"] / answered, 3) if answered else None}
