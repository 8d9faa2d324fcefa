"""A report: the figures of a period and of the period of the same length before it.

`build_report` adds up the period's parts (`parts.py`: the stored roll-ups of closed days from
`rollups.py`, the rest measured live) and turns them into the report's figures: local days,
hours and weekdays (DST days have 23 or 25 hours), medians and shares.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tipdesk.opening_hours import OpeningHours
from tipdesk.reports import figures
from tipdesk.reports import rollups as rollups_
from tipdesk.reports.clock import bucket_seconds, percentile
from tipdesk.reports.parts import Durations, Frame, Hours, Part, measure
from tipdesk.reports.period import Period
from tipdesk.reports.satisfaction import comments, satisfaction
from tipdesk.reports.sql import Dialect, dialect, microseconds
from tipdesk.tips.models import MediaKind, TipStatus

Figures = dict[str, Any]
STAGES = ("in_review", "verified", "used", "rejected")


async def build_report(
    period: Period, hours: OpeningHours, *, rollups: bool = True, now: datetime | None = None
) -> dict[str, Any]:
    """`rollups=False` measures every day live (the tests compare both ways)."""
    d = dialect()
    previous = period.previous()
    moment = now or datetime.now(UTC)
    current, before, said = await asyncio.gather(
        period_figures(d, period, hours, rollups, moment),
        period_figures(d, previous, hours, rollups, moment),
        comments(d, period),
    )
    report: dict[str, Any] = {
        "period": describe(period),
        "previous_period": describe(previous),
        "figures": current,
        "previous": before,
        # Readers' own words about the desk: the reports are for chiefs and admins only.
        "satisfaction_comments": said,
    }
    if not current["tips"]["total"] and not current["messages"]["in"]["total"]:
        report["notice"] = "No tips and no reader messages in this period."
    return report


def describe(period: Period) -> dict[str, Any]:
    return {
        "since": period.since.isoformat(),
        "until": period.until.isoformat(),
        "days": period.days,
        "timezone": period.timezone.key,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
    }


async def period_figures(
    d: Dialect, period: Period, hours: OpeningHours, rollups: bool, now: datetime
) -> Figures:
    """The stored parts of the period's closed days plus the rest measured live, one part per
    run of consecutive days (PostgreSQL measures them over its pool at once; SQLite's one
    connection takes the queries in turn)."""
    start, end = period.start, period.end
    frame = Frame(period.timezone, bucket_seconds(period.timezone, start, end), hours)
    stored = await rollups_.stored_parts(d, frame, period.local_days(), now) if rollups else {}
    runs = _live_runs(period, stored)
    live, states, dead, said = await asyncio.gather(
        asyncio.gather(*(measure(d, frame, run.start, run.end, start) for run in runs)),
        figures.reader_states(d, start, end), figures.dead_jobs(d, start, end),
        satisfaction(d, period),
    )  # fmt: skip
    total = Part()
    for part in [*(p for p in stored.values() if p is not None), *live]:
        total.add(part)
    return {**_figures(period, total, states, dead), "satisfaction": said}


def _live_runs(period: Period, stored: dict[date, Part | None]) -> list[Period]:
    """The period's days without a stored part, as runs of consecutive days."""
    runs: list[Period] = []
    for day in period.local_days():
        if stored.get(day) is not None:
            continue
        if runs and runs[-1].until == day - timedelta(days=1):
            runs[-1] = Period(runs[-1].since, day, period.timezone)
        else:
            runs.append(Period(day, day, period.timezone))
    return runs


def _figures(period: Period, part: Part, states: dict[str, int], dead: dict[str, int]) -> Figures:
    total = sum(sum(hours) for hours in part.tips.values())
    since, everyone, new = microseconds(period.start), set[int](), set[int]()
    for writers in part.writers:
        everyone.update(writers.ids)
        new.update(writers.new_since(since))
    writing = len(everyone)
    return {
        "tips": {**_series(period, part.tips), "by_media": _media(part, total),
                 "by_desk": _ranked(part.desks), "by_number": _ranked(part.lines)},
        "messages": {"in": _series(period, part.messages_in), "out": part.messages_out},
        "response": {"first_reply": _durations(part.replies, total),
                     "claim": _durations(part.claims, total)},
        "funnel": _funnel(total, part.funnel),
        "statuses": {status.value: part.statuses.get(status.value, 0) for status in TipStatus},
        "consent": _consent(part.consents),
        "readers": {"writing": writing, "new": len(new), "returning": writing - len(new),
                    **states},
        "failed_messages": dict(sorted(part.failed.items())),
        "dead_jobs": dict(sorted(dead.items())),
    }  # fmt: skip


def _ranked(counts: dict[str, int]) -> dict[str, int]:
    """Most first; equal counts by name."""
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def _series(period: Period, found: Hours) -> Figures:
    """Counts per local day (every day of the period), per local hour of the day, and per
    weekday × hour (Monday first)."""
    per_day = dict.fromkeys((day.isoformat() for day in period.local_days()), 0)
    weekdays: list[list[list[int]]] = [[] for _ in range(7)]
    for ordinal, counts in found.items():
        day = date.fromordinal(ordinal)
        per_day[day.isoformat()] = per_day.get(day.isoformat(), 0) + sum(counts)
        weekdays[day.weekday()].append(counts)
    heatmap = [_column_sums(days) for days in weekdays]
    return {
        "total": sum(per_day.values()),
        "per_day": per_day,
        "per_hour": _column_sums(heatmap),
        "heatmap": heatmap,
    }


def _column_sums(rows: list[list[int]]) -> list[int]:
    return [sum(column) for column in zip(*rows, strict=True)] if rows else [0] * 24


def _media(part: Part, total: int) -> Figures:
    kinds: dict[str, Any] = {}
    for kind in MediaKind:
        tips, items = part.media.get(kind.value, (0, 0))
        kinds[kind.value] = {"tips": tips, "items": items}
    kinds["text_only"] = {"tips": total - part.with_media, "items": 0}
    return kinds


def _durations(found: Durations, total: int) -> Figures:
    """Median and 90th percentile in seconds, on the wall clock and in business time."""
    return {
        "tips": total,
        "counted": len(found.overall),
        "without": total - len(found.overall),
        "overall": _spread(sorted(found.overall)),
        "business": _spread(sorted(found.business)),
    }


def _spread(values: list[float]) -> dict[str, int | None]:
    median, p90 = percentile(values, 0.5), percentile(values, 0.9)
    return {
        "median_s": None if median is None else round(median),
        "p90_s": None if p90 is None else round(p90),
    }


def _funnel(total: int, reached: dict[str, int]) -> Figures:
    stages = {stage: reached.get(stage, 0) for stage in STAGES}
    return {
        "received": total,
        **stages,
        "share_used": round(stages["used"] / total, 4) if total else None,
    }


def _consent(found: dict[tuple[str, str], int]) -> dict[str, int]:
    def count(state: str, scope: str | None = None) -> int:
        return sum(n for (st, sc), n in found.items() if st == state and scope in (None, sc))

    return {
        "asked": sum(found.values()),
        "granted_named": count("granted", "named"),
        "granted_anonymous": count("granted", "anonymous"),
        "refused": count("refused"),
        "revoked": count("revoked"),
        "no_answer": count("requested"),
    }
