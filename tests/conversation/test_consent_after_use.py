"""Consent withdrawn after use: the reader hears the truth (the footage was used), the desk is
alerted on the board, the tip and /admin until an editor handles it, and the evidence of every
consent record is in the tip's and the sender's JSON and on the tip page."""

from __future__ import annotations

import re

import httpx

from tests.conversation.conftest import Newsroom
from tests.conversation.test_consent import ask, photo_tip
from tests.editorial_ui.sessions import csrf, log_in_as
from tipdesk.audit.models import AuditEvent
from tipdesk.editors.models import Role
from tipdesk.tips.models import Tip, TipStatus


async def used_with_override(newsroom: Newsroom) -> int:
    tip_id = await photo_tip(newsroom)
    used = await newsroom.api(
        "POST", f"/api/v1/tips/{tip_id}/status", "Chief",
        json={"status": "used", "override_reason": "Calamiteit: openbaar belang",
              "published_url": "https://omroep.example/brand"},
    )  # fmt: skip
    assert used.status_code == 200, used.text
    return tip_id


async def test_a_refusal_after_a_chiefs_override_tells_the_truth_and_alerts(
    newsroom: Newsroom,
) -> None:
    tip_id = await used_with_override(newsroom)
    record = await ask(newsroom, tip_id)
    await newsroom.taps(f"consent:{record.id}:refused", "Nee")
    answer = newsroom.texts_sent()[-1]
    assert "al gebruikt" in answer and "niet (meer)" not in answer
    tip = await Tip.get(id=tip_id)
    assert tip.consent_alert_at is not None and tip.status is TipStatus.USED
    event = await AuditEvent.get(action="consent.withdrawn_after_use")
    assert event.detail == {"consent_id": record.id, "answer": "refused"}
    body = (await newsroom.api("GET", f"/api/v1/tips/{tip_id}")).json()
    assert body["consent_alert_at"] is not None


async def test_revocation_after_publication_alerts_until_an_editor_handles_it(
    newsroom: Newsroom,
) -> None:
    tip_id = await photo_tip(newsroom)
    record = await ask(newsroom, tip_id)
    await newsroom.taps(f"consent:{record.id}:named", "Ja, met naam")
    await newsroom.api("POST", f"/api/v1/tips/{tip_id}/status", json={"status": "used"})
    await newsroom.writes("INTREKKEN")
    assert "al gebruikt" in newsroom.texts_sent()[-1]
    headers = await newsroom.editor("Chief")
    board = (await newsroom.desk.get("/board", headers=headers)).text
    assert "toestemming ingetrokken na gebruik" in board
    page = (await newsroom.desk.get(f"/tips/{tip_id}", headers=headers)).text
    assert "Toestemming ingetrokken na gebruik." in page
    await newsroom.editor("Beheer", Role.ADMIN)
    admin = (await newsroom.desk.get("/admin", headers=newsroom.tokens["Beheer"])).text
    assert f"tip #{tip_id}</a> · gebruikt, daarna geweigerd of ingetrokken" in admin

    browser = httpx.AsyncClient(base_url=str(newsroom.desk.base_url))
    async with browser:
        await log_in_as(browser, "chief@desk.example")
        token = await csrf(browser, f"/tips/{tip_id}")
        done = await browser.post(
            f"/tips/{tip_id}/consent-alert", data={"csrf_token": token, "note": "Video offline"}
        )
        assert done.status_code == 303
        shown = (await browser.get(done.headers["location"])).text
        assert 'class="flash flash-success"' in shown and "Melding afgehandeld." in shown
    assert (await Tip.get(id=tip_id)).consent_alert_at is None
    handled = await AuditEvent.get(action="consent.alert_handled")
    assert handled.detail == {"note": "Video offline"}
    board = (await newsroom.desk.get("/board", headers=headers)).text
    assert "toestemming ingetrokken na gebruik" not in board


async def test_a_refusal_before_use_is_answered_as_before(newsroom: Newsroom) -> None:
    tip_id = await photo_tip(newsroom)
    record = await ask(newsroom, tip_id)
    await newsroom.taps(f"consent:{record.id}:refused", "Nee")
    assert "al gebruikt" not in newsroom.texts_sent()[-1]
    assert (await Tip.get(id=tip_id)).consent_alert_at is None


async def test_the_evidence_is_in_the_tip_the_sender_and_the_tip_page(
    newsroom: Newsroom,
) -> None:
    tip_id = await photo_tip(newsroom)
    record = await ask(newsroom, tip_id)
    answer = await newsroom.taps(f"consent:{record.id}:anonymous", "Ja, anoniem")
    body = (await newsroom.api("GET", f"/api/v1/tips/{tip_id}")).json()
    (evidence,) = body["consent_records"]
    assert evidence["question"] == record.question_text
    assert (evidence["answer"], evidence["answer_wamid"]) == ("Ja, anoniem", answer)
    assert evidence["request_wamid"] and evidence["requested_by"]["display_name"] == "Bram"
    # WhatsApp's names are kept beside the channel-neutral ones.
    assert evidence["answer_external_id"] == answer
    assert evidence["request_external_id"] == evidence["request_wamid"]
    assert (evidence["state"], evidence["scope"]) == ("granted", "anonymous")
    assert evidence["media"] and evidence["answered_at"] and evidence["revoked_at"] is None
    actions = [event["action"] for event in body["history"]]
    assert actions[-2:] == ["consent.requested", "consent.granted"]
    sender = (await newsroom.api("GET", f"/api/v1/senders/{body['sender']['id']}")).json()
    assert sender["consent_records"] == [evidence]
    page = await newsroom.desk.get(f"/tips/{tip_id}", headers=await newsroom.editor("Bram"))
    assert "Bewijs van toestemming (1)" in page.text
    assert re.search(r"Toestemming: <span [^>]*>gegeven</span>, anoniem", page.text)
    section = page.text.split('class="consent-evidence"')[1].split("</details>")[0]
    assert answer in section and "gegeven, anoniem" in section
    assert "granted" not in section and "anonymous" not in section  # no internal codes
