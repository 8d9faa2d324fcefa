"""The report's queries: each one aggregate in SQL over one period, returning plain data.

Tips belong to a period by `first_message_at` (when the reader wrote), messages by `sent_at`,
consent by `requested_at`, readers' states by the moment they changed, dead jobs by when they
died. Every query is bounded by the period's UTC instants `[start, end)`.
"""

# ruff: noqa: S608 - SQL is built from our own constants only; every value is a parameter.
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, TypeVar

from tipdesk.audit.actions import AuditAction
from tipdesk.reports.sql import Dialect, microseconds, rows

Counts = dict[int, int]
Spans = list[tuple[float, float]]
REVIEWED = ("in_review", "verified", "used", "rejected")
VERIFIED = ("verified", "used")
Key = TypeVar("Key", str, tuple[str, str])


def _bounds(start: datetime, end: datetime) -> list[Any]:
    return [start, end]


def _tally(counts: Iterable[tuple[Key, int]]) -> dict[Key, int]:
    """Counts by key, summed where two groups of the query share one (a NULL desk and an
    empty one are both "")."""
    found: dict[Key, int] = {}
    for key, count in counts:
        found[key] = found.get(key, 0) + count
    return found


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


# Written into the SQL as literals, as the statuses are, so each statement keeps the plan it
# had; the enum's values are fixed names (letters, dots and underscores) that need no quoting.
CLAIMED = f"'{AuditAction.TIP_CLAIMED.value}'"
STATUS_CHANGED = f"'{AuditAction.TIP_STATUS_CHANGED.value}'"


async def tip_buckets(d: Dialect, start: datetime, end: datetime, size: int) -> Counts:
    found = await rows(
        d,
        f"SELECT {d.bucket('first_message_at', size)} AS b, COUNT(*) AS n FROM tips"
        " WHERE first_message_at >= ? AND first_message_at < ? GROUP BY 1",
        _bounds(start, end),
    )
    return {int(r["b"]): int(r["n"]) for r in found}


async def message_buckets(
    d: Dialect, start: datetime, end: datetime, size: int
) -> dict[str, Counts]:
    """Counts per UTC bucket, for inbound (`in`) and outbound (`out`) messages."""
    found = await rows(
        d,
        f"SELECT {d.bucket('sent_at', size)} AS b, direction, COUNT(*) AS n FROM messages"
        " WHERE sent_at >= ? AND sent_at < ? GROUP BY 1, direction",
        _bounds(start, end),
    )
    counts: dict[str, Counts] = {"in": {}, "out": {}}
    for r in found:
        counts.setdefault(str(r["direction"]), {})[int(r["b"])] = int(r["n"])
    return counts


async def media(d: Dialect, start: datetime, end: datetime) -> dict[str, Any]:
    """Per kind: media items and tips holding at least one; and tips holding any medium."""
    join = f" FROM media_assets m WHERE {d.of_tips('m.tip_id')}"
    kinds = await rows(
        d, f"SELECT m.kind AS kind, COUNT(*) AS items, COUNT(DISTINCT m.tip_id) AS tips{join}"
        " GROUP BY m.kind", _bounds(start, end),
    )  # fmt: skip
    with_media = await rows(d, f"SELECT COUNT(DISTINCT m.tip_id) AS n{join}", _bounds(start, end))
    return {
        "kinds": {str(r["kind"]): (int(r["tips"]), int(r["items"])) for r in kinds},
        "tips_with_media": int(with_media[0]["n"] or 0),
    }


async def desks(d: Dialect, start: datetime, end: datetime) -> dict[str, int]:
    found = await rows(
        d,
        "SELECT desk, COUNT(*) AS n FROM tips"
        " WHERE first_message_at >= ? AND first_message_at < ? GROUP BY desk",
        _bounds(start, end),
    )
    return _tally((str(r["desk"] or ""), int(r["n"])) for r in found)


async def lines(d: Dialect, start: datetime, end: datetime) -> dict[str, int]:
    """Tips per desk number they came in on ("" for the main number)."""
    found = await rows(
        d,
        "SELECT line, COUNT(*) AS n FROM tips"
        " WHERE first_message_at >= ? AND first_message_at < ? GROUP BY line",
        _bounds(start, end),
    )
    return _tally((str(r["line"] or ""), int(r["n"])) for r in found)


async def first_replies(d: Dialect, start: datetime, end: datetime) -> Spans:
    """Per tip that got one: (tip's first message, first human reply after it), epoch seconds.
    Replies come after the tip's first message, so only messages from the period's start on
    are read (the `sent_at` index)."""
    found = await rows(
        d,
        f"SELECT {d.epoch('t.first_message_at')} AS s, {d.epoch('MIN(m.sent_at)')} AS e"
        " FROM tips t JOIN messages m ON m.tip_id = t.id AND m.direction = 'out'"
        " AND m.purpose = 'reply' AND m.sent_at >= t.first_message_at AND m.sent_at >= ?"
        " WHERE t.first_message_at >= ? AND t.first_message_at < ?"
        " GROUP BY t.id, t.first_message_at",
        [start, start, end],
    )
    return [(float(s), float(e)) for s, e in found]


async def first_claims(d: Dialect, start: datetime, end: datetime) -> Spans:
    """Per claimed tip: (first message, first `tip.claimed` event, else `claimed_at`); the
    first claim is looked up per tip through the audit trail's `tip_id` index."""
    first = (
        "(SELECT MIN(a.created_at) FROM audit_events a"
        f" WHERE a.tip_id = t.id AND a.action = {CLAIMED})"
    )
    claimed = f"COALESCE({first}, t.claimed_at)"
    found = await rows(
        d,
        f"SELECT {d.epoch('t.first_message_at')} AS s, {d.epoch(claimed)} AS e FROM tips t"
        " WHERE t.first_message_at >= ? AND t.first_message_at < ?",
        _bounds(start, end),
    )
    return [(float(s), max(float(s), float(e))) for s, e in found if e is not None]


async def funnel(d: Dialect, start: datetime, end: datetime, since: datetime) -> dict[str, int]:
    """Tips of `[start, end)` by the furthest stage they reached (now or in their history);
    status changes come after the tip's first message, so they are read from `since`, the
    period's start, on (`earlier_status_changes` finds the exceptions)."""
    period = "t.first_message_at >= ? AND t.first_message_at < ?"
    reached = (
        f"SELECT t.id AS tip_id, t.status AS stage FROM tips t WHERE {period}"
        f" UNION ALL SELECT a.tip_id AS tip_id, {d.json_text('a.detail', 'to')} AS stage"
        f" FROM audit_events a JOIN tips t ON t.id = a.tip_id"
        f" WHERE {d.unindexed('a.action')} = {STATUS_CHANGED} AND a.created_at >= ?"
        f" AND {period}"
    )
    flags = (
        "SELECT tip_id,"
        f" MAX(CASE WHEN stage IN {_in(REVIEWED)} THEN 1 ELSE 0 END) AS in_review,"
        f" MAX(CASE WHEN stage IN {_in(VERIFIED)} THEN 1 ELSE 0 END) AS verified,"
        " MAX(CASE WHEN stage = 'used' THEN 1 ELSE 0 END) AS used,"
        " MAX(CASE WHEN stage = 'rejected' THEN 1 ELSE 0 END) AS rejected"
        f" FROM ({reached}) reached GROUP BY tip_id"
    )
    sums = ", ".join(f"SUM({c}) AS {c}" for c in ("in_review", "verified", "used", "rejected"))
    found = await rows(d, f"SELECT {sums} FROM ({flags}) flags", [start, end, since, start, end])
    return {k: int(found[0][k] or 0) for k in ("in_review", "verified", "used", "rejected")}


async def statuses(d: Dialect, start: datetime, end: datetime) -> dict[str, int]:
    found = await rows(
        d,
        "SELECT status, COUNT(*) AS n FROM tips"
        " WHERE first_message_at >= ? AND first_message_at < ? GROUP BY status",
        _bounds(start, end),
    )
    return {str(r["status"]): int(r["n"]) for r in found}


async def consents(d: Dialect, start: datetime, end: datetime) -> dict[tuple[str, str], int]:
    found = await rows(
        d,
        "SELECT state, scope, COUNT(*) AS n FROM consent_records"
        " WHERE requested_at >= ? AND requested_at < ? GROUP BY state, scope",
        _bounds(start, end),
    )
    return _tally(((str(r["state"]), str(r["scope"] or "")), int(r["n"])) for r in found)


async def earlier_status_changes(d: Dialect, start: datetime, end: datetime) -> int:
    """Status changes of the tips of `[start, end)` made before `start`: none, unless a tip lost
    its first messages to a split or the clocks disagreed. Where there are some, the funnel of
    those days depends on where the period starts, so they are never rolled up."""
    found = await rows(
        d,
        "SELECT COUNT(*) AS n FROM audit_events a JOIN tips t ON t.id = a.tip_id"
        f" WHERE {d.unindexed('a.action')} = {STATUS_CHANGED} AND a.created_at < ?"
        " AND t.first_message_at >= ? AND t.first_message_at < ?",
        [start, start, end],
    )
    return int(found[0]["n"] or 0)


async def writers(d: Dialect, start: datetime, end: datetime) -> dict[int, int]:
    """Readers who sent a tip: their first contact in microseconds since the epoch, by id.
    Whether a reader is new depends on the period's start, so that is decided when the parts
    of a period are added up."""
    found = await rows(
        d,
        "SELECT w.id AS id,"
        " (SELECT s.first_contact_at FROM senders s WHERE s.id = w.id) AS first_contact"
        " FROM (SELECT DISTINCT sender_id AS id FROM tips"
        " WHERE first_message_at >= ? AND first_message_at < ?) w",
        _bounds(start, end),
    )
    return {int(r["id"]): microseconds(r["first_contact"]) for r in found}


async def reader_states(d: Dialect, start: datetime, end: datetime) -> dict[str, int]:
    """Readers whose state changed in the period."""
    columns = ("unreachable_at", "opted_out_at", "blocked_at", "erased_at")
    counts = ", ".join(
        f"(SELECT COUNT(*) FROM senders WHERE {c} >= ? AND {c} < ?) AS {c}" for c in columns
    )
    changed = await rows(d, f"SELECT {counts}", [start, end] * len(columns))
    return {c.removesuffix("_at"): int(changed[0][c] or 0) for c in columns}


async def failed_messages(d: Dialect, start: datetime, end: datetime) -> dict[str, int]:
    code = d.json_text("delivery_error", "code")
    found = await rows(
        d,
        f"SELECT {code} AS code, COUNT(*) AS n FROM messages"
        " WHERE sent_at >= ? AND sent_at < ? AND direction = 'out' AND delivery = 'failed'"
        f" GROUP BY {code}",
        _bounds(start, end),
    )
    return _tally((str(r["code"] or "unknown"), int(r["n"])) for r in found)


async def dead_jobs(d: Dialect, start: datetime, end: datetime) -> dict[str, int]:
    died = "COALESCE(finished_at, updated_at)"
    found = await rows(
        d,
        f"SELECT kind, COUNT(*) AS n FROM jobs WHERE state = 'dead' AND {died} >= ?"
        f" AND {died} < ? GROUP BY kind",
        _bounds(start, end),
    )
    return {str(r["kind"]): int(r["n"]) for r in found}
