"""The confirmation: within the conversation, exactly one per tip, personal, aware of opening
hours, with the privacy notice on a reader's first contact ever."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.conversation.conftest import ANNE, JOHN, Newsroom
from tests.editorial_ui.sessions import PASSWORD, log_in_as
from tipdesk.conversation.texts import reader_texts
from tipdesk.editors.accounts import create_editor
from tipdesk.editors.models import Role
from tipdesk.tips.models import DeliveryState, Message, Sender


async def test_a_new_tip_is_confirmed_once_with_the_privacy_notice_on_first_contact(
    newsroom: Newsroom,
) -> None:
    first = await newsroom.writes("Er staat een boom op de Stationsstraat")
    await newsroom.writes("Hij ligt over de weg")  # the same tip: no second confirmation
    tip = await newsroom.tip_of(first)
    [confirmation] = newsroom.texts_sent()
    assert confirmation.startswith(f"Dank je wel, Anne! Je tip is binnen onder nummer {tip.id}.")
    assert "zo snel mogelijk" in confirmation
    assert newsroom.settings.privacy_url in confirmation
    stored = await Message.get(purpose="confirmation")
    assert stored.tip_id == tip.id and stored.automatic
    # Delivery ticks came back from Meta as status webhooks.
    assert stored.delivery in (DeliveryState.READ, DeliveryState.DELIVERED)
    assert stored.external_id.startswith("wamid.fake.out.")


async def test_a_later_tip_is_confirmed_without_the_privacy_notice(newsroom: Newsroom) -> None:
    await newsroom.writes("Brand in de Kerkstraat")
    await newsroom.writes("Ander verhaal: ongeluk op de A2", context={"message_id": "none"})
    await newsroom.api("POST", "/api/v1/tips/1/status", json={"status": "archived"})
    second = await newsroom.writes("Nieuwe tip: wateroverlast bij het station")
    assert (await newsroom.tip_of(second)).id == 2
    confirmations = [t for t in newsroom.texts_sent() if t.startswith("Dank je wel")]
    assert len(confirmations) == 2
    assert newsroom.settings.privacy_url not in confirmations[1]


async def test_an_english_reader_is_answered_in_english(newsroom: Newsroom) -> None:
    await newsroom.writes("A tree fell on the road", wa_id=JOHN, name="John")
    [confirmation] = newsroom.texts_sent(JOHN)
    assert confirmation.startswith("Thank you, John! Your tip is in as number 1.")


async def test_outside_opening_hours_the_confirmation_names_the_next_opening(
    newsroom: Newsroom, environ: dict[str, str]
) -> None:
    # A desk that is open only on a weekday other than today: it is closed now, whatever the day.
    tomorrow = (datetime.now(newsroom.settings.timezone) + timedelta(days=2)).weekday()
    day = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[tomorrow]
    object.__setattr__(
        newsroom.settings,
        "opening_hours",
        type(newsroom.settings.opening_hours).parse(f"{day} 09:00-17:00"),
    )
    await newsroom.writes("Brand!")
    [confirmation] = newsroom.texts_sent()
    weekday = reader_texts(newsroom.settings)["nl"].weekdays[tomorrow]
    assert f"we kijken ernaar vanaf {weekday} om 09:00" in confirmation


async def test_reactions_and_requests_to_the_desk_get_no_confirmation(newsroom: Newsroom) -> None:
    await newsroom.writes(type="reaction", reaction={"message_id": "wamid.x", "emoji": "👍"})
    await newsroom.writes("INFO")
    texts = newsroom.texts_sent()
    assert len(texts) == 1 and texts[0].startswith("Dit is het tipnummer van de redactie")
    assert not await Message.filter(purpose="confirmation").exists()


async def test_a_reader_writing_too_fast_gets_no_automatic_replies_but_loses_nothing(
    newsroom: Newsroom,
) -> None:
    object.__setattr__(newsroom.settings, "reader_rate_limit", 3)
    for n in range(4):
        newsroom.fake.reader_sends({"type": "text", "text": {"body": f"spam {n}"}}, ANNE, "A")
    await newsroom.settle()
    await newsroom.api("POST", "/api/v1/tips/1/status", json={"status": "rejected"})
    await newsroom.writes("en nog een")
    assert await Message.filter(direction="in").count() == 5
    # The first tip was confirmed; the second came after the fifth message within the hour.
    assert await Message.filter(purpose="confirmation").values_list("tip_id", flat=True) == [1]


async def test_the_daily_cap_stops_automatic_messages(newsroom: Newsroom) -> None:
    object.__setattr__(newsroom.settings, "automatic_daily_cap", 2)
    # Confirmations only: the satisfaction question after a rejection would count too.
    object.__setattr__(newsroom.settings, "satisfaction_period", None)
    for n in range(3):
        await newsroom.writes(f"tip {n}")
        await newsroom.api("POST", f"/api/v1/tips/{n + 1}/status", json={"status": "rejected"})
    assert len([t for t in newsroom.texts_sent() if t.startswith("Dank je wel")]) == 2


async def test_a_daily_cap_of_zero_means_no_confirmation_even_for_a_new_reader(
    newsroom: Newsroom,
) -> None:
    object.__setattr__(newsroom.settings, "automatic_daily_cap", 0)
    await newsroom.writes("Brand bij de haven")
    assert newsroom.texts_sent() == []
    assert await Message.filter(direction="in").count() == 1


async def test_a_message_held_for_a_returning_reader_goes_when_they_write(
    newsroom: Newsroom,
) -> None:
    """The held-message check is skipped only for readers created by the message itself."""
    first = await newsroom.writes("Brand")
    tip = await newsroom.tip_of(first)
    await Sender.filter(id=tip.sender_id).update(
        last_inbound_at=datetime.now(UTC) - timedelta(days=2)
    )
    response = await newsroom.api("POST", f"/api/v1/tips/{tip.id}/reply", json={"text": "Foto?"})
    assert response.status_code == 202
    await newsroom.settle()
    assert (await Message.get(purpose="reply")).delivery is DeliveryState.HELD
    await newsroom.writes("Hier is hij")
    assert any("Foto?" in text for text in newsroom.texts_sent())


@pytest.mark.parametrize("code", [130429, 131016, 500])
async def test_throughput_and_outages_are_retried_until_the_message_goes(
    newsroom: Newsroom, code: int
) -> None:
    newsroom.fake.fail_next_sends(ANNE, [code, code])
    await newsroom.writes("Brand")
    assert len(newsroom.texts_sent()) == 1
    assert (await Message.get(purpose="confirmation")).delivery is not DeliveryState.FAILED


@pytest.mark.parametrize("code", [131026, 131050])
async def test_an_unreachable_reader_is_marked_and_not_written_to_again(
    newsroom: Newsroom, code: int
) -> None:
    newsroom.fake.fail_next_sends(ANNE, [code])
    first = await newsroom.writes("Brand")
    confirmation = await Message.get(purpose="confirmation").prefetch_related("sender")
    assert confirmation.delivery is DeliveryState.FAILED
    assert confirmation.delivery_error is not None
    assert confirmation.delivery_error["code"] == code
    assert confirmation.sender.unreachable_at is not None
    tip = await newsroom.tip_of(first)
    response = await newsroom.api("POST", f"/api/v1/tips/{tip.id}/reply", json={"text": "Hoi"})
    assert response.status_code == 409
    assert newsroom.texts_sent() == []


async def test_a_message_sent_is_recorded_with_meta_s_id_once(newsroom: Newsroom) -> None:
    await newsroom.writes("Brand")
    assert [m.external_id for m in await Message.filter(direction="out")] == [
        newsroom.fake.state.sent[0]["id"]
    ]
    assert datetime.now(UTC) - (await Message.get(direction="out")).sent_at < timedelta(minutes=1)


async def test_admins_see_delivery_errors_without_the_message_text(newsroom: Newsroom) -> None:
    newsroom.fake.fail_next_sends(ANNE, [131026])
    await newsroom.writes("Brand in de Kerkstraat")
    await create_editor("root@desk.example", "Root", Role.ADMIN, PASSWORD)
    await log_in_as(newsroom.desk, "root@desk.example")
    page = await newsroom.desk.get("/admin")
    assert "Mislukte berichten aan lezers" in page.text
    assert "ontvangstbevestiging · foutcode 131026: Message undeliverable." in page.text
    assert "Dank je wel" not in page.text and "Kerkstraat" not in page.text
