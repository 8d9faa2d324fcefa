"""Reports over 100,000 tips: server time of the report computation and of
`GET /api/v1/reports` for a 30-day and a 365-day period (each with its previous period), against
a bare `SELECT COUNT(*) FROM tips` on the same database in the same run.

    .venv/bin/python bench/reports.py [N]
Uses TIPDESK_DATABASE_URL when set (PostgreSQL; its tables are emptied first), else a fresh
SQLite file. Seeding is two years of tips with replies, claims, status changes, media, consent
and failures, written with multi-row INSERTs. The daily roll-up job then rolls up the history
once (timed); the reports read its stored days. Also timed: a 365-day report when one old day
changed just before (it rolls that day up again), and one measured live without roll-ups.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from tortoise import connections

from tipdesk.app import create_app
from tipdesk.db import database, migrate_database
from tipdesk.editors.accounts import create_editor, create_token
from tipdesk.editors.models import Role
from tipdesk.opening_hours import OpeningHours
from tipdesk.reports.period import Period
from tipdesk.reports.report import build_report
from tipdesk.reports.rollups import roll_up_history
from tipdesk.reports.sql import dialect
from tipdesk.settings import Settings

HOUR_WEIGHTS = [1, 1, 1, 1, 1, 2, 3, 5, 7, 8, 8, 8, 9, 9, 8, 8, 8, 9, 10, 11, 10, 7, 4, 2]
TABLES = ("media_assets", "consent_records", "audit_events", "messages", "tips", "senders", "jobs")
# An old tip whose status each run of the "one old day changed" figure flips.
CHANGED_TIP = 1
Rows = dict[str, list[tuple[Any, ...]]]
CONSENT_ANSWERS = [
    ("granted", "named"), ("granted", "anonymous"), ("refused", None), ("requested", None),
    ("revoked", "named"),
]  # fmt: skip
STEPS = {
    "in_review": ["in_review"], "verified": ["in_review", "verified"],
    "used": ["in_review", "verified", "used"], "rejected": ["rejected"],
}  # fmt: skip
COLUMNS = {
    "senders": "id, channel, address, phone, display_name, first_contact_at, opted_out_at,"
    " blocked_at, unreachable_at, created_at, updated_at",
    "tips": "id, sender_id, status, desk, tags, claimed_at, first_message_at, last_message_at,"
    " created_at, updated_at",
    "messages": "id, channel, external_id, tip_id, sender_id, direction, type, text, content,"
    " forwarded, delivery, delivery_error, purpose, automatic, sent_at, created_at",
    "media_assets": "id, token, tip_id, message_id, kind, state, details, created_at, updated_at",
    "audit_events": "tip_id, action, detail, created_at",
    "consent_records": "tip_id, sender_id, state, scope, question_text, requested_at",
    "jobs": "kind, payload, state, priority, run_at, attempts, max_attempts, created_at,"
    " updated_at, finished_at",
}


def history(count: int, now: datetime, seed: int = 8) -> Rows:
    """Two years of tips ending at `now`: readers who come back, replies, claims, outcomes."""
    rng = random.Random(seed)
    rows: Rows = {name: [] for name in COLUMNS}
    readers = max(count * 6 // 10, 1)
    first_contact: dict[int, datetime] = {}
    for tip_id in range(1, count + 1):
        at = now - timedelta(days=rng.uniform(0, 730))
        at = at.replace(hour=rng.choices(range(24), HOUR_WEIGHTS)[0], tzinfo=UTC)
        at = min(at, now - timedelta(minutes=1))
        sender = rng.randint(1, readers)
        first_contact[sender] = min(first_contact.get(sender, at), at)
        _tip(rows, rng, tip_id, sender, at)
    for sender, at in first_contact.items():
        odd = rng.random()
        rows["senders"].append((
            sender, "whatsapp", f"316{sender:08d}", f"316{sender:08d}", "", at,
            at + timedelta(days=3) if odd < 0.02 else None,
            at + timedelta(days=5) if 0.02 <= odd < 0.03 else None,
            at + timedelta(days=7) if 0.03 <= odd < 0.05 else None, at, at,
        ))  # fmt: skip
    for _ in range(200):
        died = now - timedelta(days=rng.uniform(0, 730))
        rows["jobs"].append(("media.fetch", "{}", "dead", 100, died, 5, 5, died, died, died))
    return rows


def _tip(rows: Rows, rng: random.Random, tip_id: int, sender: int, at: datetime) -> None:
    status = rng.choices(["new", "in_review", "verified", "used", "rejected", "archived"],
                         [10, 20, 15, 10, 35, 10])[0]  # fmt: skip
    claimed = at + timedelta(minutes=rng.expovariate(1 / 40)) if rng.random() < 0.8 else None
    desk = rng.choice(["news", "sport", "regio", None])
    rows["tips"].append((tip_id, sender, status, desk, "[]", claimed, at, at, at, at))
    base = tip_id * 10
    _message(rows, base, tip_id, sender, "in", at, None)
    _message(rows, base + 1, tip_id, sender, "out", at + timedelta(seconds=4), "confirmation")
    if rng.random() < 0.7:
        replied = at + timedelta(minutes=rng.lognormvariate(3.5, 1.2))
        _message(rows, base + 2, tip_id, sender, "out", replied, "reply")
    if rng.random() < 0.02:
        code = rng.choice([131026, 131047, 131050])
        _message(rows, base + 3, tip_id, sender, "out", at + timedelta(hours=1), "status_update",
                 failed=code)  # fmt: skip
    if rng.random() < 0.5:
        kind = rng.choices(["image", "video", "voice", "document"], [60, 25, 10, 5])[0]
        rows["media_assets"].append((base, f"tok{base}", tip_id, base, kind, "ready", "{}", at, at))
    if claimed:
        rows["audit_events"].append((tip_id, "tip.claimed", "{}", claimed))
    for step in _steps(status):
        detail = json.dumps({"from": "new", "to": step})
        rows["audit_events"].append((tip_id, "tip.status_changed", detail, at + timedelta(hours=2)))
    if rng.random() < 0.15:
        state, scope = rng.choice(CONSENT_ANSWERS)
        rows["consent_records"].append((tip_id, sender, state, scope, "?", at))


def _steps(status: str) -> list[str]:
    return STEPS.get(status, [])


def _message(
    rows: Rows, mid: int, tip_id: int, sender: int, direction: str, at: datetime,
    purpose: str | None, failed: int | None = None,
) -> None:  # fmt: skip
    delivery = "failed" if failed else ("received" if direction == "in" else "delivered")
    error = json.dumps({"code": failed}) if failed else None
    rows["messages"].append((
        mid, "whatsapp", f"wamid.{mid}", tip_id, sender, direction, "text", "", "{}", False,
        delivery, error,
        purpose, purpose not in (None, "reply"), at, at,
    ))  # fmt: skip


async def seed(rows: Rows, batch: int = 500) -> None:
    d, connection = dialect(), connections.get("default")
    for name in reversed(TABLES):
        width = len(COLUMNS[name].split(","))
        for start in range(0, len(rows[name]), batch):
            chunk = rows[name][start : start + batch]
            marks = ", ".join("(" + ", ".join("?" * width) + ")" for _ in chunk)
            values = [value for row in chunk for value in row]
            await connection.execute_query(
                d.sql(f"INSERT INTO {name} ({COLUMNS[name]}) VALUES {marks}"), values
            )
    if d.is_postgres:
        await connection.execute_script("ANALYZE")  # as autovacuum would after a bulk load
        for name in ("senders", "tips", "messages", "media_assets"):
            sequence = f"pg_get_serial_sequence('{name}', 'id')"
            await connection.execute_query(
                f"SELECT setval({sequence}, (SELECT MAX(id) FROM {name}))"
            )


async def timed(run: Callable[[], Awaitable[object]], rounds: int = 5) -> float:
    """Median wall time in milliseconds (after one warm-up run)."""
    await run()
    spent = []
    for _ in range(rounds):
        start = time.perf_counter()
        await run()
        spent.append((time.perf_counter() - start) * 1000)
    return statistics.median(spent)


async def measure(settings: Settings, now: datetime) -> list[tuple[str, float]]:
    connection = connections.get("default")
    figures = [("baseline: SELECT COUNT(*) FROM tips", await timed(
        lambda: connection.execute_query("SELECT COUNT(*) FROM tips")))]  # fmt: skip
    tz, hours = settings.timezone, settings.opening_hours
    start = time.perf_counter()
    await roll_up_history(tz, hours, now)
    figures.append(("roll-up job, whole history (once)", (time.perf_counter() - start) * 1000))
    await create_editor("chief@bench.example", "Chief", Role.CHIEF, "bench password 123")
    headers = {"authorization": f"Bearer {await create_token('chief@bench.example', 'bench')}"}
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        for days in (30, 365):
            until = now.astimezone(tz).date()
            period = Period(until - timedelta(days=days - 1), until, tz)
            figures.append((f"report computation, {days} days + previous {days}", await timed(
                lambda p=period: build_report(p, hours))))  # fmt: skip
            url = f"/api/v1/reports?since={period.since}&until={period.until}"
            figures.append((f"GET /api/v1/reports, {days} days", await timed(
                lambda u=url: _get(client, u, headers))))  # fmt: skip
    year = Period(until - timedelta(days=364), until, tz)
    figures.append(("365 days, one old day changed before each run", await timed(
        lambda: _change_and_report(year, hours))))  # fmt: skip
    figures.append(("365 days measured live, no roll-ups (one run)", await timed(
        lambda: build_report(year, hours, rollups=False), rounds=1)))  # fmt: skip
    return figures


async def _change_and_report(period: Period, hours: OpeningHours) -> None:
    """Flip an old tip's status (its day's roll-up goes, by trigger), then report."""
    d = dialect()
    await connections.get("default").execute_query(
        d.sql("UPDATE tips SET status = CASE WHEN status = 'used' THEN 'rejected' ELSE 'used' END"
              " WHERE id = ?"), [CHANGED_TIP],
    )  # fmt: skip
    await build_report(period, hours)


async def _get(client: httpx.AsyncClient, url: str, headers: dict[str, str]) -> None:
    response = await client.get(url, headers=headers)
    response.raise_for_status()


async def main(count: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("TIPDESK_DATABASE_URL", f"sqlite://{Path(folder) / 'bench.sqlite3'}")
        environ = {"TIPDESK_DATA_DIR": folder, "TIPDESK_SECRET_KEY": secrets.token_urlsafe(32),
                   "TIPDESK_DATABASE_URL": url}  # fmt: skip
        settings = Settings.from_env(environ, env_file=None)
        await migrate_database(settings)
        now = datetime.now(UTC)
        async with database(settings):
            await _empty(settings)
            start = time.perf_counter()
            rows = history(count, now)
            await seed(rows)
            seeded = time.perf_counter() - start
            figures = await measure(settings, now)
    kind = "PostgreSQL" if settings.is_postgres else "SQLite"
    total = sum(len(r) for r in rows.values())
    print(f"reports on {kind}: {count:,} tips, {total:,} rows seeded in {seeded:.1f} s")
    base = figures[0][1]
    for name, ms in figures:
        print(f"  {name:<48} {ms:8.1f} ms   ×{ms / base:,.0f} of baseline")


async def _empty(settings: Settings) -> None:
    if settings.is_postgres:
        names = ", ".join((*TABLES, "editors", "api_tokens", "report_days"))
        await connections.get("default").execute_script(
            f"TRUNCATE {names} RESTART IDENTITY CASCADE"
        )


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))
