"""Editor replies and the 24-hour window: signed, quoting, never sent blindly outside the window
(the template goes, the reply waits for the reader), also when Meta reports 131047 later."""

from __future__ import annotations

import asyncio
import itertools
import time
from datetime import timedelta

import pytest

from tests.conversation.conftest import Newsroom
from tests.editorial_ui.sessions import log_in_as
from tests.editorial_ui.test_login import csrf
from tipdesk.desk import desk_job_kinds, desk_worker
from tipdesk.tips.models import DeliveryState, Message, Tip


async def test_a_reply_is_signed_quotes_and_claims_the_tip(newsroom: Newsroom) -> None:
    wamid = await newsroom.writes("Boom om op de Stationsstraat")
    tip = await newsroom.tip_of(wamid)
    response = await newsroom.api(
        "POST", f"/api/v1/tips/{tip.id}/reply", json={"text": "Heb je een foto?", "quote": wamid}
    )
    assert response.status_code == 202, response.text
    assert response.json()["window_open"] is True and response.json()["notice"] is None
    sent = newsroom.sent()[-1]
    assert sent["text"]["body"] == "Heb je een foto?\n\n— Bram, de redactie"
    assert sent["context"] == {"message_id": wamid}
    reply = await Message.get(purpose="reply")
    assert reply.editor_id is not None and reply.delivery is not DeliveryState.QUEUED
    shown = (await newsroom.api("GET", f"/api/v1/tips/{tip.id}")).json()
    assert shown["claimed_by"]["display_name"] == "Bram"
    assert shown["messages"][-1]["purpose"] == "reply"


async def test_a_reply_to_a_reader_who_sent_stop_warns_the_editor(newsroom: Newsroom) -> None:
    tip = await newsroom.tip_of(await newsroom.writes("Boom om op de Stationsstraat"))
    await newsroom.writes("STOP")
    response = await newsroom.api(
        "POST", f"/api/v1/tips/{tip.id}/reply", json={"text": "Mogen we je bellen?"}
    )
    assert response.status_code == 202, response.text
    notice = response.json()["notice"]
    assert "STOP" in notice and "Deze lezer" in notice and "This reader" in notice
    assert newsroom.texts_sent()[-1].startswith("Mogen we je bellen?")
    await newsroom.editor("Bram")
    await log_in_as(newsroom.desk, "bram@desk.example")
    page = await newsroom.desk.get(f"/tips/{tip.id}")
    assert "Deze lezer stuurde STOP" in page.text


async def test_a_tip_claimed_by_another_editor_cannot_be_answered(newsroom: Newsroom) -> None:
    tip = await newsroom.tip_of(await newsroom.writes("Brand"))
    await newsroom.api("POST", f"/api/v1/tips/{tip.id}/claim", "Anne")
    response = await newsroom.api("POST", f"/api/v1/tips/{tip.id}/reply", json={"text": "Hoi"})
    assert response.status_code == 409 and "Anne" in response.json()["error"]["message"]


async def test_outside_the_window_the_template_goes_and_the_reply_waits(newsroom: Newsroom) -> None:
    tip = await newsroom.tip_of(await newsroom.writes("Brand"))
    await newsroom.age_window()
    response = await newsroom.api(
        "POST", f"/api/v1/tips/{tip.id}/reply", json={"text": "Is het vuur al uit?"}
    )
    assert response.status_code == 202
    assert response.json()["window_open"] is False and "24 hours" in response.json()["notice"]
    assert newsroom.sent()[-1]["type"] == "template"
    assert newsroom.sent()[-1]["template"]["name"] == "tipdesk_bericht_klaar"
    assert (await Message.get(purpose="reply")).delivery is DeliveryState.HELD
    # A second reply is held too, without a second template.
    await newsroom.api("POST", f"/api/v1/tips/{tip.id}/reply", json={"text": "En nog iets"})
    assert [b["type"] for b in newsroom.sent()].count("template") == 1
    await newsroom.writes("Ja hoor, wat is er?")
    held = [t for t in newsroom.texts_sent() if t.startswith(("Is het vuur", "En nog iets"))]
    assert held == [
        "Is het vuur al uit?\n\n— Bram, de redactie",
        "En nog iets\n\n— Bram, de redactie",
    ]
    assert not await Message.filter(delivery=DeliveryState.HELD).exists()


@pytest.mark.parametrize("answer", ["button", "text"])
async def test_the_answer_to_the_template_joins_the_tip_it_answers(
    newsroom: Newsroom, answer: str
) -> None:
    """Issue 18: the reader's "Ja hoor" released the held reply and then also opened a new tip
    with a second confirmation (four messages in a row). It belongs to the tip it answers."""
    tip = await newsroom.tip_of(await newsroom.writes("Brand"))
    await newsroom.age_window()
    earlier = timedelta(hours=25)
    await Tip.filter(id=tip.id).update(
        first_message_at=tip.first_message_at - earlier,
        last_message_at=tip.last_message_at - earlier,
    )
    await newsroom.api("POST", f"/api/v1/tips/{tip.id}/reply", json={"text": "Is het vuur al uit?"})
    template = await Message.get(purpose="window_template")
    before = len(newsroom.sent())
    if answer == "button":
        wamid = await newsroom.writes(
            type="button", button={"payload": "OK", "text": "Ja hoor"},
            context={"from": "31851234567", "id": template.external_id},
        )  # fmt: skip
    else:
        wamid = await newsroom.writes("Ja hoor, wat is er?")
    assert (await Message.get(external_id=wamid)).tip_id == tip.id
    assert await Tip.all().count() == 1
    assert newsroom.texts_sent()[before:] == ["Is het vuur al uit?\n\n— Bram, de redactie"]


async def test_a_late_131047_from_meta_takes_the_same_path(newsroom: Newsroom) -> None:
    tip = await newsroom.tip_of(await newsroom.writes("Brand"))
    newsroom.fake.state.last_inbound["31612345678"] -= 25 * 3600  # Meta's clock only
    await newsroom.api("POST", f"/api/v1/tips/{tip.id}/reply", json={"text": "Nog daar?"})
    reply = await Message.get(purpose="reply")
    assert reply.delivery is DeliveryState.HELD
    assert reply.delivery_error is not None and reply.delivery_error["code"] == 131047
    assert newsroom.sent()[-1]["type"] == "template"
    await newsroom.writes("Ja")
    assert newsroom.texts_sent()[-1].startswith("Nog daar?")
    assert (await Message.get(id=reply.id)).delivery is not DeliveryState.HELD


async def test_hostile_replies_are_refused_with_nothing_sent(newsroom: Newsroom) -> None:
    tip = await newsroom.tip_of(await newsroom.writes("Brand"))
    before = len(newsroom.sent())
    path = f"/api/v1/tips/{tip.id}/reply"
    hostile = [
        {"text": ""}, {"text": "   "}, {"text": 5}, {"text": "x" * 5000}, {"txt": "hoi"},
        {"text": "hoi", "quote": "wamid.elsewhere"}, {"text": "hoi", "quote": 3},
    ]  # fmt: skip
    for body in hostile:
        response = await newsroom.api("POST", path, json=body)
        assert response.status_code == 400, body
    assert (await newsroom.api("POST", path, content=b"{nope")).status_code == 400
    assert (
        await newsroom.api("POST", "/api/v1/tips/404/reply", json={"text": "x"})
    ).status_code == 404
    script = await newsroom.api("POST", path, json={"text": "<script>alert(1)</script>"})
    assert script.status_code == 202  # sent as the text it is; the board escapes it
    assert len(newsroom.sent()) == before + 1


async def test_a_blocked_reader_gets_nothing_but_their_messages_are_kept(
    newsroom: Newsroom,
) -> None:
    tip = await newsroom.tip_of(await newsroom.writes("Brand"))
    sender_id = tip.sender_id
    assert (await newsroom.api("POST", f"/api/v1/senders/{sender_id}/block")).json()["blocked"]
    await newsroom.api("POST", f"/api/v1/tips/{tip.id}/status", json={"status": "rejected"})
    await newsroom.writes("Nieuwe tip na de blokkade")
    assert len(newsroom.texts_sent()) == 1  # only the first confirmation
    reply = await newsroom.api("POST", f"/api/v1/tips/{tip.id}/reply", json={"text": "Hoi"})
    assert reply.status_code == 409
    assert await Message.filter(direction="in").count() == 2
    unblocked = await newsroom.api("POST", f"/api/v1/senders/{sender_id}/unblock")
    assert unblocked.json()["blocked"] is False
    assert (await newsroom.api("POST", "/api/v1/senders/99/block")).status_code == 404


async def test_status_updates_for_the_chosen_statuses_only(newsroom: Newsroom) -> None:
    tip = await newsroom.tip_of(await newsroom.writes("Brand"))
    for status in ("in_review", "verified", "in_review"):
        await newsroom.api("POST", f"/api/v1/tips/{tip.id}/status", json={"status": status})
    updates = newsroom.texts_sent()[1:]
    assert updates == [f"Een redacteur is nu met je tip {tip.id} bezig."]


async def test_read_receipts_only_when_an_editor_opens_the_tip(newsroom: Newsroom) -> None:
    """Fetching the page changes nothing; the page's own POST (with the session's CSRF token,
    as its script sends it) marks the reader's messages read, once."""
    first = await newsroom.writes("Brand")
    last = await newsroom.writes("Grote brand")
    assert newsroom.fake.state.read_receipts == []
    tip = await newsroom.tip_of(first)
    await newsroom.editor("Bram")
    login = await log_in_as(newsroom.desk, "bram@desk.example")
    assert login.status_code == 303
    page = await newsroom.desk.get(f"/tips/{tip.id}")
    await newsroom.settle()
    assert page.status_code == 200
    assert 'src="/static/tip.js"' in page.text
    assert newsroom.fake.state.read_receipts == []
    assert {m.delivery for m in await Message.filter(direction="in")} == {DeliveryState.RECEIVED}
    token = await csrf(newsroom.desk, f"/tips/{tip.id}")
    for refused in ({}, {"x-csrf-token": "forged"}):
        response = await newsroom.desk.post(f"/tips/{tip.id}/opened", headers=refused)
        assert response.status_code == 403
    await newsroom.settle()
    assert newsroom.fake.state.read_receipts == []
    for _ in range(2):
        opened = await newsroom.desk.post(f"/tips/{tip.id}/opened", headers={"x-csrf-token": token})
        assert opened.status_code == 204
        await newsroom.settle()
    assert newsroom.fake.state.read_receipts == [last]
    assert {m.delivery for m in await Message.filter(direction="in")} == {DeliveryState.READ}


async def test_the_tip_page_composer_replies_and_asks_with_csrf(newsroom: Newsroom) -> None:
    tip = await newsroom.tip_of(await newsroom.writes("Brand"))
    await newsroom.editor("Bram")
    await log_in_as(newsroom.desk, "bram@desk.example")
    page = await newsroom.desk.get(f"/tips/{tip.id}")
    assert 'action="/tips/1/reply"' in page.text and "Blokkeer lezer" in page.text
    forged = await newsroom.desk.post(f"/tips/{tip.id}/reply", data={"text": "Hoi"})
    assert forged.status_code == 403
    token = await csrf(newsroom.desk, f"/tips/{tip.id}")
    posted = await newsroom.desk.post(
        f"/tips/{tip.id}/reply", data={"csrf_token": token, "text": "<b>Hoi</b> lezer"}
    )
    assert posted.status_code == 303
    await newsroom.settle()
    assert newsroom.texts_sent()[-1].startswith("<b>Hoi</b> lezer")
    page = await newsroom.desk.get(f"/tips/{tip.id}")
    assert "&lt;b&gt;Hoi&lt;/b&gt; lezer" in page.text and "<b>Hoi</b>" not in page.text


async def test_messages_to_one_reader_are_paced(newsroom: Newsroom) -> None:
    object.__setattr__(newsroom.settings, "reader_send_interval", timedelta(milliseconds=400))
    tip = await newsroom.tip_of(await newsroom.writes("Brand"))
    for text in ("Een", "Twee"):
        await newsroom.desk.post(
            f"/api/v1/tips/{tip.id}/reply",
            json={"text": text},
            headers=await newsroom.editor("Bram"),
        )
    await newsroom.settle()
    times = [m["at"] for m in newsroom.fake.state.sent]
    assert len(times) == 3
    assert all(later - earlier >= 0.35 for earlier, later in itertools.pairwise(times))


async def test_workers_sending_at_once_never_share_a_reader_slot(newsroom: Newsroom) -> None:
    """Four workers draining together: each send to the reader claims its own slot, so the
    fake Graph API receives them at least the interval apart (the check-then-send race gave
    gaps of 0 s)."""
    interval = 0.3
    object.__setattr__(newsroom.settings, "reader_send_interval", timedelta(seconds=interval))
    tip = await newsroom.tip_of(await newsroom.writes("Brand"))
    await newsroom.settle()
    headers = await newsroom.editor("Bram")
    for n in range(8):
        await newsroom.desk.post(
            f"/api/v1/tips/{tip.id}/reply", json={"text": f"Vraag {n}"}, headers=headers
        )
    kinds = desk_job_kinds(newsroom.settings)
    workers = [desk_worker(newsroom.settings, kinds, concurrency=2) for _ in range(4)]
    deadline = time.monotonic() + 30
    while len(newsroom.fake.state.sent) < 9:
        assert time.monotonic() < deadline, "the replies were never sent"
        await asyncio.gather(*(worker.drain() for worker in workers))
        await asyncio.sleep(0.01)
    times = [m["at"] for m in newsroom.fake.state.sent]
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert min(gaps) >= interval - 0.03, gaps


async def test_the_number_stays_within_its_send_rate(newsroom: Newsroom) -> None:
    object.__setattr__(newsroom.settings, "send_rate", 2)
    for n in range(3):
        newsroom.fake.reader_sends(
            {"type": "text", "text": {"body": f"Brand {n}"}}, f"3161{n:07d}", "Lezer"
        )
    await newsroom.settle()
    times = sorted(m["at"] for m in newsroom.fake.state.sent)
    assert len(times) == 3
    # Two a second: the third confirmation waits for the second to pass.
    assert times[2] - times[0] >= 0.9


async def test_an_editor_chooses_the_reader_s_language(newsroom: Newsroom) -> None:
    tip = await newsroom.tip_of(await newsroom.writes("Brand"))
    path = f"/api/v1/senders/{tip.sender_id}/language"
    for body in ({"language": 5}, {"language": "klingon"}, {"language": "<b>nl</b>"}, {}):
        response = await newsroom.api("POST", path, json=body)
        assert response.status_code == 400, body
    assert (await newsroom.api("POST", path, content=b"[1, 2")).status_code == 400
    assert (await newsroom.api("POST", path, json={"language": "en"})).json()["language"] == "en"
    await newsroom.api("POST", f"/api/v1/tips/{tip.id}/status", json={"status": "in_review"})
    assert newsroom.texts_sent()[-1] == f"An editor is now working on your tip {tip.id}."
    reset = await newsroom.api("POST", path, json={"language": None})
    assert reset.json()["language"] is None
    unknown = "/api/v1/senders/2147483648/language"
    assert (await newsroom.api("POST", unknown, json={"language": "nl"})).status_code == 404
