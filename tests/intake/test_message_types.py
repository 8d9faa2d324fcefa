"""Every fixture and every message type, from signed POST to stored tip, message and asset."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.intake.conftest import Meta, fixture
from tipdesk.audit.models import AuditEvent
from tipdesk.intake.models import InboundState, InboundWebhook, WebhookError
from tipdesk.jobs.models import Job
from tipdesk.tips.models import (
    DeliveryState,
    Direction,
    MediaAsset,
    MediaKind,
    MediaState,
    Message,
    Sender,
    Tip,
)

pytestmark = pytest.mark.usefixtures("app")


def first_message(payload: dict[str, Any]) -> dict[str, Any]:
    message: dict[str, Any] = payload["entry"][0]["changes"][0]["value"]["messages"][0]
    return message


async def only_message() -> Message:
    return await Message.get(direction=Direction.INBOUND).prefetch_related("tip", "sender")


async def test_text_tip(meta: Meta) -> None:
    await meta.deliver(fixture("text"))
    message = await only_message()
    assert message.type == "text"
    assert message.text.startswith("Tip: grote brand bij de haven van IJmuiden")
    assert message.direction is Direction.INBOUND
    assert message.sent_at == datetime.fromtimestamp(1790512340, tz=UTC)
    sender = message.sender
    assert (sender.address, sender.user_id, sender.display_name) == (
        "31612345678",
        "NL.4719283746501928374",
        "Sanne de Vries",
    )
    assert sender.last_inbound_at == message.sent_at
    tip = message.tip
    assert tip is not None and tip.status == "new"
    assert await AuditEvent.filter(action="tip.created", tip_id=tip.id).count() == 1
    webhook = await InboundWebhook.get()
    assert webhook.state is InboundState.PROCESSED


@pytest.mark.parametrize(
    ("name", "kind", "text", "mime"),
    [
        ("image_caption", MediaKind.IMAGE, "Rook boven de haven, 14:31", "image/jpeg"),
        ("video", MediaKind.VIDEO, "Filmpje vanaf de pier", "video/mp4"),
        ("voice_note", MediaKind.VOICE, "", "audio/ogg; codecs=opus"),
        (
            "document",
            MediaKind.DOCUMENT,
            "Brief van de gemeente over de afsluiting\nbrief_gemeente_afsluiting.pdf",
            "application/pdf",
        ),
        ("sticker", MediaKind.STICKER, "", "image/webp"),
    ],
)
async def test_media_messages_create_pending_assets_and_one_fetch_job(
    meta: Meta, name: str, kind: MediaKind, text: str, mime: str
) -> None:
    payload = fixture(name)
    await meta.deliver(payload)
    message = await only_message()
    assert message.text == text
    asset = await MediaAsset.get()
    media_key = first_message(payload)["type"]
    declared = first_message(payload)[media_key]
    assert (asset.kind, asset.state, asset.declared_mime) == (kind, MediaState.PENDING, mime)
    assert asset.external_media_id == declared["id"]
    assert asset.declared_sha256 == declared["sha256"]
    assert asset.tip_id == message.tip_id and asset.message_id == message.id  # type: ignore[attr-defined]
    assert len(asset.token) >= 32
    fetch = await Job.get(kind="media.fetch")
    assert fetch.payload == {"asset_id": asset.id}


async def test_plain_audio_is_not_a_voice_note(meta: Meta) -> None:
    payload = fixture("voice_note")
    first_message(payload)["audio"]["voice"] = False
    first_message(payload)["audio"]["mime_type"] = "audio/mpeg"
    await meta.deliver(payload)
    assert (await MediaAsset.get()).kind is MediaKind.AUDIO


async def test_location_is_stored_structured(meta: Meta) -> None:
    await meta.deliver(fixture("location"))
    message = await only_message()
    assert message.content == {
        "latitude": 52.4633126,
        "longitude": 4.6078432,
        "name": "Haven IJmuiden",
        "address": "Haven 1, 1976 AA IJmuiden",
    }
    assert message.text == "Haven IJmuiden, Haven 1, 1976 AA IJmuiden"


async def test_current_location_pin_has_only_coordinates(meta: Meta) -> None:
    payload = fixture("location")
    first_message(payload)["location"] = {"latitude": 52.1, "longitude": 5.2}
    await meta.deliver(payload)
    message = await only_message()
    assert message.content == {"latitude": 52.1, "longitude": 5.2}
    assert message.tip is not None


async def test_contacts_are_stored_structured(meta: Meta) -> None:
    await meta.deliver(fixture("contacts"))
    message = await only_message()
    assert message.content["contacts"] == [
        {
            "name": "Pieter Jansen",
            "organisation": "Brandweer Kennemerland",
            "phones": ["+31 6 11223344"],
            "emails": ["p.jansen@example.org"],
        }
    ]
    assert message.text == "Pieter Jansen Brandweer Kennemerland"


@pytest.mark.parametrize(
    ("name", "text", "content"),
    [
        (
            "button_reply",
            "Ja, mag gepubliceerd",
            {
                "reply_type": "button_reply",
                "id": "consent_publish_yes",
                "title": "Ja, mag gepubliceerd",
            },
        ),
        (
            "list_reply",
            "Verkeer — Ongelukken, files, afsluitingen",
            {
                "reply_type": "list_reply",
                "id": "cat_verkeer",
                "title": "Verkeer",
                "description": "Ongelukken, files, afsluitingen",
            },
        ),
        ("template_quick_reply", "Ja, bel me", {"payload": "FOLLOWUP_YES", "text": "Ja, bel me"}),
    ],
)
async def test_replies_to_desk_messages_keep_their_context(
    meta: Meta, name: str, text: str, content: dict[str, str]
) -> None:
    payload = fixture(name)
    await meta.deliver(payload)
    message = await only_message()
    assert message.text == text
    assert message.content == content
    assert message.quoted_id == first_message(payload)["context"]["id"]


async def test_quoted_reply_keeps_the_quoted_id(meta: Meta) -> None:
    await meta.deliver(fixture("reply_context"))
    message = await only_message()
    assert message.quoted_id == "wamid.HBgLMzE2MTIzNDU2NzgVAgARGBJGQzVENTkxRkUwN0VFNEY4NzcA"
    assert message.tip is not None


async def test_reaction_alone_is_kept_but_opens_no_tip(meta: Meta) -> None:
    await meta.deliver(fixture("reaction"))
    message = await only_message()
    assert message.type == "reaction"
    assert message.content["emoji"] == "👍"
    assert message.tip is None
    assert await Tip.all().count() == 0


async def test_reaction_removal_without_emoji(meta: Meta) -> None:
    payload = fixture("reaction")
    del first_message(payload)["reaction"]["emoji"]
    await meta.deliver(payload)
    assert (await only_message()).content["emoji"] == ""


async def test_unsupported_is_kept_and_shown_as_such(meta: Meta) -> None:
    await meta.deliver(fixture("unsupported"))
    message = await only_message()
    assert message.type == "unsupported"
    assert message.content["unsupported_type"] == "poll_creation"
    assert message.content["errors"][0]["code"] == 131051
    assert message.tip is not None


async def test_unknown_future_type_is_kept(meta: Meta) -> None:
    payload = fixture("text")
    message = first_message(payload)
    message["type"] = "hologram"
    message["hologram"] = {"depth": 3}
    del message["text"]
    await meta.deliver(payload)
    stored = await only_message()
    assert (stored.type, stored.content) == ("hologram", {"unsupported_type": "hologram"})


async def test_nul_characters_are_dropped_and_the_message_kept(meta: Meta) -> None:
    """PostgreSQL's text cannot hold NUL: a message with one must still be stored."""
    payload = fixture("text")
    first_message(payload)["text"]["body"] = "Brand\u0000 in de Stationsstraat"
    payload["entry"][0]["changes"][0]["value"]["contacts"][0]["profile"]["name"] = "Le\u0000zer"
    await meta.deliver(payload)
    stored = await only_message()
    assert stored.text == "Brand in de Stationsstraat"
    assert stored.sender.display_name == "Lezer"
    assert await InboundWebhook.filter(state=InboundState.PROCESSED).count() == 1


async def test_forwarded_flag_and_referral(meta: Meta) -> None:
    payload = fixture("text")
    first_message(payload)["context"] = {"frequently_forwarded": True}
    first_message(payload)["referral"] = {
        "source_url": "https://fb.me/ad",
        "source_type": "ad",
        "headline": "Tips gezocht",
        "body": "Stuur ons je tip",
        "ctwa_clid": "x",
    }
    await meta.deliver(payload)
    message = await only_message()
    assert message.forwarded is True
    assert message.quoted_id is None
    assert message.content["referral"] == {
        "source_type": "ad",
        "source_url": "https://fb.me/ad",
        "headline": "Tips gezocht",
        "body": "Stuur ons je tip",
    }


async def test_username_reader_is_keyed_on_the_business_scoped_id(meta: Meta) -> None:
    await meta.deliver(fixture("text_bsuid_no_phone"))
    sender = await Sender.get()
    assert (sender.address, sender.phone, sender.user_id) == (None, None, "NL.1029384756102938475")
    assert sender.display_name == "Mila"
    later = fixture("text_bsuid_no_phone")
    first_message(later)["id"] = "wamid.second"
    await meta.deliver(later)
    assert await Sender.all().count() == 1
    assert await Message.filter(direction=Direction.INBOUND).count() == 2


async def test_number_change_updates_the_sender(meta: Meta) -> None:
    earlier = fixture("contacts")  # Joris, 31687654321
    await meta.deliver(earlier, fixture("system_number_change"))
    sender = await Sender.get(user_id="NL.9081726354091827364")
    assert sender.address == "31699887766"
    assert await AuditEvent.filter(action="sender.number_changed", sender_id=sender.id).count() == 1
    system = await Message.get(type="system")
    assert system.tip_id is None  # type: ignore[attr-defined]
    assert system.text.startswith("User Joris Bakker changed")


async def test_batch_counts_every_change(meta: Meta) -> None:
    await meta.deliver(fixture("batch_two_messages"))
    messages = await Message.filter(direction=Direction.INBOUND).order_by("sent_at")
    assert [m.type for m in messages] == ["image", "text"]
    assert messages[0].tip_id == messages[1].tip_id  # type: ignore[attr-defined]


async def test_several_entries_and_messages_in_one_post(meta: Meta) -> None:
    payload = fixture("text")
    second_entry = copy.deepcopy(payload["entry"][0])
    value = second_entry["changes"][0]["value"]
    extra = copy.deepcopy(value["messages"][0])
    extra["id"] = "wamid.extra.in.same.array"
    value["messages"].append(extra)
    first_message({"entry": [second_entry]})["id"] = "wamid.second.entry"
    payload["entry"].append(second_entry)
    await meta.deliver(payload)
    assert await Message.filter(direction=Direction.INBOUND).count() == 3


async def test_other_phone_number_is_ignored(meta: Meta) -> None:
    payload = fixture("text")
    payload["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = "999"
    response = await meta.post(payload)
    assert response.status_code == 200
    await meta.worker.drain()
    assert await Message.filter(direction=Direction.INBOUND).count() == 0
    assert (await InboundWebhook.get()).state is InboundState.PROCESSED


async def test_value_errors_are_kept_for_admins(meta: Meta) -> None:
    await meta.deliver(fixture("value_errors"))
    error = await WebhookError.get()
    assert error.kind == "value_error"
    assert error.detail == "130429: Rate limit hit"
    assert error.excerpt["code"] == 130429


async def outbound(wamid: str, delivery: DeliveryState = DeliveryState.QUEUED) -> Message:
    sender = await Sender.create(
        channel="whatsapp",
        address="31612345678",
        phone="31612345678",
        first_contact_at=datetime.now(UTC),
    )
    return await Message.create(
        channel="whatsapp",
        external_id=wamid,
        sender=sender,
        direction=Direction.OUTBOUND,
        type="text",
        text="Dank je wel!",
        delivery=delivery,
        sent_at=datetime.now(UTC),
    )


async def test_statuses_only_move_delivery_forward(meta: Meta) -> None:
    read = fixture("status_read")
    wamid = read["entry"][0]["changes"][0]["value"]["statuses"][0]["id"]
    sent = copy.deepcopy(read)
    sent["entry"][0]["changes"][0]["value"]["statuses"][0]["status"] = "sent"
    await outbound(wamid)
    await meta.deliver(read, sent)  # out of order: read arrives before sent
    message = await Message.get(external_id=wamid)
    assert message.delivery is DeliveryState.READ
    assert message.delivery_at == datetime.fromtimestamp(1790513040, tz=UTC)


async def test_unknown_status_values_are_tolerated(meta: Meta) -> None:
    payload = fixture("status_read")
    status = payload["entry"][0]["changes"][0]["value"]["statuses"][0]
    status["status"] = "teleported"
    await outbound(status["id"], DeliveryState.SENT)
    await meta.deliver(payload)
    assert (await Message.get(external_id=status["id"])).delivery is DeliveryState.SENT


async def test_failed_status_outside_the_window_keeps_its_error_and_holds_the_message(
    meta: Meta,
) -> None:
    payload = fixture("status_failed")
    wamid = payload["entry"][0]["changes"][0]["value"]["statuses"][0]["id"]
    await outbound(wamid, DeliveryState.SENT)
    await meta.deliver(payload)
    message = await Message.get(external_id=wamid)
    # 131047: the message waits for the reader, and the approved template goes instead.
    assert message.delivery is DeliveryState.HELD
    assert message.delivery_error is not None
    assert message.delivery_error["code"] == 131047
    assert await Message.filter(purpose="window_template", type="template").count() == 1


async def test_failed_status_undeliverable_marks_the_reader_unreachable(meta: Meta) -> None:
    payload = fixture("status_failed")
    status = payload["entry"][0]["changes"][0]["value"]["statuses"][0]
    status["errors"][0]["code"] = 131026
    await outbound(status["id"], DeliveryState.SENT)
    await meta.deliver(payload)
    message = await Message.get(external_id=status["id"]).prefetch_related("sender")
    assert message.delivery is DeliveryState.FAILED
    assert message.sender.unreachable_at is not None


@pytest.mark.parametrize(
    ("code", "kept"),
    [("131047", 131047), ('=HYPERLINK("https://evil.example","klik")', None), (True, None)],
)
async def test_a_failed_status_keeps_metas_error_code_as_a_number_only(
    meta: Meta, code: object, kept: int | None
) -> None:
    """An error code of the payload's choosing once reached reports.csv as a formula."""
    payload = fixture("status_failed")
    status = payload["entry"][0]["changes"][0]["value"]["statuses"][0]
    status["errors"][0]["code"] = code
    status["errors"][0]["title"] = "x" * 5000
    await outbound(status["id"], DeliveryState.SENT)
    await meta.deliver(payload)
    message = await Message.get(external_id=status["id"])
    assert message.delivery_error is not None
    assert message.delivery_error["code"] == kept
    assert len(str(message.delivery_error["title"])) <= 256
    held = DeliveryState.HELD if kept == 131047 else DeliveryState.FAILED
    assert message.delivery is held


async def test_played_status_for_voice_messages(meta: Meta) -> None:
    payload = fixture("status_read")
    status = payload["entry"][0]["changes"][0]["value"]["statuses"][0]
    status["status"] = "played"
    await outbound(status["id"], DeliveryState.READ)
    await meta.deliver(payload)
    assert (await Message.get(external_id=status["id"])).delivery is DeliveryState.PLAYED
