"""Satisfaction after a tip closes, end to end: the reader's phone is the fake Graph API over
real HTTP, editors close tips through the API, answers come back as signed webhooks."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from tests.conversation.conftest import ANNE, JOHN, Newsroom
from tests.editorial_ui.sessions import log_in_as
from tipdesk.clock import utcnow
from tipdesk.conversation.models import SatisfactionAnswer, SatisfactionScore
from tipdesk.conversation.retention import purge
from tipdesk.conversation.satisfaction_answers import read_satisfaction_answer
from tipdesk.conversation.texts import load_texts
from tipdesk.editors.models import Role
from tipdesk.tips.models import Sender, Tip

QUESTION_NL = "Je tip {} is afgehandeld. Hoe vond je het contact met de redactie?"


async def close(newsroom: Newsroom, tip: Tip, status: str = "used") -> None:
    response = await newsroom.api("POST", f"/api/v1/tips/{tip.id}/status", json={"status": status})
    assert response.status_code == 200, response.text


def buttons(newsroom: Newsroom, wa_id: str = ANNE) -> list[dict[str, object]]:
    last = newsroom.sent(wa_id)[-1]
    assert last["type"] == "interactive", last
    return [b["reply"] for b in last["interactive"]["action"]["buttons"]]


async def test_a_closed_tip_asks_once_and_the_tap_and_comment_are_stored(
    newsroom: Newsroom,
) -> None:
    tip = await newsroom.tip_of(await newsroom.writes("Brand bij de haven"))
    await close(newsroom, tip)
    assert newsroom.texts_sent()[-1] == QUESTION_NL.format(tip.id)
    good, bad = buttons(newsroom)
    assert (good["title"], bad["title"]) == ("👍 Goed", "👎 Kan beter")

    await newsroom.taps(str(good["id"]), str(good["title"]))
    assert newsroom.texts_sent()[-1].startswith("Dank je wel voor je antwoord!")
    await newsroom.writes("Snel en vriendelijk, dank!")
    assert newsroom.texts_sent()[-1] == "Genoteerd, dank je wel!"
    answer = await SatisfactionAnswer.get(tip_id=tip.id)
    assert (answer.score, answer.comment, answer.desk) == (
        SatisfactionScore.GOOD,
        "Snel en vriendelijk, dank!",
        tip.desk,
    )
    # The comment opened no tip; a second tap is not thanked again.
    assert await Tip.all().count() == 1
    sent = len(newsroom.sent())
    await newsroom.taps(str(bad["id"]), str(bad["title"]))
    assert len(newsroom.sent()) == sent
    assert (await SatisfactionAnswer.get(id=answer.id)).score is SatisfactionScore.GOOD

    # Once per reader per period: the next closed tip asks nothing.
    second = await newsroom.tip_of(await newsroom.writes("Nog een brand, nu in Delft"))
    await close(newsroom, second, "rejected")
    assert await SatisfactionAnswer.all().count() == 1
    assert "Hoe vond je" not in newsroom.texts_sent()[-1]


async def test_words_and_emoji_answer_and_a_new_tip_stays_a_tip(newsroom: Newsroom) -> None:
    tip = await newsroom.tip_of(await newsroom.writes("Boom op de weg"))
    john = await newsroom.tip_of(await newsroom.writes("Tree on the road", wa_id=JOHN, name="John"))
    await close(newsroom, tip, "rejected")
    await close(newsroom, john, "used")
    assert newsroom.texts_sent(JOHN)[-1] == (
        f"Your tip {john.id} is closed. How was your contact with the newsroom?"
    )
    await newsroom.writes("👎", wa_id=JOHN, name="John")
    assert (await SatisfactionAnswer.get(tip_id=john.id)).score is SatisfactionScore.BAD
    # Anne writes about something else: a tip, not an answer.
    news = await newsroom.writes("Er is een ongeluk op de A13")
    assert (await newsroom.tip_of(news)).id != tip.id
    assert (await SatisfactionAnswer.get(tip_id=tip.id)).score is None
    await newsroom.writes("top")
    assert (await SatisfactionAnswer.get(tip_id=tip.id)).score is SatisfactionScore.GOOD


async def test_a_closed_window_stop_and_block_ask_nothing(newsroom: Newsroom) -> None:
    window = await newsroom.tip_of(await newsroom.writes("Lekkage in het station"))
    await newsroom.age_window(hours=25)
    await close(newsroom, window)
    stop = await newsroom.tip_of(await newsroom.writes("Stroomstoring", wa_id=JOHN))
    await newsroom.writes("STOP", wa_id=JOHN)
    await close(newsroom, stop)
    assert await SatisfactionAnswer.all().count() == 0
    sender = await Sender.get(address=ANNE)
    await Sender.filter(id=sender.id).update(last_inbound_at=window.created_at)
    blocked = await newsroom.tip_of(await newsroom.writes("Nog een lekkage"))
    await newsroom.api("POST", f"/api/v1/senders/{sender.id}/block")
    await close(newsroom, blocked, "rejected")
    assert await SatisfactionAnswer.all().count() == 0
    assert not [t for t in newsroom.texts_sent() + newsroom.texts_sent(JOHN) if "Hoe vond" in t]


async def test_a_pending_consent_question_is_not_talked_over(newsroom: Newsroom) -> None:
    tip = await newsroom.tip_of(await newsroom.writes("Overstroming"))
    sender = await Sender.get(address=ANNE)
    await Sender.filter(id=sender.id).update(
        pending_question="consent:1", pending_question_at=tip.created_at
    )
    await close(newsroom, tip, "rejected")
    assert await SatisfactionAnswer.all().count() == 0


async def test_erasure_removes_the_comment_and_keeps_the_answer(newsroom: Newsroom) -> None:
    tip = await newsroom.tip_of(await newsroom.writes("Brand"))
    await close(newsroom, tip, "rejected")
    await newsroom.writes("5")
    await newsroom.writes("Heel fijn contact met Piet")
    await newsroom.writes("VERWIJDER")
    await newsroom.taps("erase:confirm", "Ja, wis alles")
    answer = await SatisfactionAnswer.get()
    assert (answer.score, answer.comment, answer.tip_id) == (SatisfactionScore.GOOD, None, None)


@pytest.mark.parametrize("text", ["top", "👍", "5", "4/5", "heel tevreden hoor", "niet slecht"])
def test_good_answers_in_words(text: str) -> None:
    assert read_satisfaction_answer(text, load_texts().satisfaction_answers) == "good"


@pytest.mark.parametrize("text", ["slecht", "👎", "1", "niet zo goed", "kan beter", "matig 🙁"])
def test_bad_answers_in_words(text: str) -> None:
    assert read_satisfaction_answer(text, load_texts().satisfaction_answers) == "bad"


@pytest.mark.parametrize(
    "text", ["3", "Er is brand op de Dam", "goed nieuws: de weg is dicht", "👍👎", "goed?"]
)
def test_no_answer_in_other_words(text: str) -> None:
    assert read_satisfaction_answer(text, load_texts().satisfaction_answers) is None


async def test_the_reports_show_answers_share_and_comments_per_week_and_desk(
    newsroom: Newsroom,
) -> None:
    anne = await newsroom.tip_of(await newsroom.writes("Brand"))
    john = await newsroom.tip_of(await newsroom.writes("Fire", wa_id=JOHN, name="John"))
    await close(newsroom, anne)
    await close(newsroom, john, "rejected")
    await newsroom.writes("top")
    await newsroom.writes("Jullie reageerden snel")
    await newsroom.writes("slecht", wa_id=JOHN, name="John")

    response = await newsroom.api("GET", "/api/v1/reports", editor="Chief")
    assert response.status_code == 200, response.text
    report = response.json()
    figures = report["figures"]["satisfaction"]
    totals = {k: figures[k] for k in ("asked", "answered", "good", "bad", "share_good", "comments")}
    assert totals == {
        "asked": 2, "answered": 2, "good": 1, "bad": 1, "share_good": 0.5, "comments": 1
    }  # fmt: skip
    (week,) = figures["by_week"].values()
    assert (week["asked"], week["share_good"]) == (2, 0.5)
    assert figures["by_desk"] == {"": {**totals}}
    assert [c["comment"] for c in report["satisfaction_comments"]] == ["Jullie reageerden snel"]
    assert report["satisfaction_comments"][0]["score"] == "good"
    # Editors do not see the reports, readers' words included.
    assert (await newsroom.api("GET", "/api/v1/reports")).status_code == 403

    await newsroom.editor("Chief", Role.CHIEF)
    async with httpx.AsyncClient(base_url=str(newsroom.desk.base_url)) as browser:
        assert (await log_in_as(browser, "chief@desk.example")).status_code == 303
        page = (await browser.get("/reports")).text
        csv_file = (await browser.get("/reports.csv?table=satisfaction_comments")).text
    assert "Tevredenheid van lezers" in page and "Tevredenheid per week" in page
    assert "deel positief" in page and "50.0%" in page
    assert "Jullie reageerden snel" in page and "👍 goed" in page
    assert "Jullie reageerden snel" in csv_file and ",good," in csv_file


async def test_the_purge_removes_old_comments_and_keeps_the_answers(newsroom: Newsroom) -> None:
    tip = await newsroom.tip_of(await newsroom.writes("Brand"))
    await close(newsroom, tip, "rejected")
    await newsroom.writes("prima")
    await newsroom.writes("Fijn dat jullie terugbelden")
    await purge(newsroom.settings)
    assert (await SatisfactionAnswer.get()).comment == "Fijn dat jullie terugbelden"
    long_ago = utcnow() - newsroom.settings.retention - timedelta(days=1)
    await SatisfactionAnswer.all().update(commented_at=long_ago)
    await purge(newsroom.settings)
    answer = await SatisfactionAnswer.get()
    assert (answer.score, answer.comment) == (SatisfactionScore.GOOD, None)
