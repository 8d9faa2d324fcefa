"""Retention: tips not used go once their last message is older than TIPDESK_RETENTION, with
their files and index entries; used tips stay; parsed raw bodies go after seven days; the board
warns a week before; the daily job keeps itself scheduled once."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from tests.conftest import POSTGRES_URL
from tests.conversation.reader_world import (
    Reader,
    World,
    dump_database,
    files_holding,
    open_world,
    photo,
)
from tipdesk.clock import utcnow
from tipdesk.conversation.models import ConsentRecord, ConsentScope, ConsentState
from tipdesk.conversation.retention import CONVERSATION_PURGE, purge, schedule_purge
from tipdesk.editors.accounts import create_editor, create_token
from tipdesk.editors.models import Role
from tipdesk.intake.models import InboundState, InboundWebhook
from tipdesk.jobs.models import Job, JobState
from tipdesk.media.states import media_store
from tipdesk.search.engine import find_tips
from tipdesk.tips import actions
from tipdesk.tips.models import MediaAsset, Tip, TipStatus

HOUR = 3600.0
READER = Reader("31611112222", "Anouk Lezer")


@pytest.fixture
def environ(environ: dict[str, str]) -> dict[str, str]:
    return {**environ, "TIPDESK_RETENTION": "10h", "TIPDESK_TIP_WINDOW": "1m"}


@pytest.fixture
async def world(environ: dict[str, str], db: None) -> AsyncIterator[World]:
    async for opened in open_world(environ):
        yield opened


async def _three_tips(world: World) -> tuple[Tip, Tip, Tip]:
    """Just outside the period (with a photo), just inside it, and used long ago."""
    await world.text(READER, "Gebruikte tip Watertoren", ago=30 * HOUR)
    await world.image(READER, photo((1, 2, 3)), "Oude tip Klokkenluider", ago=10 * HOUR + 120)
    await world.text(READER, "Verse tip Molenwiek", ago=10 * HOUR - 120)
    used, old, fresh = await Tip.all().order_by("id")
    editor = await create_editor("e@desk.example", "Eva", Role.CHIEF, "a long password here")
    await actions.change_status(used.id, editor, world.settings, status="used")
    await world.settle()
    return used, old, fresh


async def test_purge_deletes_unused_tips_past_the_period_with_files_and_index(
    world: World,
) -> None:
    used, old, fresh = await _three_tips(world)
    sha = (await MediaAsset.get(tip_id=old.id)).sha256
    assert sha and media_store(world.settings).original(sha).exists()
    assert (await find_tips(world.settings, "Klokkenluider")).total == 1

    report = await purge(world.settings)
    await world.settle()

    assert (report.deleted.tips, report.deleted.media) == (1, 1)
    assert sorted(await Tip.all().values_list("id", flat=True)) == [used.id, fresh.id]
    assert not media_store(world.settings).original(sha).exists()
    assert (await find_tips(world.settings, "Klokkenluider")).total == 0
    assert (await find_tips(world.settings, "Molenwiek")).total == 1
    rows = (await dump_database()).splitlines()
    # Its raw webhook body stays its seven days (test_parsed_raw_bodies_go_after_seven_days).
    assert not [row for row in rows if "Klokkenluider" in row and "inbound_webhooks" not in row]
    again = await purge(world.settings)
    assert (again.deleted.tips, again.deleted.messages, again.webhooks) == (0, 0, 0)


async def test_dry_run_counts_and_changes_nothing(world: World) -> None:
    await _three_tips(world)
    before = await dump_database()
    report = await purge(world.settings, dry_run=True)
    assert (report.deleted.tips, report.deleted.messages, report.deleted.media) == (1, 2, 1)
    assert report.lines(dry_run=True)[0].startswith("would delete 1 tips")
    assert await dump_database() == before


async def test_parsed_raw_bodies_go_after_seven_days_unparsed_ones_stay(world: World) -> None:
    await world.text(READER, "Een tip")
    await world.text(READER, "Nog een")
    first, second = await InboundWebhook.all().order_by("received_at")
    long_ago = utcnow() - timedelta(days=8)
    await InboundWebhook.filter(id=first.id).update(received_at=long_ago)
    await InboundWebhook.filter(id=second.id).update(
        received_at=long_ago, state=InboundState.FAILED
    )
    report = await purge(world.settings)
    assert report.webhooks == 1
    assert [w.id for w in await InboundWebhook.all()] == [second.id]


@pytest.mark.skipif(bool(POSTGRES_URL), reason="PostgreSQL's own files: VACUUM, see SECURITY.md")
async def test_what_a_purge_deleted_is_in_no_file_of_the_desk(world: World) -> None:
    await world.text(READER, "Verlopen tip Kruidenierswinkel", ago=11 * HOUR)
    await InboundWebhook.all().update(received_at=utcnow() - timedelta(days=8))
    assert files_holding(world.settings, ["Kruidenierswinkel"])

    report = await purge(world.settings)
    await world.settle()

    assert (report.deleted.tips, report.webhooks) == (1, 1)
    assert files_holding(world.settings, ["Kruidenierswinkel"]) == []


async def test_the_board_and_the_api_say_when_a_tip_will_be_purged(world: World) -> None:
    used, _, fresh = await _three_tips(world)
    await create_editor("api@desk.example", "Api", Role.EDITOR, "a long password here")
    auth = {"authorization": f"Bearer {await create_token('api@desk.example', 'test')}"}
    body = (await world.http.get(f"/api/v1/tips/{fresh.id}", headers=auth)).json()
    expected = fresh.last_message_at + timedelta(hours=10)
    assert body["purge_at"] == expected.isoformat() and body["purge_soon"] is True
    kept = (await world.http.get(f"/api/v1/tips/{used.id}", headers=auth)).json()
    assert kept["purge_at"] is None and kept["purge_soon"] is False
    listing = (await world.http.get("/api/v1/tips", headers=auth)).json()
    assert {item["id"]: item["purge_at"] is None for item in listing["items"]}[used.id]
    board = (await world.http.get("/board", headers=auth)).text
    assert board.count('class="badge purge"') == 2  # overdue and fresh; not the used one
    page = (await world.http.get(f"/tips/{fresh.id}", headers=auth)).text
    assert "Bewaartermijn: deze tip wordt op" in page
    assert "Bewaartermijn" not in (await world.http.get(f"/tips/{used.id}", headers=auth)).text


async def test_the_daily_job_purges_and_schedules_the_next_day_once(world: World) -> None:
    used, old, _ = await _three_tips(world)
    await schedule_purge(world.settings)
    await schedule_purge(world.settings)
    assert await Job.filter(kind=CONVERSATION_PURGE).count() == 1
    await world.settle()
    assert not await Tip.exists(id=old.id)
    waiting = await Job.filter(kind=CONVERSATION_PURGE, state=JobState.QUEUED)
    assert len(waiting) == 1
    assert waiting[0].run_at > utcnow() + timedelta(hours=23)
    await schedule_purge(world.settings)  # a restart while tomorrow's run waits
    assert await Job.filter(kind=CONVERSATION_PURGE, state=JobState.QUEUED).count() == 1
    assert (await Tip.get(id=used.id)).status is TipStatus.USED


async def _used_then_archived(world: World) -> tuple[Tip, ConsentRecord]:
    """A photo used with the reader's consent, published, then archived: the evidence."""
    await world.image(READER, photo((9, 8, 7)), "Brand bij de Watertoren", ago=30 * HOUR)
    await world.settle()
    tip = await Tip.get()
    asset = await MediaAsset.get(tip_id=tip.id)
    record = await ConsentRecord.create(
        tip=tip, sender_id=tip.sender_id, state=ConsentState.GRANTED, scope=ConsentScope.NAMED,
        credit_name="Anouk Lezer", question_text="Mogen we je foto gebruiken?",
        answer_text="Ja graag!", requested_at=utcnow(), answered_at=utcnow(),
    )  # fmt: skip
    await record.media.add(asset)
    chief = await create_editor("c@desk.example", "Chef", Role.CHIEF, "a long password here")
    await actions.change_status(
        tip.id, chief, world.settings, status="used", published_url="https://news.example/brand"
    )
    await actions.change_status(tip.id, chief, world.settings, status="archived")
    return tip, record


async def test_a_used_tip_archived_since_is_kept_with_its_consent_evidence(world: World) -> None:
    tip, record = await _used_then_archived(world)
    await world.text(READER, "Ongebruikte tip Kerkplein", ago=20 * HOUR)
    report = await purge(world.settings)
    assert report.deleted.tips == 1
    kept = await Tip.get(id=tip.id)
    assert (kept.status, kept.published_url) == (TipStatus.ARCHIVED, "https://news.example/brand")
    assert kept.used_at is not None
    assert await ConsentRecord.exists(id=record.id)
    assert await MediaAsset.filter(tip_id=tip.id).count() == 1
    assert not await Tip.exists(id=tip.id + 1)


async def test_evidence_has_a_retention_of_its_own_when_one_is_set(world: World) -> None:
    tip, record = await _used_then_archived(world)
    settings = dataclasses.replace(world.settings, evidence_retention=timedelta(days=365))
    assert (await purge(settings)).deleted.tips == 0
    await Tip.filter(id=tip.id).update(used_at=utcnow() - timedelta(days=366))
    assert (await purge(settings)).deleted.tips == 1
    assert not await ConsentRecord.exists(id=record.id)


async def test_the_privacy_notice_says_used_tips_are_kept(world: World) -> None:
    page = (await world.http.get("/privacy")).text
    assert "bewaren we als bewijs" in page and "keep as evidence" in page
