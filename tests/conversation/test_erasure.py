"""Erasure end to end: a reader with tips, photos, an indexed tip, a used tip with consent and raw
webhooks asks to be erased; afterwards nothing of theirs is in any table, on disk or in the
index, except the used tip's pseudonymised consent evidence. Through the real worker and the
fake Graph API on a real port, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from tests.conftest import POSTGRES_URL
from tests.conversation.reader_world import (
    Reader,
    World,
    dump_database,
    files_holding,
    index_words,
    open_world,
    photo,
)
from tipdesk.audit.models import AuditEvent
from tipdesk.clock import utcnow
from tipdesk.conversation import consent
from tipdesk.conversation.erasure import ERASE_ECHOES, ERASE_READER
from tipdesk.conversation.models import ConsentRecord, ConsentScope, ConsentState
from tipdesk.editors.accounts import create_editor
from tipdesk.editors.models import Editor, Role
from tipdesk.intake.models import InboundWebhook, WebhookError
from tipdesk.jobs.models import Job, JobState
from tipdesk.jobs.queue import enqueue
from tipdesk.media.states import media_store
from tipdesk.search.engine import find_tips
from tipdesk.search.jobs import rebuild
from tipdesk.tips import actions
from tipdesk.tips.models import MediaAsset, Sender, Tip, TipStatus

MARIJKE = Reader("31612345678", "Marijke Zonnebloem", user_id="NL.4719283746501928374")
BAS = Reader("31698765432", "Bas Overlander")
HER_TEXTS = ["Zeppelinstraat brandweerkazerne", "kwakzalverij Fietsenmakerij", "Zonnewijzerpad"]
SHARED = photo((10, 200, 30))
HERS_ALONE = photo((200, 10, 30))


@pytest.fixture
async def world(environ: dict[str, str], db: None) -> AsyncIterator[World]:
    async for opened in open_world(environ):
        yield opened


async def _editor() -> Editor:
    return await create_editor("chef@desk.example", "Chef", Role.CHIEF, "a long password here")


async def _her_tips(world: World, editor: Editor) -> tuple[Tip, Tip]:
    """One tip later used (with a photo and granted consent), one not (with a shared photo)."""
    await world.text(MARIJKE, HER_TEXTS[0], ago=7200)
    await world.image(MARIJKE, HERS_ALONE, HER_TEXTS[2], ago=7100)
    await world.text(MARIJKE, HER_TEXTS[1], ago=600)
    await world.image(MARIJKE, SHARED, "", ago=590)
    used, other = await Tip.filter(sender__address=MARIJKE.wa_id).order_by("id")
    record = await consent.request_consent(used.id, editor, world.settings)
    await world.settle()
    await world.tap(MARIJKE, f"consent:{record.id}:named", "Ja, met naam")
    await actions.change_status(
        used.id, editor, world.settings, status="used", note="Gebeld met Marijke Zonnebloem",
        published_url="https://news.example/brand",
    )  # fmt: skip
    await world.settle()
    return used, other


async def _job_error_quoting(number: str) -> None:
    """A database error can quote a unique key into a job's last error."""
    await enqueue("search.index", {"tip_id": 0}, max_attempts=1)
    await Job.filter(kind="search.index", state=JobState.QUEUED).update(
        state=JobState.DONE, last_error=f"Key (wa_id)=({number}) already exists"
    )


async def _ask_erasure(world: World) -> None:
    await world.text(MARIJKE, "VERWIJDER")
    await world.tap(MARIJKE, "erase:confirm", "Ja, wis alles")
    await world.settle()


async def test_erasure_leaves_nothing_but_the_used_tips_pseudonymised_consent(
    world: World,
) -> None:
    editor = await _editor()
    used, other = await _her_tips(world, editor)
    await world.image(BAS, SHARED, "Zelfde foto van Bas", ago=60)
    await world.send(MARIJKE, {"type": "image", "image": {"mime_type": "image/png"}})
    assert await WebhookError.exists()  # a broken message: its excerpt carries her number
    # An error whose raw body the seven-day purge already removed.
    await WebhookError.create(kind="contract", detail="no id", excerpt={"from": MARIJKE.wa_id})
    await _job_error_quoting(MARIJKE.wa_id)
    store = media_store(world.settings)
    her_photo = await MediaAsset.get(tip_id=used.id)
    assert her_photo.sha256 and store.original(her_photo.sha256).exists()
    assert (await find_tips(world.settings, "Zeppelinstraat")).total == 1
    await rebuild(world.settings)  # the index it replaces stays one round, her words in it
    assert len(list((world.settings.data_dir / "search").glob("index-*"))) == 2
    assert "zeppelin" in index_words(world.settings).lower()

    await _ask_erasure(world)

    closing = world.sent_to(MARIJKE.wa_id)[-1]
    await world.report_statuses(closing)  # Meta's webhooks for it carry her number again
    assert MARIJKE.wa_id in await dump_database()
    await Job.filter(kind=ERASE_ECHOES).update(run_at=utcnow())
    await world.settle()
    goodbye = closing["body"]["text"]["body"]
    assert goodbye.startswith("Je gegevens zijn gewist.")
    assert "Van 1 gebruikte tip(s) bewaren we alleen" in goodbye
    dump = await dump_database()
    for secret in [MARIJKE.wa_id, MARIJKE.user_id or "", "Zonnebloem", "Marijke", *HER_TEXTS]:
        assert secret not in dump, secret
    assert BAS.wa_id in dump and "Zelfde foto van Bas" in dump  # the other reader is untouched
    assert not store.original(her_photo.sha256).exists()
    assert not store.variant_folder(her_photo.sha256).exists()
    bas_photo = await MediaAsset.get(tip__sender__address=BAS.wa_id)
    assert bas_photo.sha256 and store.original(bas_photo.sha256).exists()
    assert store.variant_folder(bas_photo.sha256).exists()
    for word in ("Zeppelinstraat", "kwakzalverij", "Zonnewijzerpad", "Zonnebloem"):
        assert (await find_tips(world.settings, word)).total == 0, word
    words = index_words(world.settings).lower()
    assert "zeppelin" not in words and "zonnebloem" not in words and "kwakzalver" not in words
    assert (await find_tips(world.settings, "Zelfde foto")).total == 1
    await _assert_evidence_kept(used.id, other.id)
    if not POSTGRES_URL:  # PostgreSQL's own files: VACUUM, see SECURITY.md
        assert files_holding(world.settings, [MARIJKE.wa_id, "Zonnebloem", *HER_TEXTS]) == []


async def _assert_evidence_kept(used_id: int, other_id: int) -> None:
    stub = await Sender.get(tips__id=used_id)
    assert stub.erased_at is not None
    assert (stub.address, stub.user_id, stub.phone, stub.display_name) == (None, None, None, "")
    tip = await Tip.get(id=used_id)
    assert tip.status is TipStatus.USED and tip.published_url == "https://news.example/brand"
    assert not await Tip.exists(id=other_id)
    record = await ConsentRecord.get(tip_id=used_id)
    assert record.state is ConsentState.GRANTED and record.scope is ConsentScope.NAMED
    assert record.credit_name is None
    assert record.question_text and record.request_external_id and record.answer_external_id
    assert record.answer_text == "Ja, met naam" and record.answered_at is not None
    erased = await AuditEvent.get(action="sender.erased")
    assert erased.detail["used_tips_kept"] == 1 and erased.detail["tips"] == 1
    # Twelve she sent or was sent, the update that her tip was used and the satisfaction
    # question after it.
    assert erased.detail["media"] == 2 and erased.detail["messages"] == 14
    assert erased.detail["webhooks"] >= 8 and not await WebhookError.exists()
    assert not await Job.filter(state=JobState.DEAD).exists()


async def test_a_second_erasure_finds_nothing_to_do(world: World) -> None:
    await world.text(MARIJKE, HER_TEXTS[0])
    await _ask_erasure(world)
    sent = len(world.fake.state.sent)
    dump = await dump_database()
    stub = await Sender.get(erased_at__isnull=False)
    await enqueue(ERASE_READER, {"sender_id": stub.id}, max_attempts=3)
    await world.settle()
    assert len(world.fake.state.sent) == sent
    assert await AuditEvent.filter(action="sender.erased").count() == 1
    assert _without_jobs(await dump_database()) == _without_jobs(dump)
    goodbye = world.sent_to(MARIJKE.wa_id)[-1]["body"]["text"]["body"]
    assert goodbye == "Je gegevens zijn gewist. We hebben niets bewaard."


def _without_jobs(dump: str) -> list[str]:
    return [
        line
        for line in dump.splitlines()
        if not line.startswith(("jobs:", "sqlite_sequence: jobs"))
    ]


async def test_unknown_readers_end_cleanly_and_malformed_payloads_die_with_a_reason(
    world: World,
) -> None:
    await enqueue(ERASE_READER, {"sender_id": 987654}, max_attempts=3)
    malformed = {
        "sender_id must be an int, not str": {"sender_id": "1; DROP TABLE senders"},
        "sender_id must be an int, not bool": {"sender_id": True},
        "needs a positive integer sender_id": {"sender_id": 0},
        "conversation.erase needs sender_id": {},
    }
    for payload in malformed.values():
        await enqueue(ERASE_READER, payload, max_attempts=3)
    await world.settle()
    jobs = await Job.filter(kind=ERASE_READER).order_by("id")
    assert jobs[0].state is JobState.DONE
    for job, reason in zip(jobs[1:], malformed, strict=True):
        # No retry can fix a payload: it dies on its first attempt, saying why.
        assert job.state is JobState.DEAD and job.attempts == 1
        assert reason in (job.last_error or ""), job.last_error
    assert world.fake.state.sent == []


async def test_erasure_waits_for_intake_then_removes_bodies_it_never_parsed(
    world: World,
) -> None:
    await world.text(MARIJKE, HER_TEXTS[0])
    body = f'{{"messages":[{{"from":"{MARIJKE.wa_id}","text":{{"body":"unparsed"}}}}]}}'.encode()
    waiting = await InboundWebhook.create(
        id=uuid.uuid4(), body=body, body_sha256=hashlib.sha256(body).hexdigest()
    )
    stuck = await InboundWebhook.create(
        id=uuid.uuid4(), body=body + b" ", body_sha256=hashlib.sha256(body + b" ").hexdigest()
    )
    await InboundWebhook.filter(id=stuck.id).update(received_at=utcnow() - timedelta(hours=2))
    await _ask_erasure(world)
    job = await Job.get(kind=ERASE_READER)
    assert job.state is JobState.DONE and job.attempts == 3  # waited twice, then went ahead
    assert not await InboundWebhook.filter(id__in=[waiting.id, stuck.id]).exists()
    assert len([m for m in world.sent_to(MARIJKE.wa_id) if "gewist" in str(m["body"])]) == 1
    assert MARIJKE.wa_id not in await dump_database()
