"""Each number's WhatsApp profile "about" text follows the opening hours: written through the
fake Graph API over real HTTP at start, only when it differs, shortened when too long."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest

from tests.conversation.conftest import ACCESS_TOKEN, NUMBER_ID, Newsroom
from tipdesk.conversation.profile import CONVERSATION_PROFILE, fitted, schedule_profile
from tipdesk.jobs.models import Job

LEIDEN = "104567890199999"
AUTH = {"authorization": f"Bearer {ACCESS_TOKEN}"}


def abouts(newsroom: Newsroom) -> dict[str, str | None]:
    profiles = newsroom.fake.state.profiles
    return {number: profiles.about(number) for number in newsroom.fake.numbers}


async def start(newsroom: Newsroom) -> None:
    """What `serve` and `worker` do at start, then the worker runs."""
    await schedule_profile(newsroom.settings)
    await newsroom.settle()


async def test_the_about_text_says_when_editors_answer_and_is_written_once(
    newsroom: Newsroom,
) -> None:
    await start(newsroom)
    assert abouts(newsroom) == {
        NUMBER_ID: "Tips for the newsroom: send text, photos or video."
        " Editors answer day and night."
    }
    # Another start (or several workers) finds the text as it should be: nothing written.
    await start(newsroom)
    await start(newsroom)
    assert len(newsroom.fake.state.profiles.changes) == 1
    # Someone changed it in WhatsApp Manager: the next start puts the hours back.
    newsroom.fake.state.profiles.by_number[NUMBER_ID]["about"] = "Gesloten wegens verbouwing"
    await start(newsroom)
    assert "day and night" in str(abouts(newsroom)[NUMBER_ID])
    assert len(newsroom.fake.state.profiles.changes) == 2


async def test_one_job_waits_however_often_the_desk_starts(newsroom: Newsroom) -> None:
    for _ in range(3):
        await schedule_profile(newsroom.settings)
    assert await Job.filter(kind=CONVERSATION_PROFILE).count() == 1


@pytest.fixture
def environ(
    environ: dict[str, str], tmp_path: Path, request: pytest.FixtureRequest
) -> dict[str, str]:
    extra: dict[str, str] = dict(getattr(request, "param", {}))
    if extra.pop("numbers", None):
        numbers = tmp_path / "numbers.toml"
        (tmp_path / "leiden.toml").write_text(
            'default_language = "nl"\n[nl]\nprofile_about = "Tips voor {newsroom}: {hours}."\n',
            encoding="utf-8",
        )
        numbers.write_text(
            f'[[number]]\nphone_number_id = "{NUMBER_ID}"\ndesk = "Den Haag"\n\n'
            f'[[number]]\nphone_number_id = "{LEIDEN}"\ndesk = "Leiden"\n'
            'name = "Omroep West Leiden"\ntexts = "leiden.toml"\n',
            encoding="utf-8",
        )
        extra["TIPDESK_NUMBERS_FILE"] = str(numbers)
    return {**environ, **extra}


@pytest.mark.parametrize(
    "environ", [{"numbers": "yes", "TIPDESK_OPENING_HOURS": "mon-fri 09:00-17:00"}], indirect=True
)
async def test_every_number_gets_its_own_about_text(newsroom: Newsroom) -> None:
    await start(newsroom)
    assert abouts(newsroom) == {
        NUMBER_ID: "Tips for the newsroom: send text, photos or video. Editors answer"
        " Monday–Friday 09:00–17:00.",
        LEIDEN: "Tips voor Omroep West Leiden: maandag–vrijdag 09:00–17:00.",
    }


@pytest.mark.parametrize(
    "environ",
    [{"TIPDESK_OPENING_HOURS": "mon-fri 08:30-18:00; sat 10:00-16:00"}],
    indirect=True,
)
async def test_the_hours_read_as_readers_read_them(newsroom: Newsroom) -> None:
    await start(newsroom)
    assert abouts(newsroom)[NUMBER_ID] == (
        "Tips for the newsroom: send text, photos or video. Editors answer"
        " Monday–Friday 08:30–18:00, Saturday 10:00–16:00."
    )


@pytest.mark.parametrize(
    "environ",
    [{"TIPDESK_OPENING_HOURS": "mon 07:00-23:00; tue 08:00-22:00; wed 07:00-23:00;"
      " thu 08:00-22:00; fri 07:00-23:00; sat 09:00-17:00; sun 10:00-16:00"}],
    indirect=True,
)  # fmt: skip
async def test_a_text_too_long_is_shortened_and_the_log_holds_no_text(
    newsroom: Newsroom, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="tipdesk.conversation"):
        await start(newsroom)
    about = str(abouts(newsroom)[NUMBER_ID])
    assert len(about) <= 139
    assert about.startswith("Tips for the newsroom: send text, photos or video. Editors answer")
    assert about.endswith("…")
    assert not about.endswith(" …")
    warnings = [r.getMessage() for r in caplog.records if "profile" in r.getMessage()]
    assert len(warnings) == 1
    assert "shortened" in warnings[0] and NUMBER_ID in warnings[0]
    assert "Tips" not in warnings[0] and "Monday" not in warnings[0]


@pytest.mark.parametrize("environ", [{"TIPDESK_PROFILE_ABOUT": "off"}], indirect=True)
async def test_off_leaves_the_profile_alone(newsroom: Newsroom) -> None:
    newsroom.fake.state.profiles.by_number[NUMBER_ID] = {"about": "Onze eigen tekst"}
    await start(newsroom)
    assert not await Job.filter(kind=CONVERSATION_PROFILE).exists()
    assert abouts(newsroom) == {NUMBER_ID: "Onze eigen tekst"}
    assert newsroom.fake.state.profiles.changes == []


def test_fitting_cuts_after_a_whole_word_or_span() -> None:
    assert fitted("kort", 139) == "kort"
    assert fitted("een  tekst\nop twee regels", 139) == "een tekst op twee regels"
    assert fitted("maandag 09:00–17:00, dinsdag 09:00–17:00", 30) == "maandag 09:00–17:00…"
    assert fitted("x" * 200, 139) == "x" * 138 + "…"


async def test_the_fake_graph_api_refuses_what_meta_refuses(newsroom: Newsroom) -> None:
    base = newsroom.settings.graph_api_url
    url = f"{base}/{NUMBER_ID}/whatsapp_business_profile"
    async with httpx.AsyncClient(headers=AUTH) as graph:
        refused = [
            await graph.post(url, json={"messaging_product": "whatsapp", "about": "x" * 140}),
            await graph.post(url, json={"messaging_product": "whatsapp", "about": ""}),
            await graph.post(url, json={"about": "Tips"}),
            await graph.post(url, json={"messaging_product": "whatsapp", "slogan": "Tips"}),
            await graph.get(url, params={"fields": "about,slogan"}),
            await graph.post(f"{base}/999/whatsapp_business_profile", json={}),
        ]
        assert [(r.status_code, r.json()["error"]["code"]) for r in refused] == [(400, 100)] * 6
        fine = await graph.post(url, json={"messaging_product": "whatsapp", "about": "x" * 139})
        assert fine.json() == {"success": True}
        read = await graph.get(url, params={"fields": "about"})
        assert read.json() == {"data": [{"about": "x" * 139, "messaging_product": "whatsapp"}]}
    async with httpx.AsyncClient() as stranger:
        assert (await stranger.get(url, params={"fields": "about"})).status_code == 401
