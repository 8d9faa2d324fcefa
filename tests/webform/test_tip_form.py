"""The web tip form end to end over HTTP: a tip with a photo lands on the board like any other,
the reader reads the desk's answers on their private page, answers the consent question with
its buttons, writes back, and is told by mail that an answer waits."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.conversation.reader_world import photo
from tests.webform.conftest import FormDesk
from tipdesk.conversation.models import ConsentRecord, ConsentState
from tipdesk.tips.models import Direction, MediaAsset, MediaState, Message, Sender, Tip
from tipdesk.webform.models import WebformContact

LINK = re.compile(r'id="private-link">(http://[^<]+)<')


async def sent_tip(desk: FormDesk, **fields: str) -> tuple[Tip, str]:
    """The reader sends a tip with a photo; the tip and the path of their private link."""
    response = await desk.submit(
        {"message": "Boom omgewaaid op de Stationsstraat", "name": "Anne", **fields},
        [("boom.png", photo((30, 120, 40)), "image/png")],
    )
    assert response.status_code == 200, response.text
    found = LINK.search(response.text)
    assert found is not None
    await desk.settle()
    tip = await Tip.get()
    return tip, found.group(1).removeprefix(desk.settings.public_url)


async def test_a_form_tip_with_a_photo_is_a_tip_like_any_other(form_desk: FormDesk) -> None:
    tip, link = await sent_tip(form_desk, email="anne@example.nl", phone="06 1234 5678")

    sender = await Sender.get(id=tip.sender_id)
    assert (sender.display_name, sender.language, sender.address) == ("Anne", "nl", None)
    contact = await WebformContact.get(address=sender.user_id)
    assert (contact.email, contact.phone) == ("anne@example.nl", "0612345678")
    asset = await MediaAsset.get(tip_id=tip.id)
    assert asset.state is MediaState.READY
    assert not list((form_desk.settings.data_dir / "webform").iterdir()), "staged file left"
    listed = await form_desk.api("GET", "/api/v1/tips", params={"q": "Stationsstraat"})
    assert listed.status_code == 200, listed.text
    assert [t["id"] for t in listed.json()["items"]] == [tip.id]

    page = await form_desk.http.get(link)
    assert page.status_code == 200
    assert f"<strong>{tip.id}</strong>" in page.text
    assert "Dank je wel, Anne!" in page.text  # the desk's confirmation, in the reader's thread


async def test_the_reader_reads_a_reply_taps_consent_and_writes_back(form_desk: FormDesk) -> None:
    tip, link = await sent_tip(form_desk)
    reply = await form_desk.api(
        "POST", f"/api/v1/tips/{tip.id}/reply", json={"text": "Mogen we je bellen?"}
    )
    assert reply.status_code == 202, reply.text
    asked = await form_desk.api("POST", f"/api/v1/tips/{tip.id}/consent-request")
    assert asked.status_code == 201, asked.text
    record = await ConsentRecord.get(id=asked.json()["id"])

    page = await form_desk.http.get(link)
    assert "Mogen we je bellen?" in page.text
    assert record.question_text in page.text
    question = await Message.get(direction=Direction.OUTBOUND, purpose="consent_request")
    tapped = await form_desk.http.post(
        f"{link}/answer",
        data={"question": question.external_id, "choice": f"consent:{record.id}:anonymous"},
    )
    assert tapped.status_code == 200  # after the redirect back to the conversation
    await form_desk.settle()
    await record.refresh_from_db()
    assert record.state is ConsentState.GRANTED
    assert record.scope is not None and record.scope.value == "anonymous"

    # As a browser sends the form with no file chosen: multipart, with an empty file part.
    nothing = {"files": ("", b"", "application/octet-stream")}
    wrote = await form_desk.http.post(
        f"{link}/write", data={"message": "Ja hoor, bel maar na vijven"}, files=nothing
    )
    assert wrote.status_code == 200
    await form_desk.settle()
    inbound = await Message.filter(tip_id=tip.id, direction=Direction.INBOUND).order_by("id")
    assert inbound[-1].text == "Ja hoor, bel maar na vijven"


async def test_the_reader_is_mailed_once_per_unseen_answer(form_desk: FormDesk) -> None:
    tip, link = await sent_tip(form_desk, email="anne@example.nl")
    await form_desk.settle(ahead=timedelta(minutes=2))
    # The confirmation went out while the reader was on the thanks page: one mail for it.
    assert len(form_desk.mailbox.mails) == 1
    mail = form_desk.mailbox.mails[0]
    assert mail["To"] == "anne@example.nl"
    assert "Omroep Tipdesk" in mail["From"]
    payload = mail.get_payload(decode=True)
    assert isinstance(payload, bytes)
    body = payload.decode().replace("\r\n", "\n")
    assert body.startswith("Hallo,\n\nEr is een antwoord van de redactie op je tip.")
    assert f"{form_desk.settings.public_url}{link}" in body
    assert "Stationsstraat" not in body  # the mail never carries the conversation

    await form_desk.api("POST", f"/api/v1/tips/{tip.id}/reply", json={"text": "Dank!"})
    await form_desk.settle(ahead=timedelta(minutes=2))
    assert len(form_desk.mailbox.mails) == 1  # not been to look since the last mail
    await form_desk.http.get(link)
    await form_desk.api("POST", f"/api/v1/tips/{tip.id}/reply", json={"text": "Nog een vraag"})
    await form_desk.settle(ahead=timedelta(minutes=2))
    assert len(form_desk.mailbox.mails) == 2


async def test_the_desk_answers_a_form_reader_days_later(form_desk: FormDesk) -> None:
    """The web form has no 24-hour window: nothing is held, no template is sent."""
    tip, link = await sent_tip(form_desk)
    sender = await Sender.get(id=tip.sender_id)
    assert sender.channel == "webform"
    assert sender.last_inbound_at is not None
    await Sender.filter(id=sender.id).update(
        last_inbound_at=sender.last_inbound_at - timedelta(days=3)
    )
    reply = await form_desk.api(
        "POST", f"/api/v1/tips/{tip.id}/reply", json={"text": "Nog even over je tip"}
    )
    assert reply.status_code == 202, reply.text
    assert reply.json()["window_open"] is True and reply.json()["notice"] is None
    answer = await Message.get(tip_id=tip.id, purpose="reply")
    assert answer.delivery.value == "sent"
    assert not await Message.filter(purpose="window_template").exists()
    assert "Nog even over je tip" in (await form_desk.http.get(link)).text


async def test_a_form_reader_may_answer_the_consent_question_in_words(
    form_desk: FormDesk,
) -> None:
    """As people write it, not only the buttons: the same reading of answers as WhatsApp's."""
    tip, link = await sent_tip(form_desk)
    asked = await form_desk.api("POST", f"/api/v1/tips/{tip.id}/consent-request")
    record = await ConsentRecord.get(id=asked.json()["id"])
    nothing = {"files": ("", b"", "application/octet-stream")}
    await form_desk.http.post(f"{link}/write", data={"message": "ja hoor prima 👍"}, files=nothing)
    await form_desk.settle()
    await record.refresh_from_db()
    assert record.state is ConsentState.GRANTED
    assert record.answer_text == "ja hoor prima 👍"
