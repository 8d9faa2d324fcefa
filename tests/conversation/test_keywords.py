"""STOP, START, INFO and erasure requests: whole-message keywords, idempotent, confirmed once."""

from __future__ import annotations

from tests.conversation.conftest import ANNE, Newsroom
from tipdesk.jobs.models import Job
from tipdesk.tips.models import Message, Sender


async def test_stop_is_confirmed_once_silences_automatic_messages_and_start_resumes(
    newsroom: Newsroom,
) -> None:
    await newsroom.writes("STOP")
    await newsroom.writes("stop!")  # already stopped: not confirmed again
    assert newsroom.texts_sent() == [
        "Je krijgt geen automatische berichten meer van de redactie."
        " Stuur START om dat weer aan te zetten."
    ]
    assert (await Sender.get(address=ANNE)).opted_out_at is not None
    await newsroom.writes("Toch een tip: brand in de haven")
    assert len(newsroom.texts_sent()) == 1  # no confirmation after STOP
    await newsroom.writes("Start")
    assert newsroom.texts_sent()[-1].startswith("Welkom terug!")
    await newsroom.api("POST", "/api/v1/tips/1/status", json={"status": "rejected"})
    await newsroom.writes("Nieuwe tip")
    assert newsroom.texts_sent()[-1].startswith("Dank je wel, Anne!")
    # Every keyword message is kept.
    assert await Message.filter(direction="in").count() == 5


async def test_a_keyword_inside_a_sentence_is_a_tip(newsroom: Newsroom) -> None:
    await newsroom.writes("De bus moet stoppen bij de halte, stop de bus")
    assert newsroom.texts_sent()[0].startswith("Dank je wel")
    assert (await Sender.get(address=ANNE)).opted_out_at is None


async def test_info_explains_data_and_hours_even_after_stop(newsroom: Newsroom) -> None:
    await newsroom.writes("STOP")
    await newsroom.writes("help")
    info = newsroom.texts_sent()[-1]
    assert "dag en nacht" in info and newsroom.settings.privacy_url in info


async def test_erasure_is_asked_before_it_is_done(newsroom: Newsroom) -> None:
    await newsroom.writes("VERWIJDER")
    question = newsroom.sent()[-1]["interactive"]
    ids = [b["reply"]["id"] for b in question["action"]["buttons"]]
    assert ids == ["erase:confirm", "erase:cancel"]
    assert not await Job.filter(kind="conversation.erase").exists()
    await newsroom.writes("nee")
    assert newsroom.texts_sent()[-1] == "Prima, we wissen niets."
    await newsroom.taps("erase:confirm", "Ja, wis alles")  # no longer asked: nothing happens
    assert not await Job.filter(kind="conversation.erase").exists()


async def test_a_confirmed_erasure_is_queued_once_however_often_the_tap_arrives(
    newsroom: Newsroom,
) -> None:
    await newsroom.writes("DELETE")
    tap = {
        "id": "wamid.tap.erase",
        "type": "interactive",
        "interactive": {
            "type": "button_reply",
            "button_reply": {"id": "erase:confirm", "title": "Ja, wis alles"},
        },
    }
    for _ in range(3):  # Meta delivers the same message again
        newsroom.fake.reader_sends(dict(tap), ANNE, "Anne")
    await newsroom.settle_intake()
    assert await Job.filter(kind="conversation.erase").count() == 1


async def test_keyword_answers_keep_to_the_reader_rate_limit(newsroom: Newsroom) -> None:
    object.__setattr__(newsroom.settings, "reader_rate_limit", 5)
    for _ in range(12):
        await newsroom.writes("INFO")
    answers = await Message.filter(purpose="info").count()
    assert 1 <= answers <= newsroom.settings.reader_rate_limit
