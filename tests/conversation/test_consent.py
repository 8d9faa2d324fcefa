"""Consent end to end: the request with three buttons, answers by tap and by text, the evidence
kept, a changed credit, revocation at any time, and the gate before `used`."""

from __future__ import annotations

import pytest

from tests.conversation.conftest import ANNE, Newsroom
from tipdesk.audit.models import AuditEvent
from tipdesk.conversation.consent import media_words
from tipdesk.conversation.models import ConsentRecord, ConsentScope, ConsentState
from tipdesk.conversation.texts import load_texts
from tipdesk.tips.models import MediaKind, Message, Tip


async def photo_tip(newsroom: Newsroom) -> int:
    media_id = newsroom.fake.store_media(b"\xff\xd8\xff\xe0 not really a jpeg", "image/jpeg")
    wamid = await newsroom.writes(type="image", image={"id": media_id, "mime_type": "image/jpeg"})
    return (await newsroom.tip_of(wamid)).id


async def ask(newsroom: Newsroom, tip_id: int) -> ConsentRecord:
    response = await newsroom.api("POST", f"/api/v1/tips/{tip_id}/consent-request")
    assert response.status_code == 201, response.text
    return await ConsentRecord.get(id=response.json()["id"])


async def test_the_request_has_three_buttons_in_order_within_whatsapp_limits(
    newsroom: Newsroom,
) -> None:
    record = await ask(newsroom, await photo_tip(newsroom))
    request = newsroom.sent()[-1]["interactive"]
    buttons = [b["reply"] for b in request["action"]["buttons"]]
    assert [b["title"] for b in buttons] == ["Ja, met naam", "Ja, anoniem", "Nee"]
    assert [b["id"] for b in buttons] == [
        f"consent:{record.id}:{s}" for s in ("named", "anonymous", "refused")
    ]
    assert all(len(b["title"]) <= 20 for b in buttons)
    assert request["body"]["text"] == record.question_text
    assert record.state is ConsentState.REQUESTED
    assert [m.id for m in await record.media.all()] != []


async def test_a_tap_grants_with_the_profile_name_and_keeps_the_evidence(
    newsroom: Newsroom,
) -> None:
    record = await ask(newsroom, await photo_tip(newsroom))
    answer = await newsroom.taps(f"consent:{record.id}:named", "Ja, met naam")
    record = await ConsentRecord.get(id=record.id)
    assert (record.state, record.scope, record.credit_name) == (
        ConsentState.GRANTED, ConsentScope.NAMED, "Anne",
    )  # fmt: skip
    assert record.answer_external_id == answer and record.answer_text == "Ja, met naam"
    assert record.request_external_id == newsroom.fake.state.sent[-2]["id"]  # before the thanks
    # WhatsApp's timestamps have whole seconds.
    assert record.answered_at is not None
    assert record.requested_at.replace(microsecond=0) <= record.answered_at
    assert "We vermelden je als Anne" in newsroom.texts_sent()[-1]
    # The answer is part of the tip's conversation.
    assert (await Message.get(external_id=answer)).tip_id == record.tip_id
    await newsroom.writes("NAAM Anne de Vries")
    assert (await ConsentRecord.get(id=record.id)).credit_name == "Anne de Vries"
    assert "Anne de Vries" in newsroom.texts_sent()[-1]


@pytest.mark.parametrize(
    ("answer", "state", "scope"),
    [
        ("ja hoor", ConsentState.GRANTED, ConsentScope.NAMED),
        ("Prima!", ConsentState.GRANTED, ConsentScope.NAMED),
        ("yes", ConsentState.GRANTED, ConsentScope.NAMED),
        ("anoniem graag", ConsentState.GRANTED, ConsentScope.ANONYMOUS),
        ("Ja graag!", ConsentState.GRANTED, ConsentScope.NAMED),
        ("nee liever niet", ConsentState.REFUSED, None),
        ("misschien", None, None),
        ("Liever anoniem.", ConsentState.GRANTED, ConsentScope.ANONYMOUS),
        ("liever niet", ConsentState.REFUSED, None),
        ("Nee", ConsentState.REFUSED, None),
        ("no thanks", ConsentState.REFUSED, None),
    ],
)
async def test_text_answers_are_understood_in_dutch_and_english(
    newsroom: Newsroom, answer: str, state: ConsentState | None, scope: ConsentScope | None
) -> None:
    record = await ask(newsroom, await photo_tip(newsroom))
    await newsroom.writes(answer)
    record = await ConsentRecord.get(id=record.id)
    if state is None:  # not an answer the desk understands: still asked, and the text is kept
        assert record.state is ConsentState.REQUESTED
        assert await Message.filter(text=answer).exists()
        return
    assert (record.state, record.scope) == (state, scope)
    assert record.answer_text == answer


async def test_used_needs_consent_unless_a_chief_overrides_with_a_reason(
    newsroom: Newsroom,
) -> None:
    tip_id = await photo_tip(newsroom)
    path = f"/api/v1/tips/{tip_id}/status"
    refused = await newsroom.api("POST", path, json={"status": "used"})
    assert refused.status_code == 409 and "consent" in refused.json()["error"]["message"]
    editor = await newsroom.api("POST", path, json={"status": "used", "override_reason": "Nood"})
    assert editor.status_code == 403
    chief = await newsroom.api(
        "POST",
        path,
        "Chief",
        json={"status": "used", "override_reason": "Calamiteit: openbaar belang"},
    )
    assert chief.status_code == 200, chief.text
    event = await AuditEvent.get(action="tip.consent_overridden")
    assert event.detail["reason"] == "Calamiteit: openbaar belang"


async def test_granted_consent_opens_the_gate_and_revocation_closes_it(newsroom: Newsroom) -> None:
    tip_id = await photo_tip(newsroom)
    record = await ask(newsroom, tip_id)
    await newsroom.taps(f"consent:{record.id}:anonymous", "Ja, anoniem")
    await newsroom.writes("INTREKKEN")
    record = await ConsentRecord.get(id=record.id)
    assert record.state is ConsentState.REVOKED and record.revoked_at is not None
    assert "ingetrokken" in newsroom.texts_sent()[-1]
    refused = await newsroom.api("POST", f"/api/v1/tips/{tip_id}/status", json={"status": "used"})
    assert refused.status_code == 409
    again = await ask(newsroom, tip_id)
    await newsroom.taps(f"consent:{again.id}:named", "Ja, met naam")
    used = await newsroom.api(
        "POST", f"/api/v1/tips/{tip_id}/status",
        json={"status": "used", "published_url": "https://omroep.example/boom"},
    )  # fmt: skip
    assert used.status_code == 200
    assert used.json()["consent"] == {"state": "granted", "scope": "named", "credit": "Anne"}
    # The update, then the satisfaction question of a closed tip.
    update, question = newsroom.texts_sent()[-2:]
    assert update.endswith("https://omroep.example/boom — dank je wel!")
    assert question.startswith(f"Je tip {tip_id} is afgehandeld.")


async def test_asking_twice_while_waiting_is_refused_and_tips_without_media_cannot_ask(
    newsroom: Newsroom,
) -> None:
    tip_id = await photo_tip(newsroom)
    await ask(newsroom, tip_id)
    again = await newsroom.api("POST", f"/api/v1/tips/{tip_id}/consent-request")
    assert again.status_code == 409
    text = await newsroom.writes("alleen tekst", wa_id="31699999999")
    plain = await newsroom.api(
        "POST", f"/api/v1/tips/{(await newsroom.tip_of(text)).id}/consent-request"
    )
    assert plain.status_code == 400
    assert (await newsroom.api("POST", "/api/v1/tips/999/consent-request")).status_code == 404


async def test_a_stale_or_foreign_button_changes_nothing(newsroom: Newsroom) -> None:
    record = await ask(newsroom, await photo_tip(newsroom))
    await newsroom.taps(f"consent:{record.id}:named", "Ja, met naam", wa_id="31687654321", name="X")
    await newsroom.taps("consent:999:named", "Ja, met naam")
    await newsroom.taps("consent:abc:everything", "Ja")
    assert (await ConsentRecord.get(id=record.id)).state is ConsentState.REQUESTED
    assert ANNE


async def test_an_unclear_answer_is_asked_once_more_with_the_buttons_and_flagged(
    newsroom: Newsroom,
) -> None:
    tip_id = await photo_tip(newsroom)
    record = await ask(newsroom, tip_id)
    await newsroom.writes("misschien, wat gaan jullie ermee doen?")
    again = newsroom.sent()[-1]["interactive"]
    assert again["body"]["text"].startswith("Sorry, dat begreep ik niet helemaal.")
    assert record.question_text in again["body"]["text"]
    assert [b["reply"]["id"] for b in again["action"]["buttons"]] == [
        f"consent:{record.id}:{s}" for s in ("named", "anonymous", "refused")
    ]
    assert (await Tip.get(id=tip_id)).consent_unclear_at is not None
    assert await AuditEvent.exists(action="consent.unclear", tip_id=tip_id)
    board = (await newsroom.desk.get("/board", headers=await newsroom.editor("Bram"))).text
    assert "antwoord op toestemming onduidelijk" in board
    sent = len(newsroom.sent())
    await newsroom.writes("weet ik nog niet")
    assert len(newsroom.sent()) == sent, "a second unclear answer gets no third question"
    assert (await ConsentRecord.get(id=record.id)).state is ConsentState.REQUESTED
    await newsroom.writes("ok prima, met naam")
    record = await ConsentRecord.get(id=record.id)
    assert (record.state, record.scope) == (ConsentState.GRANTED, ConsentScope.NAMED)
    assert (await Tip.get(id=tip_id)).consent_unclear_at is None


@pytest.mark.parametrize(
    ("kinds", "dutch", "english"),
    [
        (["image"], "je foto", "your photo"),
        (["image", "image"], "je foto's", "your photos"),
        (["video"], "je video", "your video"),
        (["video", "video", "video"], "je video's", "your videos"),
        (["voice"], "je spraakbericht", "your voice message"),
        (["document", "document"], "je bestanden", "your files"),
        (["image", "video"], "je beelden", "your photos and videos"),
    ],
)
def test_the_question_names_what_the_reader_sent(
    kinds: list[str], dutch: str, english: str
) -> None:
    texts = load_texts(None)
    sent = [MediaKind(kind) for kind in kinds]
    assert media_words(texts.languages["nl"], sent) == dutch
    assert media_words(texts.languages["en"], sent) == english


async def test_a_photo_tip_is_asked_about_the_photo(newsroom: Newsroom) -> None:
    record = await ask(newsroom, await photo_tip(newsroom))
    assert record.question_text.startswith("Mogen we je foto bij je tip ")
