"""A report: the figures of a period and of the period of the same length before it.

`build_report` runs the aggregates of `figures.py` and turns UTC buckets into local days,
hours and weekdays with zoneinfo, so DST days have 23 or 25 hours and nothing shifts.
"""

from __future__ import annotations

import asyncio
from typing import Any

from tipdesk.conversation.opening_hours import OpeningHours
from tipdesk.reports import figures
from tipdesk.reports.clock import BusinessClock, bucket_seconds, local_moment, percentile
from tipdesk.reports.period import Period
from tipdesk.reports.sql import Dialect, dialect
from tipdesk.tips.models import MediaKind, TipStatus

Figures = dict[str, Any]


async def build_report(period: Period, hours: OpeningHours) -> dict[str, Any]:
    d = dialect()
    previous = period.previous()
    now, before = await asyncio.gather(
        period_figures(d, period, hours), period_figures(d, previous, hours)
    )
    report: dict[str, Any] = {
        "period": describe(period),
        "previous_period": describe(previous),
        "figures": now,
        "previous": before,
    }
    if not now["tips"]["total"] and not now["messages"]["in"]["total"]:
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


async def period_figures(d: Dialect, period: Period, hours: OpeningHours) -> Figures:
    """The queries run concurrently: PostgreSQL spreads them over its pool's connections;
    SQLite's one connection takes them in turn."""
    start, end = period.start, period.end
    size = bucket_seconds(period.timezone, start, end)
    tips, messages, media, desks, replies, claims = await asyncio.gather(
        figures.tip_buckets(d, start, end, size), figures.message_buckets(d, start, end, size),
        figures.media(d, start, end), figures.desks(d, start, end),
        figures.first_replies(d, start, end), figures.first_claims(d, start, end),
    )  # fmt: skip
    funnel, statuses, consent, readers, failed, dead = await asyncio.gather(
        figures.funnel(d, start, end), figures.statuses(d, start, end),
        figures.consents(d, start, end), figures.readers(d, start, end),
        figures.failed_messages(d, start, end), figures.dead_jobs(d, start, end),
    )  # fmt: skip
    total = sum(tips.values())
    return {
        "tips": {**_series(period, tips, size), "by_media": _media(media, total),
                 "by_desk": dict(sorted(desks.items(), key=lambda item: (-item[1], item[0])))},
        "messages": {"in": _series(period, messages["in"], size),
                     "out": sum(messages["out"].values())},
        "response": {"first_reply": _durations(replies, total, hours, period),
                     "claim": _durations(claims, total, hours, period)},
        "funnel": _funnel(total, funnel),
        "statuses": {status.value: statuses.get(status.value, 0) for status in TipStatus},
        "consent": _consent(consent),
        "readers": readers,
        "failed_messages": dict(sorted(failed.items())),
        "dead_jobs": dict(sorted(dead.items())),
    }  # fmt: skip


def _series(period: Period, buckets: dict[int, int], size: int) -> Figures:
    """Counts per local day (every day of the period), per local hour of the day, and per
    weekday × hour (Monday first)."""
    per_day = dict.fromkeys((day.isoformat() for day in period.local_days()), 0)
    per_hour = [0] * 24
    heatmap = [[0] * 24 for _ in range(7)]
    for bucket, count in buckets.items():
        local = local_moment(bucket, size, period.timezone)
        per_day[local.date().isoformat()] = per_day.get(local.date().isoformat(), 0) + count
        per_hour[local.hour] += count
        heatmap[local.weekday()][local.hour] += count
    return {
        "total": sum(buckets.values()),
        "per_day": per_day,
        "per_hour": per_hour,
        "heatmap": heatmap,
    }


def _media(found: dict[str, Any], total: int) -> Figures:
    kinds: dict[str, Any] = {}
    for kind in MediaKind:
        tips, items = found["kinds"].get(kind.value, (0, 0))
        kinds[kind.value] = {"tips": tips, "items": items}
    kinds["text_only"] = {"tips": total - found["tips_with_media"], "items": 0}
    return kinds


def _durations(
    spans: list[tuple[float, float]], total: int, hours: OpeningHours, period: Period
) -> Figures:
    """Median and 90th percentile in seconds, on the wall clock and in business time."""
    overall = [end - start for start, end in spans]
    business: list[float] = []
    if spans:
        first, last = min(s for s, _ in spans), max(e for _, e in spans)
        clock = BusinessClock(hours, period.timezone, first, last)
        business = clock.between_all(spans)
    return {
        "tips": total,
        "counted": len(spans),
        "without": total - len(spans),
        "overall": _spread(overall),
        "business": _spread(business),
    }


def _spread(values: list[float]) -> dict[str, int | None]:
    median, p90 = percentile(values, 0.5), percentile(values, 0.9)
    return {
        "median_s": None if median is None else round(median),
        "p90_s": None if p90 is None else round(p90),
    }


def _funnel(total: int, reached: dict[str, int]) -> Figures:
    return {
        "received": total,
        **reached,
        "share_used": round(reached["used"] / total, 4) if total else None,
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
