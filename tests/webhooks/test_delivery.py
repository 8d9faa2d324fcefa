"""Outbound webhooks end to end: a reader writes through the fake Graph API, editors act over the
API, and a real receiving server on its own port gets signed bodies, in order per tip, through
failures, timeouts and slow answers. On SQLite and PostgreSQL."""

from __future__ import annotations

import re
import time
from dataclasses import replace
from datetime import timedelta

from tests.conversation.conftest import ANNE, Newsroom
from tests.webhooks.conftest import subscribe
from tests.webhooks.receiver import Receiver
from tipdesk.clock import utcnow
from tipdesk.conversation.models import ConsentRecord
from tipdesk.desk import desk_worker
from tipdesk.editors.models import Editor
from tipdesk.jobs.models import Job, JobState
from tipdesk.tips import actions
from tipdesk.webhooks.models import DeliveryState, WebhookDelivery
from tipdesk.webhooks.signing import verify
from tipdesk.webhooks.subscriptions import Wanted, change_subscription

EVERYTHING = [
    "tip.created", "tip.claimed", "tip.status_changed", "tip.used", "consent.changed",
    "consent.revoked_after_use", "reader.erased",
]  # fmt: skip
WORDS = "Brand in de Zeppelinstraat, kijk maar"


def no_number_or_words(receiver: Receiver) -> None:
    for received in receiver.received:
        digits = re.sub(r"\D", "", received.body)
        assert ANNE[-6:] not in digits, received.body
        assert "Zeppelinstraat" not in received.body


async def test_each_event_arrives_signed_in_order_without_number_or_words(
    newsroom: Newsroom, receiver: Receiver
) -> None:
    hook = await subscribe(newsroom, receiver.url, EVERYTHING)
    secret = hook.pop("secret")
    listed = await newsroom.api("GET", "/api/v1/webhooks", editor="Admin")
    assert listed.json()["items"] == [hook] and secret not in listed.text
    media_id = newsroom.fake.store_media(b"\xff\xd8\xff\xe0 not really a jpeg", "image/jpeg")
    wamid = await newsroom.writes(type="image", image={"id": media_id, "mime_type": "image/jpeg"})
    await newsroom.writes(WORDS)
    tip = await newsroom.tip_of(wamid)
    await newsroom.api("POST", f"/api/v1/tips/{tip.id}/claim", editor="Admin")
    asked = await newsroom.api("POST", f"/api/v1/tips/{tip.id}/consent-request", editor="Admin")
    record = await ConsentRecord.get(id=asked.json()["id"])
    await newsroom.taps(f"consent:{record.id}:named", "Ja, met naam")
    used = await newsroom.api(
        "POST", f"/api/v1/tips/{tip.id}/status", editor="Admin",
        json={"status": "used", "published_url": "https://omroep.example/brand"},
    )  # fmt: skip
    assert used.status_code == 200, used.text
    assert receiver.events() == [
        "tip.created", "tip.claimed", "consent.changed", "tip.status_changed", "tip.used",
    ]  # fmt: skip
    now = int(time.time())
    for received in receiver.received:
        assert verify(secret, received.signature, received.body, now), received
        assert not verify("whsec_other", received.signature, received.body, now)
        assert not verify(secret, received.signature, received.body, now + 301)  # a replay
    created, claimed, consented, changed, published = (r.data for r in receiver.received)
    assert created["tip"]["id"] == tip.id and created["reader"]["number"].startswith("+31")
    assert "name" not in created["reader"]  # the profile name is not the reader's to give out
    assert claimed["tip"]["claimed_by"]["name"] == "Admin"
    assert consented["change"] == {"consent": "granted", "scope": "named"}
    assert consented["reader"]["name"] == "Anne"  # the credit line the reader granted
    assert changed["change"] == {"from": "new", "to": "used"}
    assert published["tip"]["published_url"] == "https://omroep.example/brand"
    assert changed["id"] != published["id"] and len({r.delivery for r in receiver.received}) == 5
    no_number_or_words(receiver)


async def test_failures_and_a_timeout_are_retried_and_the_tip_keeps_its_order(
    newsroom: Newsroom, receiver: Receiver
) -> None:
    # The first delivery fails twice, then hangs past the desk's timeout, then goes through;
    # the claim waits behind it and arrives slowly but in time.
    script = {0: "fail", 1: "fail", 2: "hang"}
    receiver.answer = lambda event, seen: (
        script.get(seen, "ok") if event == "tip.created" else "slow"
    )
    await subscribe(newsroom, receiver.url, ["tip.created", "tip.claimed", "tip.status_changed"])
    newsroom.fake.reader_sends({"type": "text", "text": {"body": WORDS}}, ANNE, "Anne")
    await newsroom.settle_intake()  # the tip is recorded; its delivery waits for a worker
    tip_id = (await WebhookDelivery.get()).tip_id
    assert tip_id is not None
    chief = await _admin(newsroom)
    await actions.claim_tip(tip_id, chief, newsroom.settings)
    await actions.change_status(tip_id, chief, newsroom.settings, status="in_review")
    await newsroom.settle()
    assert receiver.events() == [
        "tip.created", "tip.created", "tip.created", "tip.created", "tip.claimed",
        "tip.status_changed",
    ]  # fmt: skip
    assert [r.answered for r in receiver.received] == [500, 500, 0, 200, 200, 200]
    first, claim, status = await WebhookDelivery.all().order_by("id")
    assert (first.state, first.attempts, first.response_status) == (DeliveryState.DELIVERED, 4, 200)
    assert (claim.attempts, status.attempts) == (1, 1)
    assert first.delivered_at and claim.delivered_at and first.delivered_at < claim.delivered_at
    assert len({r.data["id"] for r in receiver.received[:4]}) == 1  # the same body each time
    no_number_or_words(receiver)


async def test_a_delivery_is_given_up_after_the_window_and_the_lane_goes_on(
    newsroom: Newsroom, receiver: Receiver
) -> None:
    object.__setattr__(newsroom.settings, "webhook_give_up_after", timedelta(milliseconds=400))
    receiver.answer = lambda event, seen: "fail" if event == "tip.created" else "ok"
    await subscribe(newsroom, receiver.url, ["tip.created", "tip.claimed"])
    newsroom.fake.reader_sends({"type": "text", "text": {"body": WORDS}}, ANNE, "Anne")
    await newsroom.settle_intake()
    tip_id = (await WebhookDelivery.get()).tip_id
    assert tip_id is not None
    await actions.claim_tip(tip_id, await _admin(newsroom), newsroom.settings)
    await newsroom.settle()
    first, claim = await WebhookDelivery.all().order_by("id")
    assert first.state is DeliveryState.GIVEN_UP and first.attempts >= 1
    assert (first.response_status, first.error) == (500, "answered 500")
    assert claim.state is DeliveryState.DELIVERED
    assert receiver.events()[-1] == "tip.claimed" and receiver.events().count("tip.claimed") == 1


async def test_erasure_sends_reader_erased_and_the_log_forgets_the_number(
    newsroom: Newsroom, receiver: Receiver
) -> None:
    await subscribe(newsroom, receiver.url, ["tip.created", "reader.erased"])
    await newsroom.writes(WORDS)
    assert '"number":"+31' in (await WebhookDelivery.get()).body
    await newsroom.writes("VERWIJDER")
    await newsroom.taps("erase:confirm", "Ja, wis alles")
    assert receiver.events() == ["tip.created", "reader.erased"]
    erased = receiver.received[-1].data
    assert erased["reader"] == {"id": receiver.received[0].data["reader"]["id"], "erased": True}
    assert erased["tip"] is None
    for delivery in await WebhookDelivery.all():
        assert '"number"' not in delivery.body and ANNE[-6:] not in delivery.body


async def test_an_internal_address_is_refused_at_every_attempt_and_nothing_is_sent(
    newsroom: Newsroom, receiver: Receiver
) -> None:
    # https, so the form takes it; 127.0.0.1:9 is not in TIPDESK_WEBHOOK_PRIVATE_HOSTS.
    await subscribe(newsroom, "https://127.0.0.1:9/hook", ["tip.created"])
    newsroom.fake.reader_sends({"type": "text", "text": {"body": WORDS}}, ANNE, "Anne")
    await newsroom.settle_intake()
    await desk_worker(newsroom.settings).drain()
    delivery = await WebhookDelivery.get()
    assert delivery.state is DeliveryState.PENDING and delivery.attempts == 1
    assert delivery.error and "internal address (127.0.0.1)" in delivery.error
    refused = await newsroom.desk.post(
        "/api/v1/webhooks", headers=await newsroom.editor("Admin"),
        json={"url": "http://cms.example/hook", "events": ["tip.created"]},
    )  # fmt: skip
    assert refused.status_code == 400 and "https" in refused.json()["error"]["message"]


async def test_a_redirect_is_not_followed_and_counts_as_a_failure(
    newsroom: Newsroom, receiver: Receiver
) -> None:
    receiver.answer = lambda event, seen: "redirect" if seen == 0 else "ok"
    await subscribe(newsroom, receiver.url, ["tip.created"])
    await newsroom.writes(WORDS)
    delivery = await WebhookDelivery.get()
    assert [r.answered for r in receiver.received] == [307, 200]
    assert (delivery.state, delivery.attempts) == (DeliveryState.DELIVERED, 2)


async def test_a_lane_another_worker_is_sending_is_left_alone(
    newsroom: Newsroom, receiver: Receiver
) -> None:
    await subscribe(newsroom, receiver.url, ["tip.created"])
    newsroom.fake.reader_sends({"type": "text", "text": {"body": WORDS}}, ANNE, "Anne")
    await newsroom.settle_intake()
    # As a worker in another process does while it sends the lane's head.
    held_until = utcnow() + timedelta(minutes=1)
    await WebhookDelivery.all().update(sending_until=held_until)
    await desk_worker(newsroom.settings).drain()
    assert receiver.received == []
    later = await Job.get(kind="webhooks.deliver", state=JobState.QUEUED)
    assert later.run_at >= held_until  # it comes back once that worker's hold has lapsed


async def test_a_webhook_switched_off_keeps_what_it_owes_until_switched_on(
    newsroom: Newsroom, receiver: Receiver
) -> None:
    hook = await subscribe(newsroom, receiver.url, ["tip.created", "tip.claimed"])
    admin = await _admin(newsroom)
    newsroom.fake.reader_sends({"type": "text", "text": {"body": WORDS}}, ANNE, "Anne")
    await newsroom.settle_intake()  # owed while on, not yet sent
    off = Wanted(receiver.url, hook["events"], active=False)
    await change_subscription(admin, hook["id"], off, newsroom.settings)
    tip_id = (await WebhookDelivery.get()).tip_id
    assert tip_id is not None
    await actions.claim_tip(tip_id, admin, newsroom.settings)  # off: owes nothing
    await newsroom.settle()
    assert receiver.received == []
    assert [d.state for d in await WebhookDelivery.all()] == [DeliveryState.PENDING]
    await change_subscription(admin, hook["id"], replace(off, active=True), newsroom.settings)
    await newsroom.settle()
    assert receiver.events() == ["tip.created"]


async def _admin(newsroom: Newsroom) -> Editor:
    await newsroom.editor("Admin")
    return await Editor.get(email="admin@desk.example")
