"""Daily roll-ups give exactly the figures of reports measured live, on SQLite and PostgreSQL:
over random histories in zones with DST at 02:00, at midnight and by half an hour, and with
15-minute buckets; after later changes to old tips through the desk's own actions; and while
changes race a roll-up."""

from __future__ import annotations

import asyncio
import json
import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from tortoise.transactions import in_transaction

from tests.reports.history import build_history, outbound, utc
from tests.reports.random_history import random_history
from tipdesk.audit.models import AuditEvent
from tipdesk.conversation import consent
from tipdesk.editors.accounts import create_editor
from tipdesk.editors.models import Editor, Role
from tipdesk.opening_hours import OpeningHours
from tipdesk.reports import rollups
from tipdesk.reports.clock import bucket_seconds
from tipdesk.reports.models import ReportDay
from tipdesk.reports.parts import Frame
from tipdesk.reports.period import Period
from tipdesk.reports.report import build_report
from tipdesk.reports.sql import dialect
from tipdesk.reports.tables import tables
from tipdesk.settings import Settings
from tipdesk.tips import actions, editing, merging
from tipdesk.tips.deletion import delete_tips
from tipdesk.tips.models import Direction, Message, Sender, Tip

pytestmark = pytest.mark.usefixtures("db")
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
OFFICE = OpeningHours.parse("mon-fri 09:00-17:00")
PERIOD = Period(date(2026, 10, 23), date(2026, 10, 26), AMSTERDAM)

SCENARIOS = {
    # DST ends at 03:00 (the known history's change), and starts in March in New York.
    "amsterdam": ("Europe/Amsterdam", "mon-fri 09:00-17:00", date(2026, 10, 12), date(2026, 11, 8)),
    "new-york": ("America/New_York", "mon-sat 08:00-18:00", date(2026, 2, 26), date(2026, 3, 20)),
    # Clocks went back from midnight to 23:00 on 2018-02-18: a local date comes twice.
    "sao-paulo": ("America/Sao_Paulo", "mon-sun 00:00-24:00", date(2018, 2, 5), date(2018, 3, 1)),
    # Half an hour of DST, and a +05:30 zone: 15-minute buckets.
    "lord-howe": ("Australia/Lord_Howe", "mon-fri 09:00-12:00; mon-fri 11:00-17:30",
                  date(2026, 3, 22), date(2026, 4, 15)),
    "kolkata": ("Asia/Kolkata", "24/7", date(2026, 1, 5), date(2026, 1, 30)),
}  # fmt: skip


async def both_ways(period: Period, hours: OpeningHours, now: datetime) -> dict[str, Any]:
    """The report with roll-ups (twice: rolling up, then reading them) and without; all three
    the same, key order included, and so every table."""
    live = await build_report(period, hours, rollups=False, now=now)
    rolled = await build_report(period, hours, now=now)
    stored = await build_report(period, hours, now=now)
    for report in (rolled, stored):
        assert json.dumps(report) == json.dumps(live), period
        assert tables(report) == tables(live)
    return live


def periods(rng: random.Random, tz: ZoneInfo, first: date, last: date) -> list[Period]:
    found = [Period(first, last, tz), Period(first - timedelta(days=3), last + timedelta(3), tz)]
    for _ in range(10):
        since = first + timedelta(days=rng.randint(-5, (last - first).days))
        until = since + timedelta(days=rng.choice([0, 1, 2, 6, 13, 29]))
        found.append(Period(since, until, tz))
    return found


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
async def test_roll_ups_match_live_figures_over_a_random_history(scenario: str) -> None:
    zone, opening, first, last = SCENARIOS[scenario]
    tz, hours = ZoneInfo(zone), OpeningHours.parse(opening)
    await random_history(sum(map(ord, scenario)), tz, first, last, tips=120)
    # Days up to three before the last are closed: periods mix stored and live days.
    now = datetime.combine(last - timedelta(days=1), time(12), tzinfo=tz).astimezone(UTC)
    rng = random.Random(scenario)
    for period in periods(rng, tz, first, last):
        await both_ways(period, hours, now)
    assert await ReportDay.filter(live=False).exists()
    # A status change older than its tip makes a day whose funnel depends on the period.
    assert await ReportDay.filter(live=True).exists()


async def test_the_known_history_is_rolled_up_and_reads_the_same() -> None:
    await build_history()
    now = datetime.now(UTC)
    report = await both_ways(PERIOD, OFFICE, now)
    assert report["figures"]["tips"]["total"] == 6
    days = set(await ReportDay.all().values_list("day", flat=True))
    assert days == set(PERIOD.local_days()) | set(PERIOD.previous().local_days())


async def test_a_status_change_older_than_its_tip_keeps_the_day_live() -> None:
    tips = await build_history()
    # Thursday 22 October 23:00 CEST, before t1 (Friday 16:50) was sent: a period starting on
    # Thursday sees the change, one starting on Friday does not.
    event = await AuditEvent.create(
        action="tip.status_changed", tip=tips["t1"], detail={"from": "new", "to": "rejected"}
    )
    await AuditEvent.filter(id=event.id).update(created_at=utc("2026-10-22 21:00"))
    now = datetime.now(UTC)
    friday = await both_ways(PERIOD, OFFICE, now)
    thursday = await both_ways(Period(date(2026, 10, 22), date(2026, 10, 26), AMSTERDAM), OFFICE,
                               now)  # fmt: skip
    assert friday["figures"]["funnel"]["rejected"] == 1
    assert thursday["figures"]["funnel"]["rejected"] == 2
    day = await ReportDay.get(day=date(2026, 10, 23))
    assert day.live and not (await ReportDay.get(day=date(2026, 10, 24))).live


async def chief() -> Editor:
    return await create_editor("chief@desk.example", "Chef", Role.CHIEF, "long enough password")


async def stored_days() -> set[date]:
    return set(await ReportDay.all().values_list("day", flat=True))


async def test_later_changes_to_old_tips_are_reflected(settings: Settings) -> None:
    tips = await build_history()
    editor, now = await chief(), datetime.now(UTC)
    before = (await both_ways(PERIOD, OFFICE, now))["figures"]
    all_days = await stored_days()

    await actions.change_status(tips["t1"].id, editor, settings, status="rejected")
    assert await stored_days() == all_days - {date(2026, 10, 23)}
    after = (await both_ways(PERIOD, OFFICE, now))["figures"]
    assert after["statuses"]["rejected"] == before["statuses"]["rejected"] + 1
    assert after["funnel"]["rejected"] == before["funnel"]["rejected"] + 1

    await actions.claim_tip(tips["t5"].id, editor, settings)
    await editing.set_desk(tips["t6"].id, editor, settings, "regio")
    await outbound(tips["t6"], datetime.now(UTC).strftime("%Y-%m-%d %H:%M"), "reply")
    after = (await both_ways(PERIOD, OFFICE, now))["figures"]
    assert after["response"]["claim"]["counted"] == before["response"]["claim"]["counted"] + 1
    assert after["response"]["first_reply"]["counted"] == 5
    assert after["tips"]["by_desk"] == {"news": 3, "sport": 2, "regio": 1}


async def test_consent_revoked_later_is_reflected(settings: Settings) -> None:
    tips = await build_history()
    now = datetime.now(UTC)
    before = (await both_ways(PERIOD, OFFICE, now))["figures"]["consent"]
    reader = await Sender.get(id=tips["t1"].sender_id)
    async with in_transaction() as connection:
        message = await Message.create(
            channel="whatsapp",
            external_id="wamid.revoke", sender=reader, direction=Direction.INBOUND, type="text",
            text="intrekken", sent_at=now, using_db=connection,
        )  # fmt: skip
        await consent.revoke(reader, message, settings, connection)
    after = (await both_ways(PERIOD, OFFICE, now))["figures"]["consent"]
    assert (before["granted_named"], before["revoked"]) == (1, 1)
    assert (after["granted_named"], after["revoked"]) == (0, 2)


async def test_erasure_split_and_merge_of_old_tips_are_reflected(settings: Settings) -> None:
    tips = await build_history()
    editor, now = await chief(), datetime.now(UTC)
    before = (await both_ways(PERIOD, OFFICE, now))["figures"]
    # Erasure and retention delete through tips/deletion.py.
    async with in_transaction() as connection:
        await delete_tips([tips["t5"].id, tips["t2"].id], settings, connection)
    erased = (await both_ways(PERIOD, OFFICE, now))["figures"]
    assert erased["tips"]["total"] == before["tips"]["total"] - 2
    assert erased["tips"]["by_media"]["video"] == {"tips": 0, "items": 0}
    assert erased["readers"]["writing"] == before["readers"]["writing"] - 1
    # Split: the reader's first message of t6 becomes a tip of its own, on an old day.
    first = await Message.get(tip_id=tips["t6"].id, direction=Direction.INBOUND)
    await Message.create(
        channel="whatsapp",
        external_id="wamid.earlier", tip=tips["t6"], sender_id=tips["t6"].sender_id,
        direction=Direction.INBOUND, type="text", text="nog iets", sent_at=utc("2026-10-26 22:30"),
    )  # fmt: skip
    await Tip.filter(id=tips["t6"].id).update(first_message_at=utc("2026-10-26 22:30"))
    await merging.split_message(tips["t6"].id, first.external_id, editor, settings)
    split = (await both_ways(PERIOD, OFFICE, now))["figures"]
    assert split["tips"]["total"] == erased["tips"]["total"] + 1
    # Merge: t3 (Sunday) into t1 (Friday) of the same reader; t3 stays, archived.
    await merging.merge_tips(tips["t3"].id, tips["t1"].id, editor, settings)
    merged = (await both_ways(PERIOD, OFFICE, now))["figures"]
    assert merged["statuses"]["archived"] == split["statuses"]["archived"] + 1


async def test_a_change_to_fresh_rows_leaves_stored_days_alone(settings: Settings) -> None:
    tips = await build_history()
    await both_ways(PERIOD, OFFICE, datetime.now(UTC))
    days = await stored_days()
    fresh = await Tip.create(
        sender_id=tips["t1"].sender_id, first_message_at=datetime.now(UTC),
        last_message_at=datetime.now(UTC),
    )  # fmt: skip
    await outbound(fresh, datetime.now(UTC).strftime("%Y-%m-%d %H:%M"), "reply")
    await actions.change_status(fresh.id, await chief(), settings, status="verified")
    assert await stored_days() == days


async def test_changes_racing_a_roll_up_are_never_lost(settings: Settings) -> None:
    """The roll-up holds its lock from before it reads the day; a change that commits meanwhile
    waits for it and then deletes the day it stored. Repeated, as the race is a matter of
    timing (PostgreSQL runs both at once over its pool; SQLite takes them in turn)."""
    tips = await build_history()
    editor, now = await chief(), datetime.now(UTC)
    friday = date(2026, 10, 23)
    frame = Frame(AMSTERDAM, bucket_seconds(AMSTERDAM, PERIOD.start, PERIOD.end), OFFICE)
    for status in ["in_review", "verified", "new", "rejected"] * 3:
        await ReportDay.filter(day=friday).delete()
        await asyncio.gather(
            rollups.roll_up(dialect(), frame, [friday]),
            actions.change_status(tips["t1"].id, editor, settings, status=status),
        )
        report = await both_ways(PERIOD, OFFICE, now)
        assert report["figures"]["statuses"][status] >= 1


async def test_the_daily_job_rolls_up_every_closed_day_once() -> None:
    await build_history()
    now = datetime.now(UTC)
    stale = Frame(AMSTERDAM, 3600, OpeningHours.parse("24/7"))
    await rollups.roll_up(dialect(), stale, [date(2026, 10, 1)])
    rolled = await rollups.roll_up_history(AMSTERDAM, OFFICE, now)
    history = Period(date(2026, 10, 22), now.astimezone(AMSTERDAM).date(), AMSTERDAM)
    closed = set(rollups.closed(history.local_days(), Frame(AMSTERDAM, 3600, OFFICE), now))
    assert rolled == len(closed) and await stored_days() == closed
    assert await rollups.roll_up_history(AMSTERDAM, OFFICE, now) == 0
    # A report over stored days rolls nothing up: the rows stay as the job wrote them.
    written = sorted(await ReportDay.all().values_list("id", flat=True))
    await build_report(Period(date(2026, 10, 26), date(2026, 10, 29), AMSTERDAM), OFFICE, now=now)
    assert sorted(await ReportDay.all().values_list("id", flat=True)) == written


async def test_a_report_rolls_up_a_month_of_missing_days_at_most() -> None:
    """Before the job ran, the first report over a long period measures most of it live."""
    await build_history()
    now = datetime.now(UTC)
    quarter = Period(date(2026, 8, 1), date(2026, 10, 31), AMSTERDAM)
    await build_report(quarter, OFFICE, now=now)
    assert await ReportDay.all().count() == 2 * rollups.ROLL_UP_PER_REPORT
    await both_ways(quarter, OFFICE, now)
